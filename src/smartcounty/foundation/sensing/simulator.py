"""The live simulator for the demo network: plausible values through the same ingest path a device uses.

Everything is a deterministic function of time (and the station, and an optional named scenario), so a
restart continues the same story: daily cycles (temperature, ozone, traffic peaks, a shallow night-time mixed
layer), a slow weather driver whose stagnant spells (low wind, high humidity) and rain spells drive the rest.
Particles, NO2, CO and SO2 follow a regional box model (``load``): emissions and humid secondary formation
accumulate while wind and mixing are weak and are ventilated by the weather station's wind and washed out by
rain, so the air-quality history depends on the weather inputs (ozone follows sun and temperature, dimmed by
haze). Rivers respond to rain that falls faster than the soil takes it up (``river_rise``). Incidents and
faults: a smoke alarm shortly after start and then every few hours in a rotating building, a river level
over its warning mark twice a day for half an hour (paused during a scenario), a device that goes silent for
twenty minutes every few hours (so health checks see it offline), and rare spikes flagged as suspect.
Named scenarios (``SCENARIOS``, ``smartcounty simulate --scenario``) lay a story over the weather.
"""

import functools
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


#: Named scenarios (``smartcounty simulate --scenario``): a story laid over the weather from a start time.
SCENARIOS = {
    "heavy-pollution": "12 h of weakening wind, then 4 days of stagnant, humid air (calm, night inversions) in "
                       "which particles, NO2 and CO build up to a heavy-pollution episode; then a cold front "
                       "(strong north wind, a shower, 6 degrees colder) clears it, and 5 ventilated days follow",
    "rainstorm": "a convective rainstorm: 2 h of showers, 4 h of 15-20 mm/h over every gauge (50-90 mm in "
                 "3-6 h), 2 h of showers, then a dry day; the rivers rise over their warning marks some hours later and recede",
    "clear": "5 days of fresh, ventilated weather without rain (clean air, rivers at their normal levels)",
}


#: hours after its start within which a scenario's story lies (the daily river incident pauses meanwhile)
SCENARIO_HOURS = 240


def _scenario_hours(scenario, ms: int) -> float | None:
    """Hours since the scenario's start (None: no scenario, or before its start)."""
    if not scenario:
        return None
    t = (ms - scenario[1]) / HOUR
    return t if t >= 0 else None


def stagnation(ms: int, scenario=None) -> float:
    """0 = windy and clean, 1 = stagnant (pollution episode). Mostly mid, sometimes near 1."""
    natural = smooth("stagnation", ms, 9 * HOUR) ** 1.5
    t = _scenario_hours(scenario, ms)
    if t is None:
        return natural
    name = scenario[0]
    if name == "heavy-pollution":
        if t < 12:
            return natural + (1 - natural) * t / 12
        if t < 108:
            return 1.0
        if t < 240:
            return 0.0 if t < 120 else 0.15
    elif name == "clear" and t < 120:
        return 0.1
    elif name == "rainstorm" and t < 8:
        return 0.3
    return natural


def raining(ms: int, scenario=None) -> float:
    """Rain intensity in mm/h (0 most of the time)."""
    t = _scenario_hours(scenario, ms)
    if t is not None:
        name = scenario[0]
        if name == "rainstorm" and t < 24:
            if t >= 8:
                return 0.0  # it clears up behind the storm
            return 17.0 + 3.0 * math.sin(math.pi * (t - 2) / 4) if 2 <= t < 6 else 3.0
        if name == "heavy-pollution" and 108 <= t < 111:
            return 1.5  # the front's shower
        if name == "heavy-pollution" and t < 108 or name == "clear" and t < 120:
            return 0.0
    r = smooth("rain", ms, 4 * HOUR)
    return max(0.0, (r - 0.72) * 40)


