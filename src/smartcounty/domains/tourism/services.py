"""Tourism services: attractions, live visitor counts from gate counters (through sensing), capacity warnings
(raised through alerts) and visitor statistics by day, holiday and attraction."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import IntegerField, Max, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcounty.domains.tourism import capacity
from smartcounty.domains.tourism.models import Attraction, DailyVisits
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError

ENTRIES, EXITS = "visitor_entries", "visitor_exits"
SOURCE = "tourism"
ALERT_LEVELS = {capacity.YELLOW: 2, capacity.ORANGE: 3, capacity.RED: 4}
DAY_MS = 86_400_000


def day_start_ms(ms: int) -> int:
    return sensing.bucket_start(ms, "1day")


def beijing_day(ms: int) -> date:
    return timezone.localtime(sensing.from_ms(ms)).date()


def create_attraction(*, code: str, name: str, max_instant: int, max_daily: int, lon: float, lat: float,
                      a_level: int = 0, opens: time | None = None, closes: time | None = None,
                      entries_datastream_id: int | None = None, exits_datastream_id: int | None = None,
                      shares=capacity.DEFAULT_SHARES, hysteresis: float = capacity.DEFAULT_HYSTERESIS,
                      actor=None) -> str:
    if not code or len(code) > 40 or not name:
        raise ApiError(422, "invalid", "code and name are required", field="code")
    if not 0 <= a_level <= 5:
        raise ApiError(422, "invalid", "grade is 0 (not rated) to 5 (5A)", field="a_level")
    if max_instant < 1 or max_daily < max_instant:
        raise ApiError(422, "invalid", "capacities: instantaneous >= 1, daily >= instantaneous", field="max_daily")
    try:
        y, o, r = capacity.check_shares(shares)
        capacity.warning_level(0, 0, (y, o, r), hysteresis)
    except ValueError as exc:
        raise ApiError(422, "invalid", str(exc), field="shares") from None
    for field, ds, prop in (("entries_datastream_id", entries_datastream_id, ENTRIES),
                            ("exits_datastream_id", exits_datastream_id, EXITS)):
        if ds is not None:
            info = sensing.datastream_info(ds)
            if info is None or info["property_code"] != prop:
                raise ApiError(422, "invalid", f"the datastream must measure {prop}", field=field)
    if Attraction.objects.filter(code=code).exists():
        raise ApiError(409, "conflict", f"attraction {code} exists", field="code")
    with transaction.atomic():
        a = Attraction.objects.create(code=code, name=name, a_level=a_level, opens=opens, closes=closes,
                                      max_instant=max_instant, max_daily=max_daily, lon=lon, lat=lat,
                                      town_code=sensing.locate(lon, lat)[0],
                                      entries_datastream_id=entries_datastream_id,
                                      exits_datastream_id=exits_datastream_id, yellow_share=y, orange_share=o,
                                      red_share=r, hysteresis=hysteresis)
        audit.record("tourism.attraction_create", actor=actor, obj=a, detail={"code": code})
    return a.code


def set_shares(code: str, shares, hysteresis: float, *, actor=None) -> None:
    """Configure an attraction's warning shares (e.g. 0.8, 0.9, 1.0) and hysteresis."""
    try:
        y, o, r = capacity.check_shares(shares)
        capacity.warning_level(0, 0, (y, o, r), hysteresis)
    except ValueError as exc:
        raise ApiError(422, "invalid", str(exc), field="shares") from None
    with transaction.atomic():
        n = Attraction.objects.filter(code=code).update(yellow_share=y, orange_share=o, red_share=r,
                                                        hysteresis=hysteresis)
        if not n:
            raise ApiError(404, "not-found", f"no attraction {code}")
        audit.record("tourism.shares_set", actor=actor, detail={"code": code, "shares": [y, o, r],
                                                                "hysteresis": hysteresis})


