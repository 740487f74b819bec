"""Live CMA warning signals for the county from station observations, kept as alerts.

Observed data only (no forecast feed yet), read the Annex's "已经出现…并可能持续" way: a signal applies
while the observed values meet its level and the phenomenon is still going on.

* 暴雨: each rain gauge's totals over the last 3, 6 and 12 hours, while it rained in the last hour;
  the county signal is the highest of the gauges.
* 大风: the largest mean wind and gust of the last hour (Beaufort grades) at the weather station.
* 大雾: the latest visibility when the relative humidity is ≥ 80 % (fog; drier low visibility is haze).
* 霾 (2013): the latest visibility and humidity with the county's mean PM2.5.
* 高温: the highest temperature of the last 24 h (orange/red) and the daily maxima of the last 3
  Shanghai days (yellow).
* 寒潮: the lowest temperature of the last 24 h against those of the 24 h and 48 h before it (the
  24 h and 48 h drops), with the largest mean wind of the last 24 h.

Each type is one alert (source ``weather``, key ``signal:<type>:371525``, level 1 blue … 4 red) that
is issued, upgraded, downgraded and cancelled (resolved) as the signal changes.
"""

import logging
from datetime import UTC, datetime, timedelta

from smartcounty.domains.water.services import rain_totals
from smartcounty.domains.weather.signals import (
    COLD_WAVE,
    FOG,
    GALE,
    HAZE,
    HEAT,
    RAINSTORM,
    Signal,
    beaufort,
    highest,
    judge_cold_wave,
    judge_fog,
    judge_gale,
    judge_haze,
    judge_heat,
    judge_rainstorm,
)
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing

log = logging.getLogger("smartcounty.weather")

COUNTY = "371525"
SOURCE = "weather"
WATCHED = {"rainfall", "wind_speed", "wind_gust", "visibility", "humidity", "temperature"}
LIVE_TYPES = (RAINSTORM, GALE, FOG, HAZE, HEAT, COLD_WAVE)
FOG_MIN_RH = 80.0
HOUR = timedelta(hours=1)

_last_judged: dict[str, int] = {}


def signal_key(kind: str) -> str:
    return f"signal:{kind}:{COUNTY}"


def _values(ds, start: datetime, end: datetime) -> list[tuple[datetime, float]]:
    rows = sensing.observations(ds.id, sensing.to_ms(start), sensing.to_ms(end) + 1, limit=10_000)
    return [(sensing.from_ms(r[0]), r[2]) for r in rows if r[2] is not None]


def _latest(code: str):
    return sensing.latest(property_code=code).exclude(last_value__isnull=True)


def rainstorm(at: datetime) -> Signal | None:
    found = []
    for ds in _latest("rainfall")[:200]:
        series = _values(ds, at - timedelta(hours=12), at)
        totals = rain_totals(series, at, windows=(1, 3, 6, 12))
        if totals[1] > 0:  # still raining
            found.append(judge_rainstorm(totals))
    return highest(found)


def _station_max(code: str, start: datetime, end: datetime) -> float | None:
    best = None
    for ds in _latest(code)[:50]:
        for _t, v in _values(ds, start, end):
            best = v if best is None else max(best, v)
    return best


def _latest_value(code: str) -> float | None:
    ds = _latest(code).order_by("-last_ms").first()
    return None if ds is None else ds.last_value


def gale(at: datetime) -> Signal | None:
    mean, gust = _station_max("wind_speed", at - HOUR, at), _station_max("wind_gust", at - HOUR, at)
    grades = (None if mean is None else beaufort(mean), None if gust is None else beaufort(gust))
    return judge_gale({6: grades, 12: grades, 24: grades})


def fog(at: datetime) -> Signal | None:
    vis, rh = _latest_value("visibility"), _latest_value("humidity")
    if vis is None or rh is None or rh < FOG_MIN_RH:
        return None
    return judge_fog(None, vis)