def front(ms: int, scenario=None) -> float:
    """1 while a scenario's cold front passes (wind, cold), fading over 12 h."""
    t = _scenario_hours(scenario, ms)
    if t is None or scenario[0] != "heavy-pollution" or not 108 <= t < 132:
        return 0.0
    return 1.0 if t < 120 else (132 - t) / 12


def wind_speed(ms: int, scenario=None) -> float:
    """The county's mean 10 m wind in m/s (the weather station reports it with noise)."""
    st = stagnation(ms, scenario)
    return 0.6 + 5.5 * (1 - st) * smooth("gusty", ms, 2 * HOUR) + 6.0 * front(ms, scenario)


def humidity(ms: int, scenario=None) -> float:
    h = local_hour(ms)
    st = stagnation(ms, scenario)
    t = _scenario_hours(scenario, ms)
    extra = 10.0 if (t is not None and scenario[0] == "heavy-pollution" and 12 <= t < 108) else 0.0
    extra -= 20.0 * front(ms, scenario)
    return min(100.0, max(15.0, 58 + 18 * st + extra - 15 * math.sin(2 * math.pi * (h - 9) / 24)
                          + 30 * min(1.0, raining(ms, scenario) / 5)))


def temperature(ms: int, scenario=None) -> float:
    h = local_hour(ms)
    doy = day_of_year(ms)
    season = -math.cos(2 * math.pi * (doy - 15) / 365.25)  # -1 mid-January, +1 mid-July
    return (13 + 14 * season + 5.5 * math.sin(2 * math.pi * (h - 9) / 24) - 2 * stagnation(ms, scenario)
            - 6 * front(ms, scenario))


def mixing(ms: int) -> float:
    """Relative depth of the mixed layer: shallow in the night-time inversion, deep in the afternoon."""
    h = local_hour(ms)
    return 0.35 + 0.65 * max(0.0, math.sin(math.pi * (h - 7) / 12)) if 7 <= h <= 19 else 0.35


LOAD_MEMORY_H = 120
INFILTRATION_MM_H = 8.0


@functools.lru_cache(maxsize=20_000)
def _hour_rates(hour: int, scenario) -> tuple[float, float]:
    """(source µg/m³ per h, removal rate per h) of the county's fine particles in hour ``hour``."""
    ms = hour * HOUR + HOUR // 2
    rh = humidity(ms, scenario)
    # humid air turns precursor gases into secondary aerosol (sulphate, nitrate) faster
    source = 4.0 * (1 + 1.2 * max(0.0, (rh - 60) / 40))
    removal = 0.02 + 0.04 * wind_speed(ms, scenario) * mixing(ms) + 0.12 * math.sqrt(raining(ms, scenario))
    return source, removal


@functools.lru_cache(maxsize=20_000)
def load(hour: int, scenario=None) -> float:
    """The county's accumulated fine-particle burden (µg/m³ of regional PM2.5) at the end of ``hour``
    (ms // HOUR): emissions and secondary formation accumulate while the air is calm and the mixed layer
    shallow, and are ventilated by wind and washed out by rain (a box model over the last 5 days)."""
    total, keep = 0.0, 1.0
    for j in range(LOAD_MEMORY_H):
        source, removal = _hour_rates(hour - j, scenario)
        total += source * keep
        keep *= math.exp(-removal)
        if keep < 1e-4:
            break
    return total


def burden(ms: int, scenario=None) -> float:
    """The regional burden at ``ms``, interpolated between hour ends."""
    k, frac = divmod(ms, HOUR)
    a, b = load(k - 1, scenario), load(k, scenario)
    return a + (b - a) * frac / HOUR


