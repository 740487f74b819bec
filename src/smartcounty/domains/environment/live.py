"""Live air quality: each station's hourly AQI as observations arrive, and the county's heavy-pollution
warning as an alert (through the sensing and alerts services only).

* ``on_observations`` (subscribed to ``sensing.observations``): when a station's pollutant observation
  falls in a new hour, the station's AQI of the hour before (now complete) is computed from the hourly
  means of its pollutant datastreams and stored as an observation of the station's derived ``aqi``
  datastream (phenomenon time = the hour's start). Storing is idempotent: sensing keeps one value per
  (datastream, time). An hourly mean is valid with at least 45 minutes of data (GB 3095-2012 Table 4:
  每小时至少有45分钟的采样时间), judged from the datastream's expected interval.
* ``assess_county``: the county's concentrations are the means of its stations (as a city's are in
  HJ 633); the daily series of the last days (rolling 24 h periods ending with the last complete hour)
  is assessed with the configured warning scheme and the result is raised, upgraded, downgraded or
  lifted as one alert (source ``environment``, key ``heavy-pollution:<county>``); alerts keeps the history.
  Only observed data is used: no air-quality forecast exists yet, so the "forecast" part of the
  criteria is read as "observed so far".
"""

import logging
import math
from collections import defaultdict
from datetime import UTC, datetime

from smartcounty.domains.environment import series as series_mod
from smartcounty.domains.environment.aqi import HOURLY, compute_aqi
from smartcounty.domains.environment.aqi import tables as t
from smartcounty.domains.environment.warnings import DEFAULT_SCHEME, LEVEL_RANK, WarningScheme, assess
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing

log = logging.getLogger("smartcounty.environment")

COUNTY = "371525"
SOURCE = "environment"
WARNING_KEY = f"heavy-pollution:{COUNTY}"
HOUR_MS = 3_600_000
#: observed property code (sensing) -> pollutant (HJ 633 tables)
AIR = {"so2": t.SO2, "no2": t.NO2, "pm10": t.PM10, "pm25": t.PM2_5, "co": t.CO, "o3": t.O3}
AQI_PROPERTY = "aqi"
MIN_MINUTES_PER_HOUR = 45
ASSESS_DAYS = 4

_last_assessed_hour: dict[str, int] = {}


def _hour_start(ms: int) -> int:
    return ms // HOUR_MS * HOUR_MS  # Shanghai is UTC+8 all year: its hours are UTC hours


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def _min_count(ds) -> int:
    return max(1, math.ceil(MIN_MINUTES_PER_HOUR * 60 / max(ds.expected_interval_s, 1)))


def hourly_means(ds, start_ms: int, end_ms: int) -> dict[int, float]:
    """Valid hourly means of one datastream in [start, end): {hour start ms: mean}."""
    need = _min_count(ds)
    out = {}
    for row in sensing.aggregate(ds.id, start_ms, end_ms, "1h"):
        if row["mean"] is not None and row["count"] >= need:
            out[sensing.to_ms(row["start"])] = row["mean"]
    return out


def station_hour_aqi(thing_id: int, hour_ms: int) -> int | None:
    """Compute and store one station's AQI for the hour starting at ``hour_ms``; returns it (or None)."""
    streams = {ds.property_code: ds for ds in sensing.latest(thing_id=thing_id).select_related("thing")
               if ds.property_code in AIR or ds.property_code == AQI_PROPERTY}
    target = streams.get(AQI_PROPERTY)
    if target is not None and sensing.count_observations(target.id, hour_ms, hour_ms + HOUR_MS):
        return None  # already stored
    conc = {}
    for code, ds in streams.items():
        if code in AIR:
            mean = hourly_means(ds, hour_ms, hour_ms + HOUR_MS).get(hour_ms)
            if mean is not None:
                conc[series_mod.HOURLY_MEASURE[AIR[code]]] = mean
    if not conc:
        return None
    result = compute_aqi(conc, report=HOURLY, when=datetime.fromtimestamp(hour_ms / 1000, UTC))
    if result.aqi is None:
        return None
    if target is None:
        thing = next(ds.thing for code, ds in streams.items() if code in AIR)
        target = sensing.create_datastream(thing, AQI_PROPERTY, expected_interval_s=3600,
                                           sensor_name="HJ 633 AQI (computed)")
    aqi = int(math.ceil(result.aqi))
    sensing.ingest([{"datastream": target.id, "phenomenonTime": _iso(hour_ms), "result": aqi}], source=SOURCE)
    return aqi


def on_observations(event: str, facts) -> None:
    """``sensing.observations`` handler: AQI of each completed hour; then the county warning, hourly."""
    todo: dict[int, set[int]] = defaultdict(set)
    newest = None
    for f in facts:
        if f.property not in AIR or f.value is None:
            continue
        ms = sensing.to_ms(f.time)
        todo[f.thing_id].add(_hour_start(ms) - HOUR_MS)
        newest = ms if newest is None else max(newest, ms)
    for thing_id, hours in todo.items():
        for hour in sorted(hours):
            station_hour_aqi(thing_id, hour)
    if newest is not None:
        last_complete = _hour_start(newest)
        if _last_assessed_hour.get(COUNTY) != last_complete:
            assess_county(last_complete)
            _last_assessed_hour[COUNTY] = last_complete


def county_hourly(end_ms: int, days: int = ASSESS_DAYS) -> tuple[datetime, dict[str, list]]:
    """County means per pollutant per hour over ``days`` days ending at ``end_ms`` (exclusive)."""
    start_ms = end_ms - days * 24 * HOUR_MS
    n = days * 24
    sums: dict[str, list[list[float]]] = {p: [[] for _ in range(n)] for p in AIR.values()}
    for code, pollutant in AIR.items():
        for ds in sensing.latest(property_code=code):
            for hour, mean in hourly_means(ds, start_ms, end_ms).items():
                i = (hour - start_ms) // HOUR_MS
                if 0 <= i < n:
                    sums[pollutant][i].append(mean)
    hourly = {p: [sum(v) / len(v) if v else None for v in cols] for p, cols in sums.items()
              if any(cols)}
    return datetime.fromtimestamp(start_ms / 1000, UTC), hourly


def assess_county(end_ms: int, scheme: WarningScheme = DEFAULT_SCHEME, days: int = ASSESS_DAYS):
    """Assess the county's warning level from the data before ``end_ms`` and bring the alert in line."""
    start, hourly = county_hourly(end_ms, days)
    if not hourly:
        return None
    periods = series_mod.daily_series(hourly, start)
    result = assess(periods, scheme)
    at = datetime.fromtimestamp(end_ms / 1000, UTC)
    current = alerts.find_open_alert(SOURCE, WARNING_KEY)
    last = periods[-1].aqi if periods else None
    if result.level is not None:
        title = f"{result.name}（{scheme.title}）"
        alerts.raise_alert(source=SOURCE, key=WARNING_KEY, title=str(title), level=LEVEL_RANK[result.level],
                           property=AQI_PROPERTY, value=None if last is None else float(last), at=at,
                           organisation_id=_air_organisation(),
                           detail={"scheme": scheme.key, "draft": scheme.draft, "source": scheme.source,
                                   "reasons": list(result.reasons), "o3": result.o3,
                                   "series": [p.aqi for p in periods]})
    elif current is not None:
        alerts.resolve_alert(current.id, note="criteria no longer met", at=at,
                             value=None if last is None else float(last))
    return result


def _air_organisation() -> int | None:
    ds = sensing.latest(property_code="pm25").exclude(organisation_id__isnull=True).first()
    return ds.organisation_id if ds else None
