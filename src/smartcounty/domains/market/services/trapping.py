"""Elevator trapping alarms (困人报警) from sensing: an elevator's ``elevator_trapped`` datastream reports 1
while someone is trapped and 0 when freed. A 1 raises a red alert (source ``market``, key
``trapped:<equipment id>``) through the alerts module; a 0 resolves it."""

import logging

from django.utils.translation import gettext as _

from smartcounty.domains.market.models import Equipment
from smartcounty.domains.market.services.scope import bureau_id
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing
from smartcounty.foundation.sensing.schemas import DS, MS, VALUE, ObservationBatch

log = logging.getLogger("smartcounty.market")

PROPERTY = "elevator_trapped"
SOURCE = "market"
LEVEL = 4


def on_observations(event: str, payload) -> None:
    batch = ObservationBatch.of(payload)
    rows = batch.select(PROPERTY)
    if not rows:
        return
    latest: dict[int, tuple] = {}
    for r in rows:
        if r[VALUE] is not None and (r[DS] not in latest or r[MS] >= latest[r[DS]][MS]):
            latest[r[DS]] = r
    things = {batch.info[ds].thing_id: ds for ds in latest}
    pieces = {e["thing_id"]: e for e in Equipment.objects.filter(thing_id__in=list(things)).values(
        "id", "thing_id", "name", "registration_code", "unit__name", "town_code", "grid_code")}
    for thing_id, ds in things.items():
        eq = pieces.get(thing_id)
        if eq is None:
            continue
        try:
            judge(eq, ds, latest[ds][VALUE], latest[ds][MS], batch.info[ds])
        except Exception:  # one elevator's failure never stops the others
            log.exception("trapping alarm failed for datastream %s", ds)


def judge(eq: dict, datastream_id: int, value: float, ms: int, info) -> str:
    key = f"trapped:{eq['id']}"
    at = sensing.from_ms(ms)
    if value >= 0.5:
        alerts.raise_alert(source=SOURCE, key=key, level=LEVEL, value=value, at=at, property=PROPERTY,
                           title=_("Someone is trapped in elevator %(name)s (%(unit)s)")
                           % {"name": eq["name"], "unit": eq["unit__name"]},
                           thing_id=eq["thing_id"], datastream_id=datastream_id,
                           town=eq["town_code"] or info.town or None, grid=eq["grid_code"] or info.grid or None,
                           organisation_id=bureau_id(), detail={"equipment": eq["id"],
                                                               "registration_code": eq["registration_code"]})
        return "raised"
    current = alerts.find_open_alert(SOURCE, key)
    if current is not None:
        alerts.resolve_alert(current.id, note="passengers freed", value=value, at=at)
        return "resolved"
    return ""