def counts(a: Attraction, now_ms: int) -> tuple[int, int]:
    """(visitors present, entries today) from the gate counters since Beijing midnight up to ``now_ms``."""
    ids = [i for i in (a.entries_datastream_id, a.exits_datastream_id) if i]
    stats = sensing.window_stats(ids, day_start_ms(now_ms), now_ms + 1)
    entries = int(stats.get(a.entries_datastream_id, (0, 0.0))[1] or 0)
    exits = int(stats.get(a.exits_datastream_id, (0, 0.0))[1] or 0)
    return max(0, entries - exits), entries


def judge(a: Attraction, now_ms: int) -> int:
    """Bring an attraction's live counts, warning level, alert and day statistics in line; returns the level."""
    present, today = counts(a, now_ms)
    value = capacity.share(present, today, a.max_instant, a.max_daily)
    level = capacity.warning_level(value, a.warning, (a.yellow_share, a.orange_share, a.red_share), a.hysteresis)
    key = f"capacity:{a.code}"
    with transaction.atomic():
        Attraction.objects.filter(pk=a.pk).update(present=present, today=today, warning=level, updated_ms=now_ms)
        day = beijing_day(now_ms)
        row, created = DailyVisits.objects.get_or_create(
            attraction=a, day=day, defaults={"entries": today, "peak_present": present,
                                             "holiday": day in cases.calendar().holidays})
        if not created and (row.entries != today or present > row.peak_present):
            DailyVisits.objects.filter(pk=row.pk).update(entries=today, peak_present=max(present, row.peak_present))
        if level:
            title = _("%(name)s: %(level)s, %(present)d visitors present (instantaneous capacity %(ci)d), "
                      "%(today)d visits today (daily capacity %(cd)d)") % {
                "name": a.name, "level": capacity.LEVEL_NAMES[level], "present": present, "ci": a.max_instant,
                "today": today, "cd": a.max_daily}
            alerts.raise_alert(source=SOURCE, key=key, title=title, level=ALERT_LEVELS[level], property=ENTRIES,
                               datastream_id=a.entries_datastream_id, town=a.town_code or None, value=round(value, 3),
                               at=sensing.from_ms(now_ms), detail={"present": present, "today": today}, public=True)
        else:
            open_one = alerts.find_open_alert(SOURCE, key)
            if open_one is not None:
                alerts.resolve_alert(open_one.id, note="below the warning shares", value=round(value, 3),
                                     at=sensing.from_ms(now_ms))
    a.present, a.today, a.warning = present, today, level
    return level


def on_observations(event: str, payload) -> None:
    from smartcounty.foundation.sensing.schemas import ObservationBatch

    batch = ObservationBatch.of(payload)
    newest: dict[int, int] = {}
    for prop in (ENTRIES, EXITS):
        for ds, ms, *_r in batch.select(prop):
            newest[ds] = max(ms, newest.get(ds, 0))
    if not newest:
        return
    from django.db.models import Q

    for a in Attraction.objects.filter(Q(entries_datastream_id__in=list(newest)) |
                                       Q(exits_datastream_id__in=list(newest))):
        judge(a, max(newest.get(a.entries_datastream_id, 0), newest.get(a.exits_datastream_id, 0)))


def rebuild_days(days: int, now_ms: int) -> int:
    """Daily entries and peak present of the last ``days`` Beijing days from the gate counters' 5-minute sums."""
    holidays = cases.calendar().holidays
    n = 0
    for a in Attraction.objects.exclude(entries_datastream_id=None):
        for k in range(days, -1, -1):
            start = day_start_ms(now_ms) - k * DAY_MS
            end = min(start + DAY_MS, now_ms + 1)
            ins = {r["start"]: r["mean"] * r["count"] for r in sensing.aggregate(a.entries_datastream_id, start, end, "5min")}
            outs = ({r["start"]: r["mean"] * r["count"] for r in sensing.aggregate(a.exits_datastream_id, start, end, "5min")}
                    if a.exits_datastream_id else {})
            if not ins:
                continue
            present = peak = 0.0
            for t in sorted(set(ins) | set(outs)):
                present = max(0.0, present + ins.get(t, 0) - outs.get(t, 0))
                peak = max(peak, present)
            day = beijing_day(start)
            DailyVisits.objects.update_or_create(attraction=a, day=day, defaults={
                "entries": int(round(sum(ins.values()))), "peak_present": int(round(peak)),
                "holiday": day in holidays})
            n += 1
    return n