def haze(at: datetime) -> Signal | None:
    pm = [ds.last_value for ds in _latest("pm25")[:200]]
    pm25 = sum(pm) / len(pm) if pm else None
    return judge_haze(_latest_value("visibility"), _latest_value("humidity"), pm25)


def heat(at: datetime) -> Signal | None:
    tmax_24h = _station_max("temperature", at - timedelta(hours=24), at)
    daily = []
    ds = _latest("temperature").first()
    if ds is not None:
        start = at - timedelta(days=3)
        rows = sensing.aggregate(ds.id, sensing.bucket_start(sensing.to_ms(start), "1day"), sensing.to_ms(at) + 1,
                                 "1day")
        daily = [r["max"] for r in rows][-3:]
    return judge_heat(tmax_24h, daily)


def _station_min(code: str, start: datetime, end: datetime) -> float | None:
    best = None
    for ds in _latest(code)[:50]:
        for _t, v in _values(ds, start, end):
            best = v if best is None else min(best, v)
    return best


def cold_wave(at: datetime) -> Signal | None:
    day = timedelta(hours=24)
    m0 = _station_min("temperature", at - day, at)
    m1 = _station_min("temperature", at - 2 * day, at - day)
    m2 = _station_min("temperature", at - 3 * day, at - 2 * day)
    wind = _station_max("wind_speed", at - day, at)
    if m0 is None or wind is None:
        return None
    earlier = [v for v in (m1, m2) if v is not None]
    drops = {24: None if m1 is None else m1 - m0, 48: max(earlier) - m0 if earlier else None}
    return judge_cold_wave(drops, m0, beaufort(wind))


JUDGES = {RAINSTORM: rainstorm, GALE: gale, FOG: fog, HAZE: haze, HEAT: heat, COLD_WAVE: cold_wave}


def apply(kind: str, signal: Signal | None, at: datetime) -> None:
    """Issue, change or cancel the county's signal of one type as an alert."""
    key = signal_key(kind)
    if signal is not None:
        alerts.raise_alert(source=SOURCE, key=key, title=str(signal.name), level=signal.rank, at=at,
                           detail={"code": signal.code, "type": signal.type, "level": signal.level,
                                   "reason": signal.reason})
    else:
        current = alerts.find_open_alert(SOURCE, key)
        if current is not None:
            alerts.resolve_alert(current.id, note="signal cancelled: criteria no longer met", at=at)


def judge_all(at: datetime, kinds=LIVE_TYPES) -> dict[str, Signal | None]:
    out = {}
    for kind in kinds:
        signal = JUDGES[kind](at)
        apply(kind, signal, at)
        out[kind] = signal
    return out


#: the types whose judges read windows ending at ``at`` (the others read the latest values): replayable
REPLAYABLE = (RAINSTORM, GALE)


def catch_up(hours: int, now: datetime | None = None) -> dict[str, Signal | None]:
    """Replay the county's signals hour by hour over the last ``hours`` of stored history (data that arrived
    without events, e.g. a simulator backfill): the replayable types are judged at each hour's end, so the
    alerts keep the history of issue, change and cancellation; then every type is judged now."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    last = now.replace(minute=0, second=0, microsecond=0)
    for k in range(hours, 0, -1):
        judge_all(last - timedelta(hours=k), kinds=REPLAYABLE)
    return judge_all(now)


def on_observations(event: str, facts) -> None:
    """``sensing.observations`` handler: re-judge the county's signals (once per newest data minute)."""
    newest = None
    for f in facts:
        if f.property in WATCHED and f.value is not None:
            newest = f.time if newest is None else max(newest, f.time)
    if newest is None:
        return
    minute = sensing.to_ms(newest) // 60_000
    if _last_judged.get(COUNTY) == minute:  # the simulator sends many small batches a minute
        return
    _last_judged[COUNTY] = minute
    judge_all(newest.astimezone(UTC))
