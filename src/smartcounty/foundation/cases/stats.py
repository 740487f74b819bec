"""Performance statistics of cases, as SQL aggregates (one query per call).

For cases created in [since, until): total, closed, closed on time (never past a time limit),
reworked (sent back or reopened), and the average handling time (creation to closing) of the
closed ones. Rates: closure = closed / total, on-time = on time / closed, rework = reworked / closed.
"""

from django.db.models import Avg, Count, Q

from smartcounty.foundation.cases.models import Case

GROUPS = {"organisation": "organisation_id", "grid": "grid_code", "town": "town_code", "category": "category",
          "case_type": "case_type"}


def _rate(part, whole):
    return round(part / whole, 4) if whole else None


def statistics(by: str, *, since=None, until=None, case_type: str | None = None, organisation_id: int | None = None,
               town_code: str | None = None, grid_code: str | None = None) -> list[dict]:
    if by not in GROUPS:
        raise ValueError(f"cannot group by {by!r}")
    column = GROUPS[by]
    qs = Case.objects.all()
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    if case_type:
        qs = qs.filter(case_type=case_type)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if town_code:
        qs = qs.filter(town_code=town_code)
    if grid_code:
        qs = qs.filter(grid_code=grid_code)
    closed = Q(is_closed=True)
    rows = (qs.order_by().values(column)
            .annotate(total=Count("id"), closed=Count("id", filter=closed),
                      on_time=Count("id", filter=closed & Q(ever_overdue=False)),
                      reworked=Count("id", filter=closed & (Q(rework_count__gt=0) | Q(reopen_count__gt=0))),
                      avg_seconds=Avg("handling_seconds", filter=closed))
            .order_by(column))
    out = []
    for r in rows:
        avg = r["avg_seconds"]
        out.append({"key": "" if r[column] is None else str(r[column]), "total": r["total"], "closed": r["closed"],
                    "on_time": r["on_time"], "reworked": r["reworked"],
                    "closure_rate": _rate(r["closed"], r["total"]), "on_time_rate": _rate(r["on_time"], r["closed"]),
                    "rework_rate": _rate(r["reworked"], r["closed"]),
                    "avg_handling_hours": round(float(avg) / 3600, 2) if avg is not None else None})
    return out
