"""The daily statistics rollup (``DailyStat``): one row per day of creation (Asia/Shanghai) and grouping keys
(case type, responsible organisation, grid, town, category) with the counts and sums the statistics need.

``contribution(case)`` is what one case adds to its row; ``apply(changes)`` adds the differences of a batch of
(before, after) contributions in one upsert per changed row, in the caller's transaction (the case row is
locked by then, so concurrent changes to one case are serialised and the increments commute). ``rebuild()``
recomputes the whole table from the cases table (idempotent: the management command
``rebuild_case_stats`` and the data migration use it).
"""

from collections import defaultdict

from django.db import connection
from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from smartcounty.foundation.cases.workcalendar import BEIJING

KEY = ("day", "case_type", "organisation_id", "grid_code", "town_code", "category")
SUMS = ("total", "closed", "on_time", "reworked", "handling_seconds", "handled")


def contribution(case):
    """(key, sums) that one case adds to the rollup, or None for a case not saved yet."""
    if case is None or case.created_at is None:
        return None
    closed = bool(case.is_closed)
    handled = closed and case.handling_seconds is not None
    key = (case.created_at.astimezone(BEIJING).date(), case.case_type, case.organisation_id or 0,
           case.grid_code or "", case.town_code or "", case.category or "")
    sums = (1, int(closed), int(closed and not case.ever_overdue),
            int(closed and (case.rework_count > 0 or case.reopen_count > 0)),
            int(case.handling_seconds) if handled else 0, int(handled))
    return key, sums


def apply(changes) -> int:
    """Add to the rollup the difference of each (before, after) contribution pair (either may be None)."""
    delta: dict = defaultdict(lambda: [0] * len(SUMS))
    for before, after in changes:
        for sign, c in ((-1, before), (1, after)):
            if c is not None:
                acc = delta[c[0]]
                for i, v in enumerate(c[1]):
                    acc[i] += sign * v
    # in key order, so that two transactions touching the same rows lock them in the same order
    rows = [(connection.ops.adapt_datefield_value(k[0]), *k[1:], *v) for k, v in sorted(delta.items()) if any(v)]
    if not rows:
        return 0
    from smartcounty.foundation.cases.models import DailyStat

    table = connection.ops.quote_name(DailyStat._meta.db_table)
    cols = ", ".join(KEY + SUMS)
    marks = ", ".join(["%s"] * (len(KEY) + len(SUMS)))
    sets = ", ".join(f"{s} = {table}.{s} + excluded.{s}" for s in SUMS)
    sql = f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {sets}"
    with connection.cursor() as cur:
        cur.executemany(sql, rows)
    return len(rows)


def rebuild(case_model=None, stat_model=None, *, batch: int = 5000) -> int:
    """Recompute the whole rollup from the cases table (call inside a transaction). Returns the rows written."""
    if case_model is None or stat_model is None:
        from smartcounty.foundation.cases.models import Case, DailyStat

        case_model, stat_model = case_model or Case, stat_model or DailyStat
    closed = Q(is_closed=True)
    handled = closed & Q(handling_seconds__isnull=False)
    groups = (case_model.objects.order_by()
              .annotate(d=TruncDate("created_at", tzinfo=BEIJING),
                        org=Coalesce("organisation_id", Value(0), output_field=IntegerField()))
              .values("d", "case_type", "org", "grid_code", "town_code", "category")
              .annotate(n=Count("id"), c=Count("id", filter=closed),
                        ot=Count("id", filter=closed & Q(ever_overdue=False)),
                        rw=Count("id", filter=closed & (Q(rework_count__gt=0) | Q(reopen_count__gt=0))),
                        hs=Coalesce(Sum("handling_seconds", filter=handled), Value(0)),
                        hn=Count("id", filter=handled)))
    stat_model.objects.all().delete()
    written, buf = 0, []
    for g in groups.iterator(chunk_size=batch):
        buf.append(stat_model(day=g["d"], case_type=g["case_type"], organisation_id=g["org"],
                              grid_code=g["grid_code"] or "", town_code=g["town_code"] or "",
                              category=g["category"] or "", total=g["n"], closed=g["c"], on_time=g["ot"],
                              reworked=g["rw"], handling_seconds=g["hs"], handled=g["hn"]))
        if len(buf) >= batch:
            stat_model.objects.bulk_create(buf)
            written, buf = written + len(buf), []
    if buf:
        stat_model.objects.bulk_create(buf)
        written += len(buf)
    return written