@functools.lru_cache(maxsize=20_000)
def river_rise(hour: int, scenario=None) -> float:
    """Metres a river stands above its base level from the catchment's rain (unit-hydrograph response:
    the crest some 6 h after the rain, receding over a day or two)."""
    rise = 0.0
    for j in range(48):
        r = raining((hour - j) * HOUR + HOUR // 2, scenario)
        if r:
            # soils take up to ~8 mm/h; what falls faster runs off into the rivers
            runoff = 0.1 * max(0.0, r - INFILTRATION_MM_H) + 0.005 * r
            rise += runoff * (j / 6) * math.exp(1 - j / 6)
    return rise


@dataclass
class Stream:
    id: int
    prop: str
    kind: str
    station: int
    interval_ms: int
    props: dict


def value(s: Stream, ms: int, scenario=None):
    """(result, quality) of a stream at time ``ms``, or None when the device is (simulated) silent.

    ``scenario``: None or (name in SCENARIOS, start ms).
    """
    h = local_hour(ms)
    noise = _rand(s.id, ms) - 0.5
    if s.id % 23 == 7 and (ms // HOUR) % 6 == 3 and (ms % HOUR) < 20 * 60_000:
        return None  # a flaky device: silent for 20 minutes every 6 hours
    if s.prop not in SIMULATED.get(s.kind, ()):
        return None
    if s.kind == "air":
        local = 0.85 + 0.3 * _rand("air-site", s.station)
        traffic = math.exp(-((h - 8) ** 2) / 4) + math.exp(-((h - 18.5) ** 2) / 5)
        regional = burden(ms, scenario)
        pm25 = local * (regional + 8 * traffic) * (1 + 0.15 * noise)
        sun = max(0.0, math.sin(math.pi * (h - 6) / 13)) if 6 <= h <= 19 else 0.0
        warm = min(1.3, max(0.2, (temperature(ms, scenario) + 5) / 30))
        haze = min(1.0, regional / 250)  # less sunlight through haze, and NO titrates ozone
        v = {"pm25": pm25, "pm10": pm25 * (1.55 + 0.2 * noise),
             "so2": local * (6 + 0.06 * regional) * (1 + 0.2 * noise),
             "no2": local * (14 + 28 * traffic + 0.22 * regional) * (1 + 0.2 * noise),
             "co": local * (0.35 + 0.011 * regional) * (1 + 0.1 * noise),
             "o3": (20 + 140 * sun * warm * (1 - 0.6 * haze)) * (1 + 0.15 * noise)}[s.prop]
        if _rand("spike", s.id, ms // (15 * 60_000)) < 0.002:
            return v * 6, 1  # a rare implausible spike, flagged suspect by the station
        return round(v, 2 if s.prop == "co" else 1), 0
    if s.kind == "weather":
        doy = day_of_year(ms)
        season = -math.cos(2 * math.pi * (doy - 15) / 365.25)
        rh = min(100.0, max(15.0, humidity(ms, scenario) + 4 * noise))
        wind = max(0.0, wind_speed(ms, scenario) + 0.8 * noise)
        v = {"temperature": temperature(ms, scenario) + 0.6 * noise, "humidity": rh, "wind_speed": wind,
             "wind_gust": wind * (1.5 + 0.3 * _rand("g", ms)),
             "visibility": max(300.0, 25000 - 90 * burden(ms, scenario) - 80 * rh + 500 * noise),
             "pressure": 1016 - 9 * season + 4 * (smooth("pressure", ms, 30 * HOUR) - 0.5) + 8 * front(ms, scenario),
             "rainfall": raining(ms, scenario) * s.interval_ms / HOUR}[s.prop]
        return round(v, 1), 0
    if s.kind == "rain":
        here = 0.6 + 0.8 * _rand("rain-site", s.station)
        if scenario and scenario[0] == "rainstorm":
            here = 0.85 + 0.3 * _rand("rain-site", s.station)  # the storm covers the county
        return round(raining(ms + s.station * 600_000, scenario) * here * s.interval_ms / HOUR, 1), 0
    if s.kind == "water":
        base = float(s.props.get("base_level", 37.0))
        warn = float(s.props.get("warning_level", base + 3))
        k, frac = divmod(ms, HOUR)
        a, b = river_rise(k - 1, scenario), river_rise(k, scenario)
        level = (base + 0.35 * smooth(f"river-{s.station}", ms, 36 * HOUR) + a + (b - a) * frac / HOUR
                 + 0.01 * noise)
        # an incident: twice a day one station (in turn) rises over its warning mark for half an hour
        half_day = ms // (12 * HOUR)
        t = _scenario_hours(scenario, ms)
        if (t is None or t >= SCENARIO_HOURS) and half_day % len_stations(s) == s.station \
                and 2 * HOUR <= (ms % (12 * HOUR)) < 30 * 60_000 + 2 * HOUR:
            level = max(level, warn + 0.15 + 0.05 * noise)
        return round(level, 2), 0
    if s.kind == "water_quality":
        return water_quality(s, ms, scenario), 0
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


#: water-quality parameters per station (pH, DO mg/L, CODMn, NH3-N, TP mg/L): a clean reservoir, a middling
#: and a loaded stretch of the 卫运河 (illustrative levels, about class II, III and IV of GB 3838-2002)
WATER_QUALITY_BASE = (
    {"ph": 7.9, "dissolved_oxygen": 8.2, "codmn": 3.2, "nh3n": 0.35, "tp": 0.03},
    {"ph": 7.7, "dissolved_oxygen": 6.4, "codmn": 5.1, "nh3n": 0.75, "tp": 0.14},
    {"ph": 7.6, "dissolved_oxygen": 5.2, "codmn": 7.4, "nh3n": 1.15, "tp": 0.24},
)


def water_quality(s: Stream, ms: int, scenario=None) -> float:
    """A water-quality station's reading: the station's level, a slow drift, the daily oxygen cycle (algae
    photosynthesis by day) and rain runoff that raises the nutrients and the organic load for a day or two."""
    base = WATER_QUALITY_BASE[s.station % len(WATER_QUALITY_BASE)][s.prop]
    drift = 0.12 * (smooth(f"wq-{s.station}-{s.prop}", ms, 48 * HOUR) - 0.5)
    runoff = min(1.5, river_rise(ms // HOUR, scenario) / 2)
    h = local_hour(ms)
    if s.prop == "ph":
        return round(base + 0.15 * math.sin(math.pi * (h - 8) / 12) + drift, 2)
    if s.prop == "dissolved_oxygen":
        return round(max(0.5, base * (1 + drift + 0.08 * math.sin(math.pi * (h - 9) / 12)) - 1.5 * runoff), 2)
    return round(base * (1 + 2 * drift + 0.8 * runoff), 3)


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
    "water_quality": {"ph", "dissolved_oxygen", "codmn", "nh3n", "tp"},
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


#: Longer first history for the observed properties whose readers need it (the background simulator):
#: the drought watch reads 30 days of rain, and a gauge counts only with 27 of them covered.
HISTORY_HOURS = {"rainfall": 31 * 24}


class Simulator:
    def __init__(self, *, backfill_hours: float = 24, tick: float = 5.0, step_ms: int = 5 * 60_000,
                 scenario: tuple[str, int] | None = None, history: dict | None = None):
        if scenario is not None and scenario[0] not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario[0]!r}; known: {', '.join(SCENARIOS)}")
        self.backfill_hours, self.tick, self.step_ms = backfill_hours, tick, step_ms
        self.history = dict(history or {})
        self.scenario = None if scenario is None else (scenario[0], int(scenario[1]))
        self.sent: dict[int, int] = {}
        self.streams: list[Stream] = []

    def _items(self, s: Stream, times) -> list:
        out = []
        for ms in times:
            got = value(s, ms, self.scenario)
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
        items = []
        for s in self.streams:
            if s.id in have:
                continue
            start = now_ms - int(max(self.backfill_hours, self.history.get(s.prop, 0)) * HOUR)
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
