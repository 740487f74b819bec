"""Air-quality readings as plain data for the API, the page and the catalog: AQI with its sub-indices
(IAQI), category and primary pollutant, by station, town and county, hourly (实时报) and daily (日报).

* **Station, hourly**: the AQI is the one ``live`` stored for the hour (the station's derived ``aqi``
  datastream); the sub-indices are recomputed from the same hour's means of its pollutant datastreams.
* **Town and county, hourly**: as HJ 633 makes a city's figures, the concentration of each pollutant is
  the mean over the area's stations of their valid hourly means; the AQI is computed from those means.
* **Daily**: each Beijing day (00:00–24:00) from the hourly means with the validity rules of
  ``aqi.averaging`` (24-hour means, O3 daily maximum 8-hour mean).

Hourly means come from sensing's hourly rollup in one query for every datastream asked
(``sensing.hourly_stats``). A mean is valid when its values cover at least 45 minutes
(GB 3095-2012 Table 4): a datastream reporting every 5 minutes or faster covers at most 5 minutes per
value (``live`` counts the 5-minute slots themselves; the rollup has no slots, so a burst of values in a
few minutes counts here as more of the hour); a slower one covers its interval per value.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from smartcounty.domains.environment import network
from smartcounty.domains.environment.aqi import DAILY, HOURLY, compute_aqi, daily_concentrations
from smartcounty.domains.environment.aqi import tables as t
from smartcounty.domains.environment.live import AIR, COUNTY, MIN_MINUTES_PER_HOUR
from smartcounty.domains.environment.series import HOURLY_MEASURE
from smartcounty.foundation.sensing import services as sensing

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
SLOT_S = 300
MAX_HOURS = 7 * 24
MAX_DAYS = 31
STATION, TOWN, AREA_COUNTY = "station", "town", "county"


@dataclass(frozen=True)
class Reading:
    """One AQI report of a station, town or the county."""

    scope: str  # station / town / county
    key: str  # station: its thing id; town: its 9-digit code; county: the county code
    name: str
    report: str  # hourly / daily
    start: datetime  # the hour's or the Beijing day's start (UTC)
    aqi: int | None
    version: str = ""
    primary: tuple[str, ...] = ()
    exceeding: tuple[str, ...] = ()
    #: pollutant -> (measure, concentration, IAQI)
    iaqi: dict = field(default_factory=dict)
    stations: int = 0

    @property
    def category(self):
        return None if self.aqi is None else t.category_for(self.aqi)


def covered_minutes(n: int, interval_s: int) -> float:
    return min(60.0, n * max(interval_s, SLOT_S) / 60)


def valid_means(streams: Iterable[network.Stream], start_ms: int, end_ms: int) -> dict[int, dict[int, float]]:
    """{datastream id: {hour start ms: mean}} of the valid hourly means in [start, end) (one query)."""
    streams = list(streams)
    interval = {s.id: s.interval_s for s in streams}
    out: dict[int, dict[int, float]] = {}
    for ds, hours in sensing.hourly_stats(interval, start_ms, end_ms).items():
        out[ds] = {h: mean for h, (n, mean) in hours.items()
                   if covered_minutes(n, interval[ds]) >= MIN_MINUTES_PER_HOUR}
    return out


def _area_hourly(streams: list[network.Stream], means: dict, hour: int) -> dict[str, float]:
    """Pollutant -> mean over the streams' valid means of that hour."""
    sums: dict[str, list[float]] = defaultdict(list)
    for s in streams:
        v = means.get(s.id, {}).get(hour)
        if v is not None:
            sums[AIR[s.property]].append(v)
    return {p: sum(v) / len(v) for p, v in sums.items()}


def _reading(scope, key, name, report, start_ms, result, stations=0, aqi=None) -> Reading:
    subs = {p: (s.measure, s.concentration, int(s.iaqi)) for p, s in result.sub_indices.items()}
    value = aqi if aqi is not None else (None if result.aqi is None else int(result.aqi))
    return Reading(scope, str(key), name, report, sensing.from_ms(start_ms), value, result.version, result.primary,
                   result.exceeding, subs, stations)


def _hourly_result(conc: dict[str, float], hour_ms: int):
    return compute_aqi({HOURLY_MEASURE[p]: v for p, v in conc.items()}, report=HOURLY,
                       when=datetime.fromtimestamp(hour_ms / 1000, UTC))


def town_names() -> dict[str, str]:
    from smartcounty.foundation.places import services as places

    return {t.code: t.name for t in places.towns()}


def groups(scope: str, streams: list[network.Stream]) -> dict[str, list[network.Stream]]:
    out: dict[str, list[network.Stream]] = defaultdict(list)
    for s in streams:
        key = str(s.thing_id) if scope == STATION else (s.town if scope == TOWN else COUNTY)
        if key:
            out[key].append(s)
    return dict(out)


