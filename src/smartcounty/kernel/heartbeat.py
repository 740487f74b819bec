"""Heartbeats of the platform's long-running processes, and what ``/readyz`` makes of them.

Each web worker (role ``web``, keyed by its slot) and each background worker (role ``worker``, keyed by its
process id) writes one row every ``INTERVAL`` seconds: when it started, when it was last seen and its event
backlog (``events.pending()``). A process not seen for ``STALE`` seconds is taken as gone; rows of processes gone
for a day are deleted. ``readiness()`` answers whether this installation can do its work: the database answers
and a background worker is alive (without one, nothing ingests MQTT, sweeps deadlines or pulls datasets).
"""

import logging
import os
import socket
import threading
from datetime import UTC, datetime, timedelta

from django.db import close_old_connections, connection

from smartcounty.kernel import events
from smartcounty.kernel.models import ProcessHeartbeat

INTERVAL = float(os.environ.get("SMARTCOUNTY_HEARTBEAT_SECONDS", "10"))
STALE = 3 * INTERVAL
FORGET = timedelta(days=1)
log = logging.getLogger("smartcounty.heartbeat")


def beat(key: str, role: str, started_at: datetime) -> None:
    now = datetime.now(UTC)
    ProcessHeartbeat.objects.update_or_create(key=key, defaults={
        "role": role, "host": socket.gethostname()[:100], "pid": os.getpid(), "started_at": started_at,
        "seen_at": now, "backlog": events.pending()})
    ProcessHeartbeat.objects.filter(seen_at__lt=now - FORGET).delete()


def start(role: str, ident, stop: threading.Event | None = None) -> threading.Thread:
    """Beat from a daemon thread of this process until ``stop`` is set (or the process ends)."""
    key = f"{role}:{socket.gethostname()}:{ident}"[:200]
    started_at = datetime.now(UTC)
    stop = stop or threading.Event()

    def run():
        while True:
            try:
                beat(key, role, started_at)
            except Exception:  # the database is away: /readyz says so; keep trying
                log.warning("heartbeat of %s failed", key, exc_info=True)
            finally:
                close_old_connections()
            if stop.wait(INTERVAL):
                return

    thread = threading.Thread(target=run, name=f"heartbeat-{role}", daemon=True)
    thread.start()
    return thread


def readiness() -> tuple[bool, dict]:
    """(ready, details) for ``/readyz``."""
    body: dict = {"database": "ok", "broker": "not configured"}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
    except Exception as e:  # noqa: BLE001  any failure to reach the database means not ready
        body["database"] = f"unreachable: {type(e).__name__}"
        return False, body
    now = datetime.now(UTC)
    processes = []
    for hb in ProcessHeartbeat.objects.order_by("role", "key"):
        age = (now - hb.seen_at).total_seconds()
        processes.append({"process": hb.key, "role": hb.role, "pid": hb.pid, "alive": age <= STALE,
                          "seen_seconds_ago": round(age, 1), "backlog": hb.backlog,
                          "up_seconds": round((now - hb.started_at).total_seconds())})
    body["processes"] = processes
    workers = [p for p in processes if p["role"] == "worker" and p["alive"]]
    body["background_workers"] = len(workers)
    ready = bool(workers)
    if not ready:
        body["reason"] = f"no background worker has been seen in the last {STALE:.0f} s"
    return ready, body
