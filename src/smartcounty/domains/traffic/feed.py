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


def parking_streams() -> list[tuple[int, str, str, int]]:
    """(datastream id, car-park code, profile, capacity) of the demo car parks' occupancy sensors."""
    from smartcounty.domains.traffic.models import CarPark

    profiles = {code: profile for code, _n, _k, _c, profile, *_ in DEMO_PARKS}
    return [(ds, code, profiles[code], cap) for ds, code, cap in
            CarPark.objects.filter(code__in=list(profiles)).exclude(datastream_id=None)
            .values_list("datastream_id", "code", "capacity")]


def parking_items(streams, start_ms: int, end_ms: int, holidays, step_ms: int = 60_000) -> list[dict]:
    out = []
    for ms in range(start_ms - start_ms % step_ms + step_ms, end_ms + 1, step_ms):
        for ds, code, profile, cap in streams:
            v = simulate.parking_occupied(code, profile, cap, ms, holidays)
            if v is not None:
                out.append({"datastream": ds, "phenomenonTime": ms, "result": v})
    return out


# code, name, kind, capacity, profile, lon, lat, free minutes, yuan/h, daily cap, opens, closes
DEMO_PARKS = (
    ("P-HOSP", "县人民医院停车场(示例)", "off_street", 320, "hospital", 115.4525, 36.4848, 30, 2, 20, None, None),
    ("P-GOV", "县政务服务中心停车场(示例)", "off_street", 200, "office", 115.4622, 36.4905, 120, 0, 0, "07:30", "19:00"),
    ("P-BUS", "冠县汽车站停车场(示例)", "off_street", 150, "station", 115.4700, 36.4830, 15, 3, 30, "05:30", "21:30"),
    ("P-GYM", "县体育馆停车场(示例)", "off_street", 260, "venue", 115.4702, 36.4702, 60, 2, 15, None, None),
    ("S-WALK", "清泉街步行街路内泊位(示例)", "on_street", 60, "street", 115.4480, 36.4740, 15, 2, 0, "07:00", "22:00"),
    ("S-ZX", "振兴路路内泊位(示例)", "on_street", 80, "street", 115.4470, 36.4870, 15, 1.5, 0, "07:00", "22:00"),
)


def backfill(hours: float, now_ms: int | None = None) -> int:
    """History for floating streams that have none (no events), then the TPI of those windows."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    streams = floating_streams()
    have = {i["id"] for i in sensing.datastreams_info([s[0] for s in streams]) if i["last_time"] is not None}
    todo = [s for s in streams if s[0] not in have]
    rows = items(todo, now_ms - int(hours * 3_600_000), now_ms - STEP_MS, cases.calendar().holidays)
    parks = [s for s in parking_streams() if s[0] not in {i["id"] for i in sensing.datastreams_info(
        [p[0] for p in parking_streams()]) if i["last_time"] is not None}]
    rows += parking_items(parks, now_ms - int(hours * 3_600_000), now_ms, cases.calendar().holidays, 300_000)
    for k in range(0, len(rows), 20000):
        sensing.ingest(rows[k:k + 20000], source="simulator", publish=False)
    congestion.catch_up(hours, now_ms)
    return len(rows)


def run(stop) -> None:
    sent = parked = 0
    while not stop.is_set():
        try:
            close_old_connections()
            now = int(time.time() * 1000)
            minute = now - now % 60_000
            if parked and minute > parked:
                sensing.ingest(parking_items(parking_streams(), max(parked, minute - 10 * 60_000), minute,
                                             cases.calendar().holidays), source="simulator")
            parked = minute
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
