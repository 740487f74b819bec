"""The KPIs this module computes, each from another module's services (or its own tables).

A value is a percentage or a count; ``compute`` returns ``{"value", "numerator", "denominator", "detail"}``.
Targets are the plan's where it names one (22 open domains, requests answered in time); the others are the
leading group's working targets and say so in ``query``.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.registry import Kpi

GOOD_AQI = 100  # HJ 633: AQI 0-100 is 优 or 良


def _share(part, whole):
    return {"value": round(100.0 * part / whole, 2) if whole else None, "numerator": part, "denominator": whole}


def case_on_time(days: int = 30) -> dict:
    from smartcounty.foundation.cases import services as cases

    now = timezone.now()
    rows = cases.statistics("case_type", since=now - timedelta(days=days), until=now)
    closed = sum(r["closed"] for r in rows)
    on_time = sum(r["on_time"] for r in rows)
    out = _share(on_time, closed)
    out["detail"] = {"by_case_type": [{"key": r["key"], "closed": r["closed"], "on_time": r["on_time"]}
                                      for r in rows]}
    return out


def aqi_good_days(days: int = 30) -> dict:
    from smartcounty.domains.environment import services as environment

    return good_day_share(environment.daily_readings("county", None, days))


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def good_day_share(daily: list[dict]) -> dict:
    """Share of days (with a daily AQI) whose AQI is at most 100."""
    daily = [r for r in daily if r.get("aqi") is not None]
    good = sum(1 for r in daily if r["aqi"] <= GOOD_AQI)
    out = _share(good, len(daily))
    out["detail"] = {"days": [{"start": _iso(r["start"]), "aqi": r["aqi"]} for r in daily]}
    return out


def open_domains() -> dict:
    from smartcounty.foundation.catalog import services as catalog

    rows = catalog.per_domain()
    opened = [r for r in rows if r["open_datasets"] > 0]
    return {"value": len(opened), "numerator": len(opened), "denominator": len(rows),
            "detail": {"by_domain": [{"name": r["name"], "open_datasets": r["open_datasets"]} for r in rows]}}


def open_datasets() -> dict:
    from smartcounty.foundation.catalog import services as catalog

    rows = catalog.per_domain()
    total = sum(r["open_datasets"] for r in rows)
    return {"value": total, "detail": {"by_domain": [{"name": r["name"], "open_datasets": r["open_datasets"]}
                                                     for r in rows if r["open_datasets"]]}}


def sharing_on_time() -> dict:
    from smartcounty.foundation.catalog import services as catalog

    r = catalog.requests_on_time()
    whole = r["decided"] + r["late_pending"]
    out = _share(r["on_time"], whole)
    out["detail"] = {"pending": r["pending"], "late_pending": r["late_pending"]}
    return out


def tasks_on_time() -> dict:
    from smartcounty.domains.plan import services

    return services.tasks_on_time()


def project_spending() -> dict:
    from smartcounty.domains.plan import services

    return services.project_spending()


KPIS = (
    Kpi("plan.tasks_on_time", _("Plan tasks done on time"), "%", tasks_on_time, target=100.0, order=10,
        query=_("Tasks of this year due by today or already reported: reported done by their deadline, out of "
                "all of them (target: the leading group's)")),
    Kpi("cases.on_time", _("Cases closed on time"), "%", case_on_time, actions=(5, 7, 13, 15, 21, 23), target=95.0,
        order=20, query=_("Cases created in the last 30 days and closed: those never past their working-day time "
                          "limit, out of all closed (target: the leading group's)")),
    Kpi("environment.aqi_good_days", _("Days of good air quality"), "%", aqi_good_days, actions=(10,), target=70.0,
        order=30, query=_("County daily AQI (HJ 633) of the last 30 days: days with AQI at most 100 (excellent or "
                          "good), out of the days with a daily AQI (target: the leading group's)")),
    Kpi("catalog.open_domains", _("Open-data domains with open datasets"), "个", open_domains, actions=(3,),
        target=22.0, order=40, query=_("Of the plan's 22 public-data domains, those with at least one open "
                                       "dataset in the catalog (target: all 22, as the plan says)")),
    Kpi("catalog.open_datasets", _("Open datasets"), "个", open_datasets, actions=(3,), order=41,
        query=_("Catalog resources open to the public, by domain")),
    Kpi("catalog.sharing_on_time", _("Sharing requests answered on time"), "%", sharing_on_time, actions=(2,),
        target=100.0, order=50, query=_("Decided data-sharing requests answered by their due date, out of the "
                                        "decided ones and the pending ones already late")),
    Kpi("plan.project_spending", _("Project budget spent"), "%", project_spending, order=60,
        query=_("Spending recorded on informatization projects under construction or later, out of their "
                "budgets")),
)
