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
  The Shandong criteria read *forecast* daily AQI: the observed periods are followed by the county's
  forecast periods (``forecast_periods``: consecutive 24 h periods after the last complete hour, each the
  mean of the stations' mean hourly forecast AQI, from runs of ``forecasting`` at most a day old), so a
  warning is issued when observed and forecast days together meet a level. The forecast is of AQI,
  not of concentrations: a forecast period's AQI is the mean of its hourly AQI (an approximation of the
  daily AQI of the mean concentrations), its peak is the largest hourly forecast, and it names no
  primary pollutant.
"""

import logging
import math
from collections import defaultdict
from datetime import UTC, datetime

from smartcounty.domains.environment import forecasting
from smartcounty.domains.environment import series as series_mod
from smartcounty.domains.environment.aqi import HOURLY, compute_aqi
from smartcounty.domains.environment.aqi import tables as t
from smartcounty.domains.environment.warnings import (
    DEFAULT_SCHEME,
    LEVEL_RANK,
    DailyAqi,
    WarningScheme,
    assess,
)
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing
from smartcounty.foundation.sensing.schemas import ObservationBatch

log = logging.getLogger("smartcounty.environment")

COUNTY = "371525"
SOURCE = "environment"
WARNING_KEY = f"heavy-pollution:{COUNTY}"
HOUR_MS = 3_600_000
#: observed property code (sensing) -> pollutant (HJ 633 tables)
AIR = {"so2": t.SO2, "no2": t.NO2, "pm10": t.PM10, "pm25": t.PM2_5, "co": t.CO, "o3": t.O3}
AQI_PROPERTY = "aqi"
MIN_MINUTES_PER_HOUR = 45
SLOT_MS = 300_000
ASSESS_DAYS = 4

CATCH_UP_HOURS = 24

_last_assessed_hour: dict[str, int] = {}
_caught_up: set[int] = set()


def _hour_start(ms: int) -> int:
    return ms // HOUR_MS * HOUR_MS  # Shanghai is UTC+8 all year: its hours are UTC hours


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def hourly_means(ds, start_ms: int, end_ms: int) -> dict[int, float]:
    """Valid hourly means of one datastream in [start, end): {hour start ms: mean}.

    Valid = at least 45 minutes of the hour covered. A datastream reporting every 5 minutes or more
    often covers the 5-minute slots that hold a value (so a sender whose real spacing differs from its
    declared interval is judged by its data); a slower one covers its expected interval per value.
    """
    hourly = sensing.aggregate(ds.id, start_ms, end_ms, "1h")
    covered: dict[int, float] = defaultdict(float)
    if ds.expected_interval_s <= SLOT_MS // 1000:
        for row in sensing.aggregate(ds.id, start_ms, end_ms, "5min"):
            if row["count"]:
                covered[_hour_start(sensing.to_ms(row["start"]))] += SLOT_MS / 60_000
    else:
        for row in hourly:
            covered[sensing.to_ms(row["start"])] = min(60.0, row["count"] * ds.expected_interval_s / 60)
    out = {}
    for row in hourly:
        hour = sensing.to_ms(row["start"])
        if row["mean"] is not None and covered.get(hour, 0) >= MIN_MINUTES_PER_HOUR:
            out[hour] = row["mean"]
    return out


def station_aqi(thing_id: int, start_ms: int, end_ms: int) -> dict[int, int]:
    """Compute and store one station's hourly AQI for the hours in [start, end) that have none yet.

    Returns {hour start ms: AQI} of the hours stored now (empty when every hour was already there or
    had no valid data).
    """
    streams = {ds.property_code: ds for ds in sensing.latest_values(thing_id=thing_id)
               if ds.property_code in AIR or ds.property_code == AQI_PROPERTY}
    if not any(code in AIR for code in streams):
        return {}
    target = streams.get(AQI_PROPERTY)
    done = set()
    if target is not None:
        done = {row[0] for row in sensing.observations(target.id, start_ms, end_ms, limit=10_000)}
    conc: dict[int, dict[str, float]] = defaultdict(dict)
    for code, ds in streams.items():
        if code in AIR:
            for hour, mean in hourly_means(ds, start_ms, end_ms).items():
                if hour not in done:
                    conc[hour][series_mod.HOURLY_MEASURE[AIR[code]]] = mean
    stored = {}
    for hour in sorted(conc):
        result = compute_aqi(conc[hour], report=HOURLY, when=datetime.fromtimestamp(hour / 1000, UTC))
        if result.aqi is not None:
            stored[hour] = int(math.ceil(result.aqi))
    if not stored:
        return {}
    if target is None:
        target = sensing.create_datastream(thing_id, AQI_PROPERTY, expected_interval_s=3600,
                                           sensor_name="HJ 633 AQI (computed)")
    sensing.ingest([{"datastream": target.id, "phenomenonTime": _iso(h), "result": v} for h, v in stored.items()],
                   source=SOURCE)
    return stored


def station_hour_aqi(thing_id: int, hour_ms: int) -> int | None:
    """One station's AQI for the hour starting at ``hour_ms``, stored if new (None: nothing stored)."""
    return station_aqi(thing_id, hour_ms, hour_ms + HOUR_MS).get(hour_ms)


