"""Leaky buckets in the manner of CrowdSec's scenarios: one bucket per (scenario, key), holding at most
``capacity`` events and leaking one every ``leak`` seconds; an event poured into a full bucket overflows it
(the scenario fires) and the bucket starts empty again. A ``distinct`` bucket pours a value only once (five
distinct 404 paths, not the same path five times).

In-process and thread-safe; each server process counts for itself (so a client spread over the workers of a
multi-process server needs up to that many times the capacity). Memory is bounded: past ``max_buckets`` the
empty buckets go, then the oldest.
"""

import re
import threading
import time
from dataclasses import dataclass

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


@dataclass(frozen=True)
class Spec:
    """``capacity`` events; one leaks every ``leak`` seconds."""

    capacity: int
    leak: float
    distinct: bool = False


def parse(text: str, *, distinct: bool = False) -> Spec:
    """``"10/1s"``: capacity 10, one event leaks a second (units ms, s, m, h)."""
    match = _RATE.match(text or "")
    if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
        raise ValueError(f"{text!r} is not a bucket (capacity/leak, e.g. 10/1s)")
    return Spec(int(match.group(1)), float(match.group(2)) * _UNITS[match.group(3)], distinct)


class _Bucket:
    __slots__ = ("level", "last", "seen")

    def __init__(self, now: float):
        self.level = 0.0
        self.last = now
        self.seen = None


class Buckets:
    def __init__(self, max_buckets: int = 50_000):
        self._buckets: dict = {}
        self._lock = threading.Lock()
        self.max_buckets = max_buckets

    def pour(self, scenario: str, key: str, spec: Spec, *, value: str | None = None,
             now: float | None = None) -> int | None:
        """Pour one event; returns the number of events the bucket held when it overflowed, else None."""
        now = time.monotonic() if now is None else now
        ident = (scenario, key)
        with self._lock:
            bucket = self._buckets.get(ident)
            if bucket is None:
                if len(self._buckets) >= self.max_buckets:
                    self._prune(now)
                bucket = self._buckets[ident] = _Bucket(now)
            else:
                bucket.level = max(0.0, bucket.level - (now - bucket.last) / spec.leak)
                bucket.last = now
                if bucket.level == 0.0:
                    bucket.seen = None
            if spec.distinct:
                if bucket.seen is None:
                    bucket.seen = set()
                if value in bucket.seen:
                    return None
                if len(bucket.seen) <= spec.capacity:
                    bucket.seen.add(value)
            if bucket.level + 1.0 > spec.capacity:
                held = round(bucket.level) + 1
                del self._buckets[ident]
                return held
            bucket.level += 1.0
            return None

    def level(self, scenario: str, key: str, spec: Spec, *, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.get((scenario, key))
            return 0.0 if bucket is None else max(0.0, bucket.level - (now - bucket.last) / spec.leak)

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()

    def __len__(self) -> int:
        return len(self._buckets)

    def _prune(self, now: float) -> None:
        # drop buckets idle for a long while (an hour holds every default leak many times over), then the oldest
        stale = [k for k, b in self._buckets.items() if now - b.last > 3600]
        for k in stale:
            del self._buckets[k]
        if len(self._buckets) >= self.max_buckets:
            oldest = sorted(self._buckets.items(), key=lambda kv: kv[1].last)[: self.max_buckets // 10 or 1]
            for k, _b in oldest:
                del self._buckets[k]
