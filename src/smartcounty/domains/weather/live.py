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

Which datastreams count: rain totals come from every ``rainfall`` datastream (gauges and stations). Temperature,
wind, visibility and humidity come from the county's weather station(s), the things of kind ``weather`` (the
demo's 冠县气象观测站, the public page's readings); a bench, traffic or air thing that also measures temperature
does not count. Only while no weather station carries a property do that property's other datastreams count.

Each judge reads database aggregates, never observation rows: ``sensing.window_stats`` gives the count, sum,
minimum and maximum of all the chosen datastreams over a window in one query (the hourly rollup for the whole
hours, raw rows for the partial hours at the edges). ``on_observations`` judges each new data minute, at most once a
second per process while a burst of history streams in; the minute held back is judged by a timer (``Pacer``).

Each type is one alert (source ``weather``, key ``signal:<type>:371525``, level 1 blue … 4 red) that
is issued, upgraded, downgraded and cancelled (resolved) as the signal changes.
"""

import atexit
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connections

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
from smartcounty.foundation.sensing.schemas import ObservationBatch
from smartcounty.kernel import events

log = logging.getLogger("smartcounty.weather")

COUNTY = "371525"
SOURCE = "weather"
WATCHED = {"rainfall", "wind_speed", "wind_gust", "visibility", "humidity", "temperature"}
LIVE_TYPES = (RAINSTORM, GALE, FOG, HAZE, HEAT, COLD_WAVE)
FOG_MIN_RH = 80.0
HOUR = timedelta(hours=1)
#: the thing kind of the county's weather stations, and what they measure that the judges read
STATION_KIND = "weather"
STATION_PROPERTIES = ("temperature", "wind_speed", "wind_gust", "visibility", "humidity")
#: at most this many datastreams of one property are judged (one query over their ids)
MAX_STREAMS = 1000
#: at most one judging per this many seconds of wall clock per process while the data minute keeps moving
PACE_S = 1.0


def signal_key(kind: str) -> str:
    return f"signal:{kind}:{COUNTY}"


def _latest(code: str, limit: int) -> list[tuple[int, int | None, float]]:
    return [(ds.id, ds.last_ms, ds.last_value) for ds in sensing.latest_values(property_code=code, has_value=True)[:limit]]


class Network:
    """The datastreams that count, read once per judging (one query for the weather stations' datastreams; the
    rain gauges, the PM2.5 stations and any property no station carries only when a judge asks)."""

    def __init__(self):
        self._station: dict[str, list[tuple[int, int | None, float]]] | None = None
        self._other: dict[str, list] = {}

    def streams(self, code: str) -> list[tuple[int, int | None, float]]:
        """(id, last_ms, last_value) of the datastreams of ``code`` that count, by id."""
        if self._station is None:
            self._station = {}
            rows = sensing.latest_values(property_codes=STATION_PROPERTIES, thing_kind=STATION_KIND,
                                         has_value=True)[:MAX_STREAMS]
            for ds in rows:
                self._station.setdefault(ds.property_code, []).append((ds.id, ds.last_ms, ds.last_value))
        if code in self._station:
            return self._station[code]
        if code not in self._other:
            limit = 200 if code == "pm25" else MAX_STREAMS
            self._other[code] = _latest(code, limit)
        return self._other[code]

    def ids(self, code: str) -> list[int]:
        return [row[0] for row in self.streams(code)]

    def latest_value(self, code: str) -> float | None:
        """The newest of the latest values."""
        rows = self.streams(code)
        return max(rows, key=lambda r: (r[1] is not None, r[1] or 0, -r[0]))[2] if rows else None

    def extremes(self, code: str, start: datetime, end: datetime) -> tuple[float | None, float | None]:
        """(min, max) of the counted datastreams of ``code`` with start <= phenomenon time <= end."""
        stats = sensing.window_stats(self.ids(code), sensing.to_ms(start), sensing.to_ms(end) + 1)
        if not stats:
            return None, None
        return min(s[2] for s in stats.values()), max(s[3] for s in stats.values())


def rain_totals_by_gauge(at: datetime, net: Network | None = None) -> dict[int, dict[int, float]]:
    """{rainfall datastream: {1, 3, 6, 12: total}} of the gauges that rained in the last hour, summed by the
    database over the windows of ``water.services.rain_totals``: (at - w h, at], start excluded, ``at`` included,
    missing results ignored, a negative amount in the last 12 h a ValueError."""
    ids = (net or Network()).ids("rainfall")

    def totals(w, among):
        return sensing.trailing_stats(among, at, w)

    longest = totals(12, ids)
    if any(s[2] < 0 for s in longest.values()):
        raise ValueError("rain amounts cannot be negative")
    last_hour = totals(1, ids)
    out = {ds: {1: s[1], 3: 0.0, 6: 0.0, 12: longest[ds][1]} for ds, s in last_hour.items() if s[1] > 0}
    for w in (3, 6):
        for ds, s in (totals(w, list(out)) if out else {}).items():
            out[ds][w] = s[1]
    return out


def rainstorm(at: datetime, net: Network | None = None) -> Signal | None:
    return highest(judge_rainstorm(totals) for totals in rain_totals_by_gauge(at, net).values())


def gale(at: datetime, net: Network | None = None) -> Signal | None:
    net = net or Network()
    mean, gust = net.extremes("wind_speed", at - HOUR, at)[1], net.extremes("wind_gust", at - HOUR, at)[1]
    grades = (None if mean is None else beaufort(mean), None if gust is None else beaufort(gust))
    return judge_gale({6: grades, 12: grades, 24: grades})


def fog(at: datetime, net: Network | None = None) -> Signal | None:
    net = net or Network()
    vis, rh = net.latest_value("visibility"), net.latest_value("humidity")
    if vis is None or rh is None or rh < FOG_MIN_RH:
        return None
    return judge_fog(None, vis)


def haze(at: datetime, net: Network | None = None) -> Signal | None:
    net = net or Network()
    pm = [row[2] for row in net.streams("pm25")]
    pm25 = sum(pm) / len(pm) if pm else None
    return judge_haze(net.latest_value("visibility"), net.latest_value("humidity"), pm25)


def heat(at: datetime, net: Network | None = None) -> Signal | None:
    net = net or Network()
    ids = net.ids("temperature")
    tmax_24h = net.extremes("temperature", at - timedelta(hours=24), at)[1]
    daily = []
    if ids:
        start = at - timedelta(days=3)
        rows = sensing.aggregate(ids[0], sensing.bucket_start(sensing.to_ms(start), "1day"), sensing.to_ms(at) + 1,
                                 "1day")
        daily = [r["max"] for r in rows][-3:]
    return judge_heat(tmax_24h, daily)


def cold_wave(at: datetime, net: Network | None = None) -> Signal | None:
    net = net or Network()
    day = timedelta(hours=24)
    m0 = net.extremes("temperature", at - day, at)[0]
    if m0 is None:
        return None
    wind = net.extremes("wind_speed", at - day, at)[1]
    if wind is None:
        return None
    m1 = net.extremes("temperature", at - 2 * day, at - day)[0]
    m2 = net.extremes("temperature", at - 3 * day, at - 2 * day)[0]
    earlier = [v for v in (m1, m2) if v is not None]
    drops = {24: None if m1 is None else m1 - m0, 48: max(earlier) - m0 if earlier else None}
    return judge_cold_wave(drops, m0, beaufort(wind))


JUDGES = {RAINSTORM: rainstorm, GALE: gale, FOG: fog, HAZE: haze, HEAT: heat, COLD_WAVE: cold_wave}


def apply(kind: str, signal: Signal | None, at: datetime) -> None:
    """Issue, change or cancel the county's signal of one type as an alert (an open alert of the same level is left
    as it is: raising it again would change nothing but lock and rewrite its row)."""
    key = signal_key(kind)
    current = alerts.find_open_alert(SOURCE, key)
    if signal is not None:
        if current is None or current.level != signal.rank:
            alerts.raise_alert(source=SOURCE, key=key, title=str(signal.name), level=signal.rank, at=at, public=True,
                               detail={"code": signal.code, "type": signal.type, "level": signal.level,
                                       "reason": signal.reason})
    elif current is not None:
        alerts.resolve_alert(current.id, note="signal cancelled: criteria no longer met", at=at)


def judge_all(at: datetime, kinds=LIVE_TYPES) -> dict[str, Signal | None]:
    out = {}
    net = Network()
    for kind in kinds:
        signal = JUDGES[kind](at, net)
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


class Pacer:
    """Judges the newest data minute (``judge(at)``) at most once per ``every`` seconds of wall clock.

    A batch whose newest minute is the minute last offered is left alone (the simulator sends many small batches
    a minute). A new minute is judged at once when the last judging is at least ``every`` seconds old; otherwise
    it is held, and one timer (``later(delay, flush)``) judges the newest held minute when the pace allows. So a
    burst of history (each batch many minutes further) costs one judging a second, not one a batch, and the last
    batch of a burst is always judged. A lock keeps one judging at a time.
    """

    def __init__(self, judge, *, clock=time.monotonic, later=None):
        self.judge, self.clock, self.later = judge, clock, later or _later
        self.lock = threading.Lock()
        self.minute: int | None = None  # the newest minute offered
        self.judged_at: float | None = None  # clock() of the last judging
        self.held: datetime | None = None  # offered but not judged yet
        self.armed = False

    def offer(self, newest: datetime, every: float = PACE_S) -> bool:
        """A batch whose newest phenomenon time is ``newest``: True when it was judged now."""
        minute = sensing.to_ms(newest) // 60_000
        with self.lock:
            if minute == self.minute:
                return False
            self.minute = minute
            now = self.clock()
            if self.judged_at is None or now - self.judged_at >= every:
                self.held = None
                self.judged_at = now
                self.judge(newest)
                return True
            self.held = newest
            if not self.armed:
                self.armed = True
                self.later(self.judged_at + every - now, self.flush)
            return False

    def flush(self) -> bool:
        """Judge the held minute now, if any (the timer's work; also run at exit)."""
        with self.lock:
            self.armed = False
            held, self.held = self.held, None
            if held is None:
                return False
            self.judged_at = self.clock()
            self.judge(held)
            return True


def _in_thread(fn):
    def run():
        try:
            fn()
        except Exception:
            log.exception("judging the weather signals failed")
        finally:
            connections.close_all()  # this thread's own connections
    return run


_exit_hook = []


def _later(delay: float, fn) -> None:
    if not _exit_hook:  # a minute still held when the process ends is judged then (after the event queues drain)
        _exit_hook.append(atexit.register(_flush_at_exit))
    timer = threading.Timer(max(0.0, delay), _in_thread(fn))
    timer.daemon = True
    timer.start()


def _judge_newest(at: datetime) -> None:
    judge_all(at.astimezone(UTC))


pacer = Pacer(_judge_newest)


def _flush_at_exit() -> None:
    events.wait_idle()
    _in_thread(pacer.flush)()


def on_observations(event: str, payload) -> None:
    """``sensing.observations`` handler: re-judge the county's signals for the newest data minute of the batch.

    Once per newest data minute, and at most once per ``PACE_S`` second of wall clock per process while that
    minute keeps moving (see ``Pacer``): a minute held back is judged by a timer a moment later, so the final
    state is never missed. Where handlers run inline (tests: they see the caller's transaction, which a timer's
    thread could not), every new minute is judged at once."""
    batch = ObservationBatch.of(payload)
    newest = max((ms for code in batch.properties & WATCHED for _ds, ms, _rt, value, _text, _q in batch.select(code)
                  if value is not None), default=None)
    if newest is None:
        return
    newest = sensing.from_ms(newest)
    pacer.offer(newest, every=0.0 if getattr(settings, "SMARTCOUNTY_EVENTS_INLINE", False) else PACE_S)
