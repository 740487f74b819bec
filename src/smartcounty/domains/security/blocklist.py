"""The block list as the middleware sees it: active blocks (address → until) held in process memory, so a
request is checked without a query.

Each change (a block made or lifted, in any process) writes a new version under ``VERSION_KEY`` in Django's
cache; a process looks at that key at most once a second and re-reads the active blocks from the database when
it changed (with Redis as the cache every worker sees a change within a second). Without a shared cache the
processes re-read every ``SMARTCOUNTY_SECURITY_BLOCK_REFRESH_S`` seconds (default 30; 0: only on a version
change, as in the test suite, whose query counts must not see a read). A block ends at its time by itself.
"""

import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache

VERSION_KEY = "smartcounty:security:blocks:version"
CHECK_EVERY = 1.0

_lock = threading.Lock()
_state = {"active": {}, "version": None, "checked": 0.0, "loaded": None}


def _refresh_every() -> float:
    return float(getattr(settings, "SMARTCOUNTY_SECURITY_BLOCK_REFRESH_S", 30) or 0)


def read_active() -> dict:
    """Every active block in the database: address → Unix time it ends (the latest when one has several)."""
    from django.utils import timezone

    from smartcounty.domains.security.models import Block

    out: dict = {}
    rows = Block.objects.filter(lifted_at__isnull=True, until__gt=timezone.now()).values_list("ip", "until")
    for ip, until in rows[:100_000]:
        out[ip] = max(out.get(ip, 0.0), until.timestamp())
    return out


def _load() -> dict:
    return read_active()


def changed() -> None:
    """Called after a block is made or lifted (after commit): every process re-reads its list."""
    version = uuid.uuid4().hex
    try:
        cache.set(VERSION_KEY, version, None)
    except Exception:  # the cache is down: the periodic re-read still brings the change
        version = None
    with _lock:
        _state["checked"] = 0.0
    reload(version)


def reload(version=None) -> None:
    active = _load()
    with _lock:
        _state["active"] = active
        _state["loaded"] = time.monotonic()
        if version is not None:
            _state["version"] = version


def _maybe_refresh(now: float) -> None:
    if now - _state["checked"] < CHECK_EVERY:
        return
    _state["checked"] = now
    every = _refresh_every()
    loaded = _state["loaded"]
    if every and (loaded is None or now - loaded >= every):
        reload()
        return
    version = cache.get(VERSION_KEY)
    if version is not None and version != _state["version"]:
        reload(version)


def blocked_until(ip: str) -> float | None:
    """The Unix time until which ``ip`` is refused, or None."""
    _maybe_refresh(time.monotonic())
    until = _state["active"].get(ip)
    if until is None:
        return None
    if until <= time.time():
        return None
    return until


def forget() -> None:
    """Drop the in-memory list and take the cache's current version as seen (tests: after a test's rows are
    rolled back, nothing is blocked, and no later request re-reads the table for a version it already knows)."""
    try:
        version = cache.get(VERSION_KEY)
    except Exception:
        version = None
    with _lock:
        _state.update(active={}, version=version, checked=0.0, loaded=None)


def add_local(ip: str, until: float) -> None:
    with _lock:
        _state["active"] = {**_state["active"], ip: until}


def drop_local(ip: str) -> None:
    with _lock:
        _state["active"] = {k: v for k, v in _state["active"].items() if k != ip}