def on_observations(event: str, payload) -> None:
    """``sensing.observations`` handler: AQI of each completed hour; then the county warning, hourly.

    The first time this process sees a station, it also catches up on the last ``CATCH_UP_HOURS``.
    """
    batch = ObservationBatch.of(payload)
    todo: dict[int, set[int]] = defaultdict(set)
    newest = None
    for code in batch.properties & AIR.keys():
        for ds, ms, _rt, value, _text, _q in batch.select(code):
            if value is None:
                continue
            todo[batch.info[ds].thing_id].add(_hour_start(ms) - HOUR_MS)
            newest = ms if newest is None else max(newest, ms)
    for thing_id, hours in todo.items():
        last = max(hours)
        first = min(hours)
        if thing_id not in _caught_up:
            first = min(first, last - (CATCH_UP_HOURS - 1) * HOUR_MS)
            _caught_up.add(thing_id)
        station_aqi(thing_id, first, last + HOUR_MS)
    if newest is not None:
        last_complete = _hour_start(newest)
        if _last_assessed_hour.get(COUNTY) != last_complete:
            assess_county(last_complete)
            _last_assessed_hour[COUNTY] = last_complete


def catch_up(hours: int = CATCH_UP_HOURS, now_ms: int | None = None) -> int:
    """Compute and store the missing hourly AQI of every station over the last ``hours`` complete hours
    from its stored pollutant history (for data that arrived without events, e.g. a simulator backfill
    or a batch import). Returns the number of hours stored."""
    end = _hour_start(now_ms if now_ms is not None else sensing.to_ms(datetime.now(UTC)))
    start = end - hours * HOUR_MS
    things = sensing.thing_ids(property_codes=list(AIR))
    return sum(len(station_aqi(thing_id, start, end)) for thing_id in things)


def county_hourly(end_ms: int, days: int = ASSESS_DAYS) -> tuple[datetime, dict[str, list]]:
    """County means per pollutant per hour over ``days`` days ending at ``end_ms`` (exclusive)."""
    start_ms = end_ms - days * 24 * HOUR_MS
    n = days * 24
    sums: dict[str, list[list[float]]] = {p: [[] for _ in range(n)] for p in AIR.values()}
    for code, pollutant in AIR.items():
        for ds in sensing.latest_values(property_code=code):
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
    ahead = forecast_periods(end_ms)
    result = assess([*periods, *ahead], scheme)
    at = datetime.fromtimestamp(end_ms / 1000, UTC)
    current = alerts.find_open_alert(SOURCE, WARNING_KEY)
    last = periods[-1].aqi if periods else None
    if result.level is not None:
        title = f"{result.name}（{scheme.title}）"
        alerts.raise_alert(source=SOURCE, key=WARNING_KEY, title=str(title), level=LEVEL_RANK[result.level],
                           property=AQI_PROPERTY, value=None if last is None else float(last), at=at,
                           organisation_id=_air_organisation(), public=True,
                           detail={"scheme": scheme.key, "draft": scheme.draft, "source": scheme.source,
                                   "reasons": list(result.reasons), "o3": result.o3,
                                   "series": [p.aqi for p in periods],
                                   "forecast": [round(p.aqi, 1) for p in ahead]})
    elif current is not None:
        alerts.resolve_alert(current.id, note="criteria no longer met", at=at,
                             value=None if last is None else float(last))
    return result


def forecast_periods(end_ms: int) -> list[DailyAqi]:
    """The county's forecast daily periods after ``end_ms`` (only complete 24 h periods)."""
    hourly = forecasting.county_forecast_hourly(end_ms)
    out = []
    for k in range(3):
        values = [hourly.get(end_ms + (24 * k + i) * HOUR_MS) for i in range(24)]
        if any(v is None for v in values):
            break
        out.append(DailyAqi(sum(values) / 24, (), max(values), datetime.fromtimestamp(
            (end_ms + 24 * k * HOUR_MS) / 1000, UTC), forecast=True))
    return out


def _air_organisation() -> int | None:
    ds = sensing.latest_values(property_code="pm25", owned=True).first()
    return ds.organisation_id if ds else None
