"""``sensing.observations`` subscriber: closes 5-minute TPI windows as speed data passes them, and runs
incident detection on fixed detectors."""

import logging
import threading
import time

from smartcounty.domains.traffic import congestion, incidents, network
from smartcounty.domains.traffic.models import TpiSnapshot
from smartcounty.foundation.sensing.schemas import ObservationBatch

log = logging.getLogger("smartcounty.traffic")

#: A window is computed once speed data 60 s past its end arrives (late readings of slower streams).
LAG_MS = 60_000
#: Windows further back than this are left to ``congestion.catch_up``.
MAX_BACK = 12
_lock = threading.Lock()
_state = {"done": 0, "maps": None, "maps_at": 0.0}
MAP_TTL = 30.0


def _maps():
    now = time.monotonic()
    if _state["maps"] is None or now - _state["maps_at"] > MAP_TTL:
        _state["maps"] = (network.stream_map(), network.detector_streams())
        _state["maps_at"] = now
    return _state["maps"]


def reset() -> None:
    _state.update(done=0, maps=None, maps_at=0.0)


def on_observations(event: str, payload) -> None:
    batch = ObservationBatch.of(payload)
    rows = batch.select(network.SPEED_PROPERTY)
    if not rows:
        return
    streams, detectors = _maps()
    mine = [r for r in rows if r[0] in streams]
    if not mine:
        return
    newest = max(r[1] for r in mine)
    closed = congestion.window_start(newest - LAG_MS) - congestion.WINDOW_MS
    with _lock:
        if closed > _state["done"]:
            first = max(_state["done"] + congestion.WINDOW_MS, closed - MAX_BACK * congestion.WINDOW_MS)
            have = set(TpiSnapshot.objects.filter(bucket_ms__gte=first, bucket_ms__lte=closed)
                       .values_list("bucket_ms", flat=True))
            for b in range(first, closed + 1, congestion.WINDOW_MS):
                if b not in have:
                    congestion.compute(b)
            _state["done"] = closed
    incidents.on_speed_rows(mine, detectors)
