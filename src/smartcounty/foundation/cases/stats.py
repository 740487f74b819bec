"""Performance statistics of cases.

For cases created in [since, until): total, closed, closed on time (never past a time limit),
reworked (sent back or reopened), and the average handling time (creation to closing) of the
closed ones. Rates: closure = closed / total, on-time = on time / closed, rework = reworked / closed.

``statistics`` reads whole days (Asia/Shanghai) from the daily rollup (``DailyStat``, see rollup.py) and
the partial days at either end of the period, if any, from the cases table with the exact raw query.
``raw_statistics`` is the raw query over the whole period (the reference the rollup is tested against).
"""

from datetime import datetime, time, timedelta

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from smartcounty.foundation.cases.models import Case, DailyStat
from smartcounty.foundation.cases.workcalendar import BEIJING

GROUPS = {"organisation": "organisation_id", "grid": "grid_code", "town": "town_code", "category": "category",
          "case_type": "case_type"}


def _rate(part, whole):
    return round(part / whole, 4) if whole else None


def _row(key, total, closed, on_time, reworked, avg_seconds):
    return {"key": "" if key is None else str(key), "total": total, "closed": closed, "on_time": on_time,
            "reworked": reworked, "closure_rate": _rate(closed, total), "on_time_rate": _rate(on_time, closed),
            "rework_rate": _rate(reworked, closed),
            "avg_handling_hours": round(float(avg_seconds) / 3600, 2) if avg_seconds is not None else None}


def _filtered(qs, case_type, organisation_id, town_code, grid_code):
    if case_type:
        qs = qs.filter(case_type=case_type)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if town_code:
        qs = qs.filter(town_code=town_code)
    if grid_code:
        qs = qs.filter(grid_code=grid_code)
    return qs


def _column(by):
    if by not in GROUPS:
        raise ValueError(f"cannot group by {by!r}")
    return GROUPS[by]


def raw_statistics(by: str, *, since=None, until=None, case_type: str | None = None,
                   organisation_id: int | None = None, town_code: str | None = None,
                   grid_code: str | None = None) -> list[dict]:
    """The statistics by one aggregate over the cases table (any period)."""
    column = _column(by)
    qs = Case.objects.all()
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    qs = _filtered(qs, case_type, organisation_id, town_code, grid_code)
    closed = Q(is_closed=True)
    rows = (qs.order_by().values(column)
            .annotate(total=Count("id"), closed=Count("id", filter=closed),
                      on_time=Count("id", filter=closed & Q(ever_overdue=False)),
                      reworked=Count("id", filter=closed & (Q(rework_count__gt=0) | Q(reopen_count__gt=0))),
                      avg_seconds=Avg("handling_seconds", filter=closed))
            .order_by(column))
    return [_row(r[column], r["total"], r["closed"], r["on_time"], r["reworked"], r["avg_seconds"]) for r in rows]


def _local(t):
    if timezone.is_naive(t):
        t = timezone.make_aware(t, BEIJING)
    return t.astimezone(BEIJING)


def _midnight(day):
    return datetime.combine(day, time.min, BEIJING)


def _split(since, until):
    """(raw pieces [(lo, hi)], first whole day or None, day after the last whole day or None, any whole days)."""
    d0 = d1 = None
    if since is not None:
        s = _local(since)
        d0 = s.date() if s.time() == time.min else s.date() + timedelta(days=1)
    if until is not None:
        d1 = _local(until).date()
    if d0 is not None and d1 is not None and d0 >= d1:
        return [(since, until)], None, None, False
    pieces = []
    if since is not None and _midnight(d0) > since:
        pieces.append((since, _midnight(d0)))
    if until is not None and _midnight(d1) < until:
        pieces.append((_midnight(d1), until))
    return pieces, d0, d1, True


def statistics(by: str, *, since=None, until=None, case_type: str | None = None, organisation_id: int | None = None,
               town_code: str | None = None, grid_code: str | None = None) -> list[dict]:
    column = _column(by)
    pieces, d0, d1, days = _split(since, until)
    acc: dict = {}

    def add(key, vals):
        cur = acc.get(key)
        acc[key] = list(vals) if cur is None else [a + b for a, b in zip(cur, vals, strict=True)]

    closed = Q(is_closed=True)
    handled = closed & Q(handling_seconds__isnull=False)
    for lo, hi in pieces:
        qs = _filtered(Case.objects.filter(created_at__gte=lo, created_at__lt=hi), case_type, organisation_id,
                       town_code, grid_code)
        for r in (qs.order_by().values(column)
                  .annotate(n=Count("id"), c=Count("id", filter=closed),
                            ot=Count("id", filter=closed & Q(ever_overdue=False)),
                            rw=Count("id", filter=closed & (Q(rework_count__gt=0) | Q(reopen_count__gt=0))),
                            hs=Sum("handling_seconds", filter=handled), hn=Count("id", filter=handled))):
            add(r[column], (r["n"], r["c"], r["ot"], r["rw"], r["hs"] or 0, r["hn"]))
    if days:
        qs = DailyStat.objects.all()
        if d0 is not None:
            qs = qs.filter(day__gte=d0)
        if d1 is not None:
            qs = qs.filter(day__lt=d1)
        qs = _filtered(qs, case_type, organisation_id, town_code, grid_code)
        for r in (qs.order_by().values(column)
                  .annotate(n=Sum("total"), c=Sum("closed"), ot=Sum("on_time"), rw=Sum("reworked"),
                            hs=Sum("handling_seconds"), hn=Sum("handled"))):
            key = r[column]
            if column == "organisation_id" and key == 0:
                key = None
            add(key, (r["n"], r["c"], r["ot"], r["rw"], r["hs"], r["hn"]))
    out = [_row(k, n, c, ot, rw, hs / hn if hn else None)
           for k, (n, c, ot, rw, hs, hn) in acc.items() if n > 0]
    if column == "organisation_id":  # numeric order, cases without an organisation last
        out.sort(key=lambda r: (r["key"] == "", int(r["key"]) if r["key"] else 0))
    else:
        out.sort(key=lambda r: r["key"])
    return out
