"""The live simulator for the demo network: plausible values through the same ingest path a device uses.

Everything is a deterministic function of time (and the station), so a restart continues the same
story: daily cycles (temperature, ozone, traffic peaks), a slow weather driver whose stagnant spells
(low wind, high humidity) build pollution episodes and rain spells that raise the rivers, and a few
incidents and faults: a smoke alarm shortly after start and then every few hours in a rotating
building, a river level over its warning mark twice a day for half an hour, a device that goes
silent for twenty minutes every few hours (so health checks see it offline), and rare spikes
flagged as suspect.
"""

import logging
import math
import random
import time
import zlib
from dataclasses import dataclass

from django.db import close_old_connections

from smartcounty.foundation.sensing import services
from smartcounty.foundation.sensing.models import Datastream

log = logging.getLogger("smartcounty.sensing.simulator")

HOUR = 3_600_000
DAY = 24 * HOUR


def _rand(*key) -> float:
    """A uniform number fixed by ``key`` (stable across processes, unlike ``hash`` of a string)."""
    return random.Random(zlib.crc32(repr(key).encode())).random()


def smooth(seed: str, ms: int, period: int) -> float:
    """Smooth noise in [0, 1]: random knots every ``period`` ms, cosine-interpolated."""
    k, frac = divmod(ms, period)
    a, b = _rand(seed, k), _rand(seed, k + 1)
    w = (1 - math.cos(math.pi * frac / period)) / 2
    return a * (1 - w) + b * w


def local_hour(ms: int) -> float:
    return ((ms + services.SHANGHAI_OFFSET_MS) % DAY) / HOUR


def day_of_year(ms: int) -> float:
    return ((ms + services.SHANGHAI_OFFSET_MS) % (365.25 * DAY)) / DAY


def stagnation(ms: int) -> float:
    """0 = windy and clean, 1 = stagnant (pollution episode). Mostly mid, sometimes near 1."""
    return smooth("stagnation", ms, 9 * HOUR) ** 1.5


def raining(ms: int) -> float:
    """Rain intensity in mm/h (0 most of the time)."""
    r = smooth("rain", ms, 4 * HOUR)
    return max(0.0, (r - 0.72) * 40)


@dataclass
class Stream:
    id: int
    prop: str
    kind: str
    station: int
    interval_ms: int
    props: dict


