"""Simulated traffic for the demo and the benchmarks: rush hours, weekends and holidays, and incidents with
their ground truth. A deterministic function of time and the stream, so a restart continues the story.

Speeds follow demand: two weekday peaks (07:45 and 17:45 Beijing time), flatter weekends with a
midday bump, holidays with a late-morning outbound peak. An incident (a crash or breakdown) drops a
stream's speed to a quarter to a half of normal within two minutes for 15-60 minutes; each stream
has one with probability ``INCIDENT_PER_DAY`` per day, starting between 06:00 and 22:00.
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
    return [TrueIncident(key, start, start + int(15 + 45 * r.random()) * MINUTE, 0.25 + 0.25 * r.random())]


def incident_factor(key: str, ms: int, *, rate: float = INCIDENT_PER_DAY) -> float:
    day = local(ms).date()
    f = 1.0
    for d in (day - timedelta(days=1), day):
        for inc in incidents_on(key, d, rate=rate):
            if inc.start_ms <= ms < inc.end_ms:
                ramp = min(1.0, (ms - inc.start_ms) / (2 * MINUTE) + 0.5)
                f = min(f, 1 - (1 - inc.factor) * ramp)
    return f


def speed(key: str, road_class: str, free_flow: float, ms: int, holidays=frozenset(), *,
          incidents: bool = True, rate: float = INCIDENT_PER_DAY) -> float:
    """Mean speed (km/h) of a stream over the minute starting at ``ms``."""
    d = demand(ms, holidays)
    r = _rand("noise", key, ms // MINUTE)
    local_bias = 0.85 + 0.3 * _rand("bias", key).random()
    v = free_flow * (1 - SENSITIVITY.get(road_class, 0.5) * min(1.0, d * local_bias) ** 2)
    v *= 1 + 0.06 * (r.random() - 0.5) * 2
    if incidents:
        v *= incident_factor(key, ms, rate=rate)
    return round(max(v, 2.0), 1)
