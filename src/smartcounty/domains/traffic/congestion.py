"""The county TPI every 5 minutes, each segment's level, history, day-of-week profiles and peak hours."""

from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count, Max

from smartcounty.domains.traffic import tpi
from smartcounty.domains.traffic.models import RoadSegment, SegmentState, SegmentStream, TpiSnapshot
from smartcounty.foundation.sensing import services as sensing

WINDOW_MS = 300_000
SLOTS = 288
#: Defined peak periods, Beijing time (hour, minute) pairs; a county may set SMARTCOUNTY_TRAFFIC_PEAKS.
DEFAULT_PEAKS = {"morning": ((7, 0), (9, 0)), "evening": ((17, 0), (19, 0))}
#: A congested segment is 中度拥堵 or worse.
CONGESTED_LEVEL = 4
#: Days of segment history kept (the county TPI is kept for good).
STATE_DAYS = 35


def window_start(ms: int) -> int:
    return sensing.bucket_start(ms, "5min")


def weekday_slot(bucket_ms: int) -> tuple[int, int]:
    local = bucket_ms + sensing.SHANGHAI_OFFSET_MS
    days = local // 86_400_000
    return int((days + 3) % 7), int(local % 86_400_000 // WINDOW_MS)  # 1970-01-01 was a Thursday


def peaks() -> dict:
    return getattr(settings, "SMARTCOUNTY_TRAFFIC_PEAKS", DEFAULT_PEAKS)


def in_peak(bucket_ms: int) -> str | None:
    """Name of the defined peak period holding the window's start, else None."""
    slot = weekday_slot(bucket_ms)[1]
    for name, ((h0, m0), (h1, m1)) in peaks().items():
        if (h0 * 60 + m0) // 5 <= slot < (h1 * 60 + m1) // 5:
            return name
    return None


def segment_table() -> dict[int, tuple[str, float, float]]:
    """{segment id: (class, length m, free-flow km/h)}"""
    return {i: (c, L, vf) for i, c, L, vf in
            RoadSegment.objects.values_list("id", "road_class", "length_m", "free_flow_kmh")}


def segment_speeds(bucket_ms: int, streams: dict[int, int] | None = None) -> dict[int, float]:
    """{segment id: mean speed (km/h)} over the window: every observation of the segment's streams counts once."""
    streams = SegmentStream.objects.values_list("datastream_id", "segment_id") if streams is None else streams
    streams = dict(streams)
    stats = sensing.window_stats(streams.keys(), bucket_ms, bucket_ms + WINDOW_MS)
    acc: dict[int, list[float]] = {}
    for ds, (n, total, _lo, _hi) in stats.items():
        a = acc.setdefault(streams[ds], [0, 0.0])
        a[0] += n
        a[1] += total
    return {seg: total / n for seg, (n, total) in acc.items() if n}


def evaluate(speeds: dict[int, float], segments: dict[int, tuple[str, float, float]]):
    """(NetworkIndex or None, {class: TPI}, {segment: (speed, level)}) of a window's segment speeds.

    The same sums as ``tpi.network_index`` (tested equal), accumulated per class in one pass."""
    levels: dict[int, tuple[float, int]] = {}
    sums: dict[str, list[float]] = {}  # class -> [weighted actual time, weighted free time, km, links]
    bounds, weights, floor = tpi.SPEED_BOUNDS, tpi.CLASS_WEIGHT, tpi.MIN_SPEED
    for seg, v in speeds.items():
        s = segments.get(seg)
        if s is None:
            continue
        cls, length, vf = s
        v = v if v > 0 else 0.0
        b = bounds[cls]
        levels[seg] = (v, 5 if v <= b[0] else 4 if v <= b[1] else 3 if v <= b[2] else 2 if v <= b[3] else 1)
        if vf <= 0 or length <= 0:
            continue
        w = weights[cls] * length
        acc = sums.get(cls)
        if acc is None:
            acc = sums[cls] = [0.0, 0.0, 0.0, 0]
        acc[0] += w / min(max(v, floor), vf)
        acc[1] += w / vf
        acc[2] += length
        acc[3] += 1
    if not sums:
        return None, {}, levels
    classes = {c: round(tpi.tti_to_tpi(a[0] / a[1]), 2) for c, a in sums.items()}
    actual = sum(a[0] for a in sums.values())
    free = sum(a[1] for a in sums.values())
    tti = actual / free
    value = round(tpi.tti_to_tpi(tti), 2)
    index = tpi.NetworkIndex(tpi=value, level=tpi.tpi_level(value), tti=round(tti, 3),
                             links=int(sum(a[3] for a in sums.values())),
                             length_km=round(sum(a[2] for a in sums.values()) / 1000, 3))
    return index, classes, levels


def compute(bucket_ms: int, *, store: bool = True) -> dict | None:
    """The county TPI of the window starting at ``bucket_ms`` (a 5-minute boundary); stores the snapshot and
    the segments' states (replacing an earlier computation of the same window). None without data."""
    bucket_ms = window_start(bucket_ms)
    index, classes, levels = evaluate(segment_speeds(bucket_ms), segment_table())
    if index is None:
        return None
    congested = sum(1 for _v, lv in levels.values() if lv >= CONGESTED_LEVEL)
    wd, slot = weekday_slot(bucket_ms)
    row = {"bucket_ms": bucket_ms, "tpi": index.tpi, "level": index.level, "tti": index.tti,
           "segments": index.links, "congested": congested, "by_class": classes, "weekday": wd, "slot": slot}
    if store:
        with transaction.atomic():
            TpiSnapshot.objects.update_or_create(bucket_ms=bucket_ms, defaults=row)
            SegmentState.objects.filter(bucket_ms=bucket_ms).delete()
            SegmentState.objects.bulk_create(
                [SegmentState(segment_id=s, bucket_ms=bucket_ms, speed_kmh=round(v, 1), level=lv)
                 for s, (v, lv) in levels.items()], batch_size=1000)
    return row


def catch_up(hours: float = 24, now_ms: int | None = None, *, recompute: bool = False) -> int:
    """Compute every closed window of the last ``hours`` that has no snapshot yet. Returns how many."""
    now_ms = sensing.to_ms(datetime.now(UTC)) if now_ms is None else now_ms
    last = window_start(now_ms) - WINDOW_MS
    first = window_start(now_ms - int(hours * 3_600_000))
    done = set() if recompute else set(TpiSnapshot.objects.filter(bucket_ms__gte=first, bucket_ms__lte=last)
                                       .values_list("bucket_ms", flat=True))
    n = 0
    for b in range(first, last + 1, WINDOW_MS):
        if b not in done and compute(b) is not None:
            n += 1
    prune(now_ms)
    return n


def prune(now_ms: int) -> int:
    return SegmentState.objects.filter(bucket_ms__lt=now_ms - STATE_DAYS * 86_400_000).delete()[0]


def _snap(row: TpiSnapshot | dict) -> dict:
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    return {"start": sensing.from_ms(get("bucket_ms")), "tpi": get("tpi"), "level": get("level"),
            "level_name": tpi.LEVEL_NAMES[get("level")], "tti": get("tti"), "segments": get("segments"),
            "congested": get("congested"), "by_class": get("by_class"),
            "peak": in_peak(get("bucket_ms"))}


def current() -> dict | None:
    """The latest snapshot as plain data."""
    row = TpiSnapshot.objects.order_by("-bucket_ms").first()
    return None if row is None else _snap(row)


def history(start_ms: int, end_ms: int, *, limit: int = 2016) -> list[dict]:
    """Snapshots with start <= window start < end, oldest first (at most ``limit``: a week of windows)."""
    rows = TpiSnapshot.objects.filter(bucket_ms__gte=start_ms, bucket_ms__lt=end_ms).order_by("bucket_ms")[:limit]
    return [_snap(r) for r in rows]


def profile(weekday: int, *, since_ms: int | None = None) -> list[dict]:
    """Mean TPI per 5-minute slot of a day of the week (0 = Monday), over the stored history."""
    if not 0 <= weekday <= 6:
        raise ValueError("weekday must be 0..6")
    qs = TpiSnapshot.objects.filter(weekday=weekday)
    if since_ms is not None:
        qs = qs.filter(bucket_ms__gte=since_ms)
    rows = qs.values("slot").annotate(mean=Avg("tpi"), peak=Max("tpi"), days=Count("id")).order_by("slot")
    return [{"slot": r["slot"], "time": f"{r['slot'] // 12:02d}:{r['slot'] % 12 * 5:02d}",
             "mean": round(r["mean"], 2), "max": r["peak"], "days": r["days"]} for r in rows]


def peak_hour(slots: list[dict], *, half: str) -> dict | None:
    """The busiest hour (12 consecutive slots with the highest mean TPI) of the morning (before 12:00) or the
    afternoon and evening, from a profile; the measured counterpart of the defined peaks."""
    by_slot = {r["slot"]: r["mean"] for r in slots}
    lo, hi = (0, 144) if half == "morning" else (144, SLOTS)
    best = None
    for start in range(lo, hi - 11):
        vals = [by_slot.get(s) for s in range(start, start + 12)]
        if any(v is None for v in vals):
            continue
        mean = sum(vals) / 12
        if best is None or mean > best[0]:
            best = (mean, start)
    if best is None:
        return None
    s = best[1]
    e = s + 12
    return {"start": f"{s // 12:02d}:{s % 12 * 5:02d}", "end": f"{e // 12:02d}:{e % 12 * 5:02d}",
            "mean_tpi": round(best[0], 2)}


def congested_segments(*, bucket_ms: int | None = None, min_level: int = CONGESTED_LEVEL):
    """States at or above ``min_level`` in the latest (or a given) window, worst first, with segment facts."""
    if bucket_ms is None:
        bucket_ms = TpiSnapshot.objects.aggregate(m=Max("bucket_ms"))["m"]
        if bucket_ms is None:
            return SegmentState.objects.none()
    return (SegmentState.objects.filter(bucket_ms=bucket_ms, level__gte=min_level)
            .select_related("segment").order_by("-level", "speed_kmh", "segment_id"))


def segment_history(code: str, start_ms: int, end_ms: int, *, limit: int = 2016) -> list[dict]:
    rows = (SegmentState.objects.filter(segment__code=code, bucket_ms__gte=start_ms, bucket_ms__lt=end_ms)
            .order_by("bucket_ms")[:limit])
    return [{"start": sensing.from_ms(r.bucket_ms), "speed_kmh": r.speed_kmh, "level": r.level,
             "level_name": tpi.LEVEL_NAMES[r.level]} for r in rows]