def attraction_rows(qs=None) -> list[dict]:
    qs = Attraction.objects.all() if qs is None else qs
    levels = dict(Attraction.Level.choices)
    out = []
    for a in qs:
        value = capacity.share(a.present, a.today, a.max_instant, a.max_daily)
        out.append({"code": a.code, "name": a.name, "a_level": a.a_level, "a_level_name": str(levels[a.a_level]),
                    "opens": a.opens, "closes": a.closes, "max_instant": a.max_instant, "max_daily": a.max_daily,
                    "present": a.present, "today": a.today, "share": round(value, 3), "warning": a.warning,
                    "warning_name": capacity.LEVEL_NAMES[a.warning], "colour": capacity.LEVEL_COLOURS[a.warning],
                    "shares": [a.yellow_share, a.orange_share, a.red_share], "lon": a.lon, "lat": a.lat,
                    "updated": sensing.from_ms(a.updated_ms)})
    return out


def attractions(*, min_level: int | None = None):
    qs = Attraction.objects.all()
    if min_level:
        qs = qs.filter(a_level__gte=min_level)
    return qs.order_by("code")


def statistics(since: date, until: date) -> dict:
    """Visitor statistics for days since <= day < until: per day, holidays against other days, per attraction."""
    if until <= since or (until - since).days > 366:
        raise ApiError(422, "invalid", "a range of 1 to 366 days", field="until")
    qs = DailyVisits.objects.filter(day__gte=since, day__lt=until)
    # MAX over a boolean works on SQLite but not on PostgreSQL; over 0/1 it works on both.
    holiday = Max(Cast("holiday", IntegerField()))
    by_day = [{"day": r["day"], "entries": r["t"], "holiday": bool(r["h"])} for r in
              qs.values("day").annotate(t=Sum("entries"), h=holiday).order_by("day")]
    per_day = {}
    for r in by_day:
        per_day.setdefault(bool(r["holiday"]), []).append(r["entries"])
    holidays = {k: {"days": len(v), "total": sum(v), "mean_per_day": round(sum(v) / len(v), 1)}
                for k, v in per_day.items()}
    names = dict(Attraction.objects.values_list("id", "name"))
    by_attraction = [{"attraction": names.get(r["attraction"], ""), "entries": r["t"], "peak_present": r["p"]}
                     for r in qs.values("attraction").annotate(t=Sum("entries"), p=Max("peak_present")).order_by("-t")]
    return {"by_day": by_day, "holiday": holidays.get(True), "other_days": holidays.get(False),
            "by_attraction": by_attraction}


def visitor_totals() -> dict:
    """Visitors present and today over all attractions, and how many are under a warning (for the cockpit)."""
    agg = Attraction.objects.aggregate(p=Sum("present"), t=Sum("today"))
    warned = Attraction.objects.filter(warning__gt=0).count()
    return {"present": agg["p"] or 0, "today": agg["t"] or 0, "warned": warned}


def today_range(now: datetime | None = None) -> tuple[date, date]:
    d = timezone.localdate(now)
    return d - timedelta(days=30), d + timedelta(days=1)


class AttractionPage:
    """Lazily evaluated rows for pagination: only the page's attractions are read."""

    def __init__(self, qs):
        self.qs = qs

    def __len__(self):
        return self.qs.count()

    def count(self):
        return self.qs.count()

    def __getitem__(self, sl):
        return attraction_rows(self.qs[sl])