def value(s: Stream, ms: int):
    """(result, quality) of a stream at time ``ms``, or None when the device is (simulated) silent."""
    h = local_hour(ms)
    noise = _rand(s.id, ms) - 0.5
    st = stagnation(ms)
    if s.id % 23 == 7 and (ms // HOUR) % 6 == 3 and (ms % HOUR) < 20 * 60_000:
        return None  # a flaky device: silent for 20 minutes every 6 hours
    if s.prop not in SIMULATED.get(s.kind, ()):
        return None
    if s.kind == "air":
        local = 0.85 + 0.3 * _rand("air-site", s.station)
        traffic = math.exp(-((h - 8) ** 2) / 4) + math.exp(-((h - 18.5) ** 2) / 5)
        night = 0.5 + 0.5 * math.cos(2 * math.pi * (h - 2) / 24)
        pm25 = local * (22 + 180 * st ** 2 * (0.8 + 0.4 * night) + 10 * traffic) * (1 + 0.15 * noise)
        sun = max(0.0, math.sin(math.pi * (h - 6) / 13)) if 6 <= h <= 19 else 0.0
        v = {"pm25": pm25, "pm10": pm25 * (1.55 + 0.2 * noise), "so2": local * (7 + 12 * st) * (1 + 0.2 * noise),
             "no2": local * (18 + 30 * traffic + 25 * st) * (1 + 0.2 * noise),
             "co": local * (0.45 + 1.3 * st) * (1 + 0.1 * noise),
             "o3": (25 + 120 * sun * (1 - 0.5 * st)) * (1 + 0.15 * noise)}[s.prop]
        if _rand("spike", s.id, ms // (15 * 60_000)) < 0.002:
            return v * 6, 1  # a rare implausible spike, flagged suspect by the station
        return round(v, 2 if s.prop == "co" else 1), 0
    if s.kind == "weather":
        doy = day_of_year(ms)
        season = -math.cos(2 * math.pi * (doy - 15) / 365.25)  # -1 mid-January, +1 mid-July
        temp = 13 + 14 * season + 5.5 * math.sin(2 * math.pi * (h - 9) / 24) - 2 * st + 0.6 * noise
        humidity = min(100.0, max(15.0, 58 + 18 * st - 15 * math.sin(2 * math.pi * (h - 9) / 24)
                                  + 30 * min(1.0, raining(ms) / 5) + 4 * noise))
        wind = max(0.0, 0.6 + 5.5 * (1 - st) * smooth("gusty", ms, 2 * HOUR) + 0.8 * noise)
        v = {"temperature": temp, "humidity": humidity, "wind_speed": wind,
             "wind_gust": wind * (1.5 + 0.3 * _rand("g", ms)), "visibility": max(300.0, 25000 * (1 - 0.85 * st)
                                                                                   - 80 * humidity + 500 * noise),
             "pressure": 1016 - 9 * season + 4 * (smooth("pressure", ms, 30 * HOUR) - 0.5),
             "rainfall": raining(ms) * s.interval_ms / HOUR}[s.prop]
        return round(v, 1), 0
    if s.kind == "rain":
        here = 0.6 + 0.8 * _rand("rain-site", s.station)
        return round(raining(ms + s.station * 600_000) * here * s.interval_ms / HOUR, 1), 0
    if s.kind == "water":
        base = float(s.props.get("base_level", 37.0))
        warn = float(s.props.get("warning_level", base + 3))
        wet = sum(raining(ms - k * 3 * HOUR) for k in range(8)) / 8
        level = base + 0.35 * smooth(f"river-{s.station}", ms, 36 * HOUR) + 0.06 * wet + 0.01 * noise
        # an incident: twice a day one station (in turn) rises over its warning mark for half an hour
        half_day = ms // (12 * HOUR)
        if half_day % len_stations(s) == s.station and (ms % (12 * HOUR)) < 30 * 60_000 + 2 * HOUR \
                and (ms % (12 * HOUR)) >= 2 * HOUR:
            level = warn + 0.15 + 0.05 * noise
        return round(level, 2), 0
    if s.kind == "traffic":
        lanes = int(s.props.get("lanes", 2))
        peaks = math.exp(-((h - 7.8) ** 2) / 1.5) + 0.9 * math.exp(-((h - 17.8) ** 2) / 2)
        base = 0.15 + 0.6 * math.sin(math.pi * min(max(h - 5, 0), 17) / 17)
        flow = lanes * 180 * (base + peaks) * (1 + 0.12 * noise)
        incident = _rand("jam", s.station, ms // (3 * HOUR)) < 0.08 and (ms % (3 * HOUR)) < 40 * 60_000
        speed = max(5.0, 62 - 35 * flow / (lanes * 330) + 4 * noise) * (0.3 if incident else 1)
        return round(flow if s.prop == "traffic_flow" else speed, 0), 0
    if s.kind == "smoke":
        if s.prop == "battery":
            return round(100 - (ms / DAY + 13 * s.station) % 100 * 0.7, 0), 0
        return (1.0 if smoke_alarm(s.station, ms) else 0.0), 0
    return None


def len_stations(s: Stream) -> int:
    return int(s.props.get("_count", 4))


_START_MS = int(time.time() * 1000)


def smoke_alarm(station: int, ms: int) -> bool:
    # a first alarm two minutes after the simulator starts (for the demo), in building 0, for ten minutes
    if station == 0 and _START_MS + 2 * 60_000 <= ms < _START_MS + 12 * 60_000:
        return True
    block = ms // (5 * HOUR)
    return int(_rand("smoke", block) * 5) == station and (ms % (5 * HOUR)) < 10 * 60_000


#: What the simulator feeds, per kind of demo thing. Other datastreams of those things (e.g. an AQI
#: another module derives and stores) are left alone.
SIMULATED = {
    "air": {"pm25", "pm10", "so2", "no2", "co", "o3"},
    "weather": {"temperature", "humidity", "wind_speed", "wind_gust", "visibility", "pressure", "rainfall"},
    "rain": {"rainfall"}, "water": {"water_level"}, "traffic": {"traffic_flow", "traffic_speed"},
    "smoke": {"smoke", "battery"},
}


def load_streams() -> list[Stream]:
    rows = (Datastream.objects.filter(thing__is_demo=True)
            .values_list("id", "property_code", "thing__kind", "thing__properties", "expected_interval_s"))
    streams = [Stream(i, p, k, int((pr or {}).get("station", 0)), iv * 1000, pr or {}) for i, p, k, pr, iv in rows
               if p in SIMULATED.get(k, ())]
    water = sum(1 for s in streams if s.kind == "water")
    for s in streams:
        if s.kind == "water":
            s.props = dict(s.props, _count=max(water, 1))
    return streams


class Simulator:
    def __init__(self, *, backfill_hours: float = 24, tick: float = 5.0, step_ms: int = 5 * 60_000):
        self.backfill_hours, self.tick, self.step_ms = backfill_hours, tick, step_ms
        self.sent: dict[int, int] = {}
        self.streams: list[Stream] = []

    def _items(self, s: Stream, times) -> list:
        out = []
        for ms in times:
            got = value(s, ms)
            if got is not None:
                item = {"datastream": s.id, "phenomenonTime": ms, "result": got[0]}
                if got[1]:
                    item["resultQuality"] = got[1]
                out.append(item)
        return out

    def backfill(self, now_ms: int) -> int:
        """History for streams that have none, so charts are not empty on the first visit (no events)."""
        have = set(Datastream.objects.filter(id__in=[s.id for s in self.streams], last_ms__isnull=False)
                   .values_list("id", flat=True))
        start = now_ms - int(self.backfill_hours * HOUR)
        items = []
        for s in self.streams:
            if s.id in have:
                continue
            step = max(self.step_ms, s.interval_ms)
            items += self._items(s, range(start - start % step, now_ms - s.interval_ms, step))
        for k in range(0, len(items), 20000):
            services.ingest(items[k:k + 20000], source="simulator", publish=False)
        return len(items)

    def step(self, now_ms: int) -> int:
        """Send every observation that is due (at most 10 missed ones per stream)."""
        items = []
        for s in self.streams:
            due = now_ms - now_ms % s.interval_ms
            last = self.sent.get(s.id, due - s.interval_ms)
            times = range(max(last + s.interval_ms, due - 9 * s.interval_ms), due + 1, s.interval_ms)
            try:
                items += self._items(s, times)
            except Exception:  # one stream's model failing must not silence the others
                log.exception("simulating datastream %s failed", s.id)
            self.sent[s.id] = due
        if items:
            services.ingest(items, source="simulator")
        return len(items)

    def run(self, stop) -> None:
        while not stop.is_set():
            close_old_connections()
            self.streams = load_streams()
            if self.streams:
                break
            log.info("no demo datastreams yet (run `smartcounty demo`); waiting")
            stop.wait(30)
        if stop.is_set():
            return
        n = self.backfill(int(time.time() * 1000))
        log.info("simulator: %d streams, %d backfilled observations", len(self.streams), n)
        while not stop.is_set():
            try:
                self.step(int(time.time() * 1000))
            except Exception:
                log.exception("simulator step failed")
                close_old_connections()
            stop.wait(self.tick)
