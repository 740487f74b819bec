"""The demo's floating-vehicle speed streams: one per segment without a detector, fed from ``simulate``
through sensing's ingest every 5 minutes (the fixed detectors are fed by sensing's own simulator)."""

import logging
import os
import time

from django.db import close_old_connections

from smartcounty.domains.traffic import congestion, simulate
from smartcounty.domains.traffic.models import SegmentStream
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.sensing import services as sensing

log = logging.getLogger("smartcounty.traffic")
STEP_MS = 300_000


def enabled() -> bool:
    return os.environ.get("SMARTCOUNTY_SIMULATE", "1").lower() not in ("0", "false", "no", "off")


def floating_streams() -> list[tuple[int, str, str, float]]:
    """(datastream id, segment code, class, free-flow km/h) of every floating stream."""
    return list(SegmentStream.objects.filter(source=SegmentStream.Source.FLOATING).values_list(
        "datastream_id", "segment__code", "segment__road_class", "segment__free_flow_kmh"))


def items(streams, start_ms: int, end_ms: int, holidays) -> list[dict]:
    out = []
    for ms in range(start_ms - start_ms % STEP_MS, end_ms, STEP_MS):
        if ms < start_ms:
            continue
        for ds, code, cls, vf in streams:
            out.append({"datastream": ds, "phenomenonTime": ms + STEP_MS // 2,
                        "result": simulate.speed(code, cls, vf, ms, holidays)})
    return out


def backfill(hours: float, now_ms: int | None = None) -> int:
    """History for floating streams that have none (no events), then the TPI of those windows."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    streams = floating_streams()
    have = {i["id"] for i in sensing.datastreams_info([s[0] for s in streams]) if i["last_time"] is not None}
    todo = [s for s in streams if s[0] not in have]
    rows = items(todo, now_ms - int(hours * 3_600_000), now_ms - STEP_MS, cases.calendar().holidays)
    for k in range(0, len(rows), 20000):
        sensing.ingest(rows[k:k + 20000], source="simulator", publish=False)
    congestion.catch_up(hours, now_ms)
    return len(rows)


def run(stop) -> None:
    sent = 0
    while not stop.is_set():
        try:
            close_old_connections()
            now = int(time.time() * 1000)
            due = now - now % STEP_MS - STEP_MS  # the window that just closed
            if due > sent:
                streams = floating_streams()
                if not sent:
                    backfill(24, now)
                elif streams:
                    sensing.ingest(items(streams, max(sent + STEP_MS, due - 6 * STEP_MS), due + 1,
                                         cases.calendar().holidays), source="simulator")
                    congestion.catch_up(1, now)
                sent = due
        except Exception:  # pragma: no cover - logged, the server keeps running
            log.exception("traffic feed failed")
        stop.wait(20)
