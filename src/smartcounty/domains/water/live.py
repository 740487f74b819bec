"""Live water: a flood alert per gauge at its warning and guaranteed levels, through sensing and alerts.

A gauge's marks are its thing's properties ``warning_level`` and ``guarantee_level`` (metres, the
demo's names). On each new ``water_level`` observation the gauge's flood state is judged
(``levels.flood_state``) and its alert (source ``water``, key ``flood:<datastream id>``) is raised at
the warning level (level 3, orange), upgraded at the guaranteed level (level 4, red), downgraded
and resolved as the water falls back below the marks. The colour mapping is our choice: no national
rule ties 超警/超保 to alert colours.
"""

import logging
from datetime import UTC, datetime, timedelta
from operator import itemgetter

from django.utils.translation import gettext as _

from smartcounty.domains.water.levels import ABOVE_GUARANTEED, ABOVE_WARNING, flood_state
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing
from smartcounty.foundation.sensing.schemas import MS, ObservationBatch

log = logging.getLogger("smartcounty.water")

SOURCE = "water"
LEVEL_PROPERTY = "water_level"
ALERT_LEVELS = {ABOVE_WARNING: 3, ABOVE_GUARANTEED: 4}


def marks(props: dict | None) -> tuple[float | None, float | None]:
    """(warning level, guaranteed level) from a gauge's thing properties."""
    props = props or {}

    def num(key):
        try:
            return float(props[key])
        except (KeyError, TypeError, ValueError):
            return None

    return num("warning_level"), num("guarantee_level")


def judge_gauge(ds, value: float, at: datetime):
    """Bring one gauge's flood alert in line with a reading; returns the flood state (or None without marks).
    ``ds`` is sensing's ``LatestValue`` of the gauge."""
    warning, guaranteed = marks(ds.thing_properties)
    if warning is None:
        return None
    if guaranteed is not None and guaranteed < warning:
        log.warning("gauge %s: guaranteed level below warning level; ignoring the guaranteed level", ds.id)
        guaranteed = None
    state = flood_state(value, warning, guaranteed)
    key = f"flood:{ds.id}"
    level = ALERT_LEVELS.get(state.state)
    if level is not None:
        title = _("%(station)s: %(state)s (%(level).2f m)") % {
            "station": ds.thing_name, "state": state.name, "level": value}
        alerts.raise_alert(source=SOURCE, key=key, title=title, level=level, property=LEVEL_PROPERTY,
                           thing_id=ds.thing_id, datastream_id=ds.id, town=ds.town_code or None,
                           organisation_id=ds.organisation_id, value=value, at=at, public=True,
                           detail={"warning_level": warning, "guarantee_level": guaranteed})
    else:
        current = alerts.find_open_alert(SOURCE, key)
        if current is not None:
            alerts.resolve_alert(current.id, note="below the warning level", value=value, at=at)
    return state


def on_observations(event: str, payload) -> None:
    """``sensing.observations`` handler: judge each gauge's newest reading of the batch; the drought watch
    from rainfall (at most once an hour)."""
    from smartcounty.domains.water import drought

    batch = ObservationBatch.of(payload)
    drought.on_rain(batch)
    newest = {}
    for ds, ms, _rt, value, _text, _q in sorted(batch.select(LEVEL_PROPERTY), key=_ms):
        if value is not None:
            newest[ds] = (ms, value)
    if not newest:
        return
    # only gauges with marks can be judged: a level stream without them (most, on a busy hub) costs no ORM rows
    streams = {ds.id: ds for ds in sensing.latest_values(property_code=LEVEL_PROPERTY, ids=list(newest))
               if "warning_level" in ds.thing_properties}
    for ds_id, (ms, value) in newest.items():
        ds = streams.get(ds_id)
        if ds is not None:
            judge_gauge(ds, value, sensing.from_ms(ms))


_ms = itemgetter(MS)


def catch_up(hours: int, now: datetime | None = None) -> int:
    """Replay each gauge's flood state over the last ``hours`` of stored history (hourly maxima, in order;
    for data that arrived without events, e.g. a simulator backfill), then judge its latest reading.
    Returns the number of judgements."""
    now = now or datetime.now(UTC)
    end_ms = sensing.to_ms(now)
    start_ms = (end_ms // 3_600_000 - hours) * 3_600_000
    n = 0
    for ds in sensing.latest_values(property_code=LEVEL_PROPERTY):
        for row in sensing.aggregate(ds.id, start_ms, end_ms, "1h"):
            judge_gauge(ds, row["max"], row["start"] + timedelta(hours=1))
            n += 1
        if ds.last_value is not None and ds.last_ms is not None:
            judge_gauge(ds, ds.last_value, sensing.from_ms(ds.last_ms))
            n += 1
    return n
