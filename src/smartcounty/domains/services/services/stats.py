"""Statistics and oversight: applications, on-time completion, 即办件 share, online share, average visits and
satisfaction, by item, organisation or month (bundle applications, which have no case, are not counted; their
parts are)."""

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncMonth

from smartcounty.domains.services.models import Application, Evaluation
from smartcounty.domains.services.services.scope import Scope, filter_applications
from smartcounty.foundation.accounts import services as accounts

GROUPS = {"item": ("item__code", "item__name"), "organisation": ("organisation_id",), "month": ("month",)}


def _figures(r: dict) -> dict:
    n, closed = r["n"], r["closed"]
    return {"applications": n, "closed": closed,
            "on_time_rate": round(r["on_time"] / closed, 3) if closed else None,
            "instant_share": round(r["instant"] / n, 3) if n else None,
            "online_share": round(r["online"] / n, 3) if n else None,
            "avg_visits": round(r["visits"], 2) if r["visits"] is not None else None,
            "rated": r["rated"], "avg_rating": round(r["avg_rating"], 2) if r["avg_rating"] is not None else None,
            "satisfied_share": round(r["satisfied"] / r["rated"], 3) if r["rated"] else None}


AGG = {"n": Count("id"), "closed": Count("id", filter=Q(closed_at__isnull=False)),
       "on_time": Count("id", filter=Q(on_time=True)), "instant": Count("id", filter=Q(item__promised_days=0)),
       "online": Count("id", filter=Q(channel="online")), "visits": Avg("visits"),
       "rated": Count("id", filter=Q(rating__isnull=False)), "avg_rating": Avg("rating"),
       "satisfied": Count("id", filter=Q(rating__gte=4))}


def _base(scope: Scope | None):
    qs = Application.objects.filter(case_id__isnull=False)
    return qs if scope is None else filter_applications(scope, qs)


def totals(scope: Scope | None) -> dict:
    """The figures over every application ``scope`` sees (None: all, for published statistics)."""
    return _figures(_base(scope).aggregate(**AGG))


def by(scope: Scope | None, group: str, *, limit: int = 200) -> list[dict]:
    if group not in GROUPS:
        group = "item"
    qs = _base(scope)
    if group == "month":
        qs = qs.annotate(month=TruncMonth("created_at"))
    rows = list(qs.values(*GROUPS[group]).annotate(**AGG).order_by(*GROUPS[group])[:limit])
    names = {o.id: o.name for o in accounts.organisations()} if group == "organisation" else {}
    out = []
    for r in rows:
        if group == "item":
            key, label = r["item__code"], r["item__name"]
        elif group == "organisation":
            key, label = r["organisation_id"], names.get(r["organisation_id"], "")
        else:
            key = label = r["month"].strftime("%Y-%m") if r["month"] else ""
        out.append({"key": key, "label": label, **_figures(r)})
    return out


def satisfaction_by_window() -> list[dict]:
    rows = (Evaluation.objects.exclude(window="").values("window")
            .annotate(n=Count("id"), avg=Avg("level"), poor=Count("id", filter=Q(level__lte=2))).order_by("window"))
    return [{"window": r["window"], "ratings": r["n"], "avg_rating": round(r["avg"], 2), "poor": r["poor"]}
            for r in rows]


def level_counts() -> dict[int, int]:
    return dict(Evaluation.objects.values_list("level").annotate(n=Count("id")).order_by())


def open_data_rows() -> list[dict]:
    """Published monthly figures per organisation (no applicant data)."""
    names = {o.id: o.name for o in accounts.organisations()}
    qs = _base(None).annotate(month=TruncMonth("created_at"))
    rows = qs.values("month", "organisation_id").annotate(**AGG).order_by("month", "organisation_id")
    return [{"month": r["month"].strftime("%Y-%m"), "organisation": names.get(r["organisation_id"], ""),
             **{k: v for k, v in _figures(r).items() if k != "rated"}} for r in rows if r["month"]]
