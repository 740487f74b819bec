"""Situational awareness: each request (or access-log record) is inspected (``detect``) and poured into the
buckets of its scenarios (``scenarios``); a bucket that overflows is an ``Overflow`` with its evidence, which
the caller turns into a security event (``services.record_overflow``). No database here."""

import hashlib
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from smartcounty.domains.security import accesslog, detect, scenarios
from smartcounty.domains.security.buckets import Buckets

NOT_FOUND_STATUSES = (400, 403, 404)
SAMPLES = 5
MAX_SAMPLE = 300


@dataclass
class Overflow:
    scenario: str
    ip: str
    count: int
    bucket: str
    samples: list = field(default_factory=list)


class _Raw(tuple):
    """A flood sample kept as given (every request pours one); masked only if its bucket overflows."""

    def __new__(cls, t, method, status, path):
        return tuple.__new__(cls, (t, method, status, path))

    def sample(self) -> dict:
        t, method, status, path = self
        return {"t": round(t, 3), "m": method, "s": status, "p": accesslog.mask_text(path[:MAX_SAMPLE])}


def _sample_value(where: str, value: str) -> str:
    if accesslog.sensitive(where):
        return accesslog.REDACTED
    return accesslog.mask_text(value[:MAX_SAMPLE])


def _user_key(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:24]


def _user_shown(username: str) -> str:
    name = accesslog.mask_text(username.strip()[:150])
    return name if name != username.strip()[:150] else (name[:1] + "*" * max(len(name) - 1, 1))


class Watcher:
    def __init__(self, max_buckets: int = 50_000, specs: dict | None = None):
        """``specs``: fixed bucket sizes (else the settings', read at each request)."""
        self.buckets = Buckets(max_buckets)
        self.specs = specs
        self._samples: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.max_samples = max_buckets

    def _remember(self, scenario: str, key: str, sample: dict) -> None:
        with self._lock:
            ident = (scenario, key)
            kept = self._samples.get(ident)
            if kept is None:
                kept = self._samples[ident] = deque(maxlen=SAMPLES)
                if len(self._samples) > self.max_samples:
                    self._samples.popitem(last=False)
            kept.append(sample)

    def _take(self, scenario: str, key: str) -> list:
        with self._lock:
            kept = list(self._samples.pop((scenario, key), ()))
        return [s.sample() if isinstance(s, _Raw) else s for s in kept]

    def _pour(self, out: list, specs: dict, scenario: str, key: str, ip: str, sample: dict | None,
              value: str | None, now: float) -> None:
        spec = specs[scenario]
        if sample is not None:
            self._remember(scenario, key, sample)
        held = self.buckets.pour(scenario, key, spec, value=value, now=now)
        if held is not None:
            raw = f"{spec.capacity}/{spec.leak:g}s"
            out.append(Overflow(scenario, ip, held, raw, self._take(scenario, key)))

    def observe(self, *, ip: str, method: str, path: str, pairs, agent: str, status: int,
                failed_signin: str | None = None, t: float | None = None, now: float | None = None) -> list:
        """Inspect one request and pour it; returns the overflows it caused (usually none)."""
        now = time.monotonic() if now is None else now
        t = time.time() if t is None else t
        specs = self.specs or scenarios.specs()
        out: list = []
        findings = detect.inspect(path, pairs, agent)
        seen = set()
        for f in findings:
            if f.category in seen:
                continue
            seen.add(f.category)
            sample = {"t": round(t, 3), "m": method, "p": accesslog.mask_text(path[:MAX_SAMPLE]), "where": f.where,
                      "rules": f.rules, "score": f.score, "value": _sample_value(f.where, f.sample)}
            distinct = path if f.category == detect.PROBE else None
            self._pour(out, specs, f.category, ip, ip, sample, distinct, now)
        if status in NOT_FOUND_STATUSES:
            self._pour(out, specs, "not_found", ip, ip, {"t": round(t, 3), "m": method, "s": status,
                                                         "p": accesslog.mask_text(path[:MAX_SAMPLE])}, path, now)
        if failed_signin is not None:
            sample = {"t": round(t, 3), "p": accesslog.mask_text(path[:MAX_SAMPLE]), "s": status,
                      "user": _user_shown(failed_signin)}
            self._pour(out, specs, "signin_ip", ip, ip, sample, None, now)
            self._pour(out, specs, "signin_user", _user_key(failed_signin), ip, dict(sample, ip=ip), None, now)
        self._pour(out, specs, "flood", ip, ip, _Raw(t, method, status, path), None, now)
        return out

    def observe_record(self, rec: dict, now: float | None = None) -> list:
        """The same for one access-log record (``accesslog``): what the log holds, without bodies."""
        return self.observe(ip=rec["ip"], method=rec.get("m", ""), path=rec["p"], pairs=rec.get("q") or (),
                            agent=rec.get("ua", ""), status=rec.get("s", 0), t=rec.get("t"), now=now)

    def clear(self) -> None:
        self.buckets.clear()
        with self._lock:
            self._samples.clear()


#: The process's watcher (the middleware's).
watcher = Watcher()
