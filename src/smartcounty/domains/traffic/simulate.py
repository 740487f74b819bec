"""Simulated traffic for the demo and the benchmarks: rush hours, weekends and holidays, and incidents with
their ground truth. A deterministic function of time and the stream, so a restart continues the story.

Speeds follow demand: two weekday peaks (07:45 and 17:45 Beijing time), flatter weekends with a
midday bump, holidays with a late-morning outbound peak. An incident (a crash or breakdown) drops a
stream's speed to 30-80 % of normal within two minutes for 15-60 minutes; each stream has one with
probability ``INCIDENT_PER_DAY`` per day, starting between 06:00 and 22:00. Not incidents, and so the
false alarms a detector must resist: slow noise (platoons, signal cycles; +-8 % over ~10 minutes), minute
noise (+-5 %), and short disturbances (a slow farm vehicle, a bus stopping: 2-4 minutes at 50-75 % of
normal, about three a day per stream).
"""

import math
import random
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

MINUTE = 60_000
DAY = 86_400_000
BEIJING = timezone(timedelta(hours=8))
INCIDENT_PER_DAY = 0.15
#: share of free-flow speed lost at full demand, per road class
SENSITIVITY = {"expressway": 0.45, "arterial": 0.6, "secondary": 0.55, "branch": 0.45}


def _rand(*key) -> random.Random:
    return random.Random(zlib.crc32(repr(key).encode()))


def _u(*key) -> float:
    """A uniform number in [0, 1) fixed by ``key`` (cheaper than seeding a generator)."""
    return zlib.crc32(repr(key).encode()) / 4_294_967_296


def _smooth(key: str, ms: int, period: int) -> float:
    """Smooth noise in [-1, 1]: random knots every ``period`` ms, cosine-interpolated."""
    k, frac = divmod(ms, period)
    a, b = _u(key, k), _u(key, k + 1)
    w = (1 - math.cos(math.pi * frac / period)) / 2
    return 2 * (a * (1 - w) + b * w) - 1


DISTURBANCES_PER_DAY = 3.0


def local(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, BEIJING)


def demand(ms: int, holidays=frozenset()) -> float:
    """Traffic demand 0..1 at a time (Beijing time), by weekday, weekend and holiday."""
    t = local(ms)
    h = t.hour + t.minute / 60
    if t.date() in holidays:
        return 0.2 + 0.55 * math.exp(-((h - 10) ** 2) / 6) + 0.4 * math.exp(-((h - 16.5) ** 2) / 5)
    if t.weekday() >= 5:
        return 0.15 + 0.45 * math.exp(-((h - 11) ** 2) / 8) + 0.35 * math.exp(-((h - 17) ** 2) / 4)
    base = 0.1 + 0.35 * math.sin(math.pi * min(max(h - 5, 0), 18) / 18)
    return min(1.0, base + 0.65 * math.exp(-((h - 7.75) ** 2) / 0.8) + 0.6 * math.exp(-((h - 17.75) ** 2) / 1.1))


@dataclass(frozen=True)
class TrueIncident:
    key: str
    start_ms: int
    end_ms: int
    factor: float


def incidents_on(key: str, day: date, *, rate: float = INCIDENT_PER_DAY) -> list[TrueIncident]:
    """The stream's incidents starting on a Beijing-time day (ground truth)."""
    r = _rand("incident", key, day.isoformat())
    if r.random() >= rate:
        return []
    midnight = int(datetime(day.year, day.month, day.day, tzinfo=BEIJING).timestamp() * 1000)
    start = midnight + int((6 + 16 * r.random()) * 60) * MINUTE
    return [TrueIncident(key, start, start + int(15 + 45 * r.random()) * MINUTE, 0.3 + 0.5 * r.random())]


def incident_factor(key: str, ms: int, *, rate: float = INCIDENT_PER_DAY) -> float:
    day = local(ms).date()
    f = 1.0
    for d in (day - timedelta(days=1), day):
        for inc in incidents_on(key, d, rate=rate):
            if inc.start_ms <= ms < inc.end_ms:
                ramp = min(1.0, (ms - inc.start_ms) / (2 * MINUTE) + 0.5)
                f = min(f, 1 - (1 - inc.factor) * ramp)
    return f


def disturbance(key: str, ms: int) -> float:
    """Speed factor of a short disturbance at ``ms`` (0: none): in a 5-minute block with probability
    DISTURBANCES_PER_DAY / 288, lasting 2-4 minutes from the block's start."""
    block, offset = divmod(ms, 5 * MINUTE)
    if _u("disturb", key, block) < DISTURBANCES_PER_DAY / 288 and offset < (2 + int(3 * _u("dlen", key, block))) * MINUTE:
        return 0.5 + 0.25 * _u("dsev", key, block)
    return 0.0


def speed(key: str, road_class: str, free_flow: float, ms: int, holidays=frozenset(), *,
          incidents: bool = True, rate: float = INCIDENT_PER_DAY) -> float:
    """Mean speed (km/h) of a stream over the minute starting at ``ms``."""
    d = demand(ms, holidays)
    local_bias = 0.85 + 0.3 * _u("bias", key)
    v = free_flow * (1 - SENSITIVITY.get(road_class, 0.5) * min(1.0, d * local_bias) ** 2)
    v *= 1 + 0.08 * _smooth(key, ms, 10 * MINUTE) + 0.05 * (2 * _u("noise", key, ms // MINUTE) - 1)
    dist = disturbance(key, ms)
    if dist:
        v *= dist
    if incidents:
        v *= incident_factor(key, ms, rate=rate)
    return round(max(v, 2.0), 1)


#: occupancy profile per kind of car park: (hour of peak, width h, peak share, night share)
PARKING_PROFILES = {"hospital": (10.0, 3.0, 1.05, 0.25), "office": (10.5, 3.5, 0.9, 0.05),
                    "station": (15.0, 6.0, 0.8, 0.3), "street": (18.5, 3.0, 0.95, 0.35),
                    "venue": (19.5, 2.0, 0.85, 0.05)}


def parking_occupied(key: str, profile: str, capacity: int, ms: int, holidays=frozenset()) -> int | None:
    """Occupied spaces of a car park at a time; None while its sensor is silent (20 minutes every 9 hours
    for the profile 'street', so the demo shows an offline sensor). The hospital's peak counts more cars
    than spaces (cars parked outside the bays)."""
    peak_h, width, peak, night = PARKING_PROFILES[profile]
    t = local(ms)
    h = t.hour + t.minute / 60
    share = night + (peak - night) * math.exp(-((h - peak_h) ** 2) / (2 * width ** 2))
    if t.date() in holidays or t.weekday() >= 5:
        share *= 0.6 if profile == "office" else 1.1
    share *= 1 + 0.05 * _smooth(key, ms, 20 * MINUTE)
    if profile == "street" and ms % (9 * 3_600_000) < 20 * MINUTE:
        return None
    return max(0, int(round(capacity * share)))