def hourly(scope: str, key: str | None, start_ms: int, end_ms: int, *, town: str | None = None) -> list[Reading]:
    """Hourly readings of one station (``key`` = thing id), one town (code) or the county, hours in [start, end)."""
    start_ms, end_ms = start_ms // HOUR_MS * HOUR_MS, end_ms // HOUR_MS * HOUR_MS
    if end_ms - start_ms > MAX_HOURS * HOUR_MS:
        start_ms = end_ms - MAX_HOURS * HOUR_MS
    selected = _select(scope, key, town)
    if not selected:
        return []
    means = valid_means(selected, start_ms, end_ms)
    name = _name(scope, key, selected)
    stored = _stored_aqi(selected, start_ms, end_ms) if scope == STATION else {}
    out = []
    for hour in range(start_ms, end_ms, HOUR_MS):
        conc = _area_hourly(selected, means, hour)
        if not conc and hour not in stored:
            continue
        result = _hourly_result(conc, hour)
        n = len({s.thing_id for s in selected if hour in means.get(s.id, {})})
        out.append(_reading(scope, key or COUNTY, name, HOURLY, hour, result, n, stored.get(hour)))
    return out


def daily(scope: str, key: str | None, days: int, *, end_ms: int | None = None) -> list[Reading]:
    """Daily (日报) readings of the last ``days`` complete Beijing days before ``end_ms`` (default now)."""
    days = max(1, min(MAX_DAYS, days))
    end = sensing.bucket_start(end_ms if end_ms is not None else sensing.to_ms(datetime.now(UTC)), "1day")
    start = end - days * DAY_MS
    selected = _select(scope, key, None)
    if not selected:
        return []
    means = valid_means(selected, start, end)
    name = _name(scope, key, selected)
    out = []
    for d in range(start, end, DAY_MS):
        per: dict[str, list[float | None]] = {p: [] for p in {AIR[s.property] for s in selected}}
        for h in range(d, d + DAY_MS, HOUR_MS):
            conc = _area_hourly(selected, means, h)
            for p in per:
                per[p].append(conc.get(p))
        if not any(v is not None for vals in per.values() for v in vals):
            continue
        result = compute_aqi(daily_concentrations(per), report=DAILY,
                             when=datetime.fromtimestamp((d + 12 * HOUR_MS) / 1000, UTC))
        n = len({s.thing_id for s in selected if any(h in means.get(s.id, {}) for h in range(d, d + DAY_MS, HOUR_MS))})
        out.append(_reading(scope, key or COUNTY, name, DAILY, d, result, n))
    return out


def current(scope: str, *, town: str | None = None, thing_ids=None) -> list[Reading]:
    """The latest hourly reading of every station (of ``thing_ids`` when given), of every town, or of the
    county: each station at its last stored AQI hour; towns and the county at the newest such hour."""
    aqi = network.streams(["aqi"], town=town, thing_ids=thing_ids)
    last = [s.last_ms // HOUR_MS * HOUR_MS for s in aqi if s.last_ms is not None]
    if not last:
        return []
    pollutants = network.streams(AIR, town=town, thing_ids=[s.thing_id for s in aqi] if scope == STATION else None)
    lo, hi = (min(last), max(last) + HOUR_MS) if scope == STATION else (max(last), max(last) + HOUR_MS)
    means = valid_means(pollutants, lo, hi)
    out = []
    if scope == STATION:
        by_thing = groups(STATION, pollutants)
        for s in aqi:
            if s.last_ms is None:
                continue
            hour = s.last_ms // HOUR_MS * HOUR_MS
            mine = by_thing.get(str(s.thing_id), [])
            result = _hourly_result(_area_hourly(mine, means, hour), hour)
            out.append(_reading(STATION, s.thing_id, s.station, HOURLY, hour, result, 1,
                                None if s.last_value is None else int(s.last_value)))
        return out
    names = town_names() if scope == TOWN else {COUNTY: _county_name()}
    for key, members in sorted(groups(scope, pollutants).items()):
        conc = _area_hourly(members, means, lo)
        if not conc:
            continue
        n = len({s.thing_id for s in members if lo in means.get(s.id, {})})
        out.append(_reading(scope, key, names.get(key, key), HOURLY, lo, _hourly_result(conc, lo), n))
    return out


def _county_name() -> str:
    from smartcounty.foundation.places import services as places

    county = places.county()
    return county.name if county else "冠县"


def _select(scope: str, key: str | None, town: str | None) -> list[network.Stream]:
    if scope == STATION:
        return network.streams(AIR, thing_ids=[int(key)]) if key and str(key).isdigit() else []
    if scope == TOWN:
        return network.streams(AIR, town=key) if key else []
    return network.streams(AIR, town=town)


def _name(scope, key, selected) -> str:
    if scope == STATION:
        return selected[0].station
    if scope == TOWN:
        return town_names().get(key, key)
    return _county_name()


def _stored_aqi(selected: list[network.Stream], start_ms: int, end_ms: int) -> dict[int, int]:
    ids = network.streams(["aqi"], thing_ids=[selected[0].thing_id])
    if not ids:
        return {}
    rows = sensing.observations(ids[0].id, start_ms, end_ms, limit=MAX_HOURS)
    return {ms // HOUR_MS * HOUR_MS: int(r) for ms, _rt, r, _j, _q in rows if r is not None}


def pollutant_label(p: str) -> str:
    return t.POLLUTANT_LABELS.get(p, p)
