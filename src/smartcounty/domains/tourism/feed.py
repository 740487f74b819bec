"""Simulated gate counters of the demo attractions: entries and exits every 5 minutes, more on weekends and
much more on public holidays (a holiday afternoon fills the 4A pear garden past its warning shares)."""

import logging
import math
import os
import time
import zlib
from datetime import datetime, timedelta, timezone

from django.db import close_old_connections

from smartcounty.domains.tourism.models import Attraction
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.sensing import services as sensing

log = logging.getLogger("smartcounty.tourism")
STEP_MS = 300_000
BEIJING = timezone(timedelta(hours=8))
VISIT_HOURS = 2.0


def enabled() -> bool:
    return os.environ.get("SMARTCOUNTY_SIMULATE", "1").lower() not in ("0", "false", "no", "off")


def _u(*key) -> float:
    return zlib.crc32(repr(key).encode()) / 4_294_967_296


def arrivals(code: str, max_daily: int, ms: int, holidays) -> int:
    """Entries in the 5 minutes from ``ms``: a day's curve peaking late morning, scaled by the kind of day."""
    t = datetime.fromtimestamp(ms / 1000, BEIJING)
    h = t.hour + t.minute / 60
    if not 7.5 <= h < 17.5:
        return 0
    day = 1.0 if t.date() in holidays else 0.5 if t.weekday() >= 5 else 0.2
    curve = math.exp(-((h - 10.5) ** 2) / 3.0) + 0.7 * math.exp(-((h - 14.5) ** 2) / 2.5)
    per_step = max_daily * day * curve / 60.0  # the curve sums to about 60 steps a day
    return max(0, int(round(per_step * (0.8 + 0.4 * _u(code, ms // STEP_MS)))))


def counts(code: str, max_daily: int, ms: int, holidays) -> tuple[int, int]:
    """(entries, exits) of the step: visitors leave about VISIT_HOURS after they came, all by closing."""
    ins = arrivals(code, max_daily, ms, holidays)
    back = ms - int(VISIT_HOURS * 3_600_000)
    outs = arrivals(code, max_daily, back, holidays) if back >= 0 else 0
    t = datetime.fromtimestamp(ms / 1000, BEIJING)
    if t.hour == 19 and t.minute < 5:  # closing: whoever is left goes out
        midnight = int(datetime(t.year, t.month, t.day, tzinfo=BEIJING).timestamp() * 1000)
        total_in = sum(arrivals(code, max_daily, m, holidays) for m in range(midnight, ms, STEP_MS))
        total_out = sum(arrivals(code, max_daily, m - int(VISIT_HOURS * 3_600_000), holidays)
                        for m in range(midnight, ms, STEP_MS))
        outs += max(0, total_in - total_out)
    return ins, outs


def streams():
    return list(Attraction.objects.exclude(entries_datastream_id=None).exclude(exits_datastream_id=None)
                .values_list("code", "max_daily", "entries_datastream_id", "exits_datastream_id"))


def items(rows, start_ms: int, end_ms: int, holidays) -> list[dict]:
    out = []
    for ms in range(start_ms - start_ms % STEP_MS, end_ms, STEP_MS):
        if ms < start_ms:
            continue
        for code, cap, ds_in, ds_out in rows:
            i, o = counts(code, cap, ms, holidays)
            out += [{"datastream": ds_in, "phenomenonTime": ms + STEP_MS - 1, "result": i},
                    {"datastream": ds_out, "phenomenonTime": ms + STEP_MS - 1, "result": o}]
    return out


def backfill(days: int, now_ms: int | None = None) -> int:
    from smartcounty.domains.tourism import services

    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    rows = streams()
    have = {i["id"] for i in sensing.datastreams_info([r[2] for r in rows]) if i["last_time"] is not None}
    todo = [r for r in rows if r[2] not in have]
    data = items(todo, services.day_start_ms(now_ms) - days * services.DAY_MS, now_ms - STEP_MS,
                 cases.calendar().holidays)
    for k in range(0, len(data), 20000):
        sensing.ingest(data[k:k + 20000], source="simulator", publish=False)
    services.rebuild_days(days, now_ms)
    for a in Attraction.objects.exclude(entries_datastream_id=None):
        services.judge(a, now_ms)
    return len(data)


def run(stop) -> None:
    sent = 0
    while not stop.is_set():
        try:
            close_old_connections()
            now = int(time.time() * 1000)
            due = now - now % STEP_MS - STEP_MS
            if due > sent:
                if sent:
                    sensing.ingest(items(streams(), max(sent + STEP_MS, due - 6 * STEP_MS), due + 1,
                                         cases.calendar().holidays), source="simulator")
                sent = due
        except Exception:  # pragma: no cover - logged, the server keeps running
            log.exception("tourism feed failed")
        stop.wait(20)
