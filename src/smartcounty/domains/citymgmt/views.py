"""Resident pages (report a problem, my reports) and the performance page for staff."""

from datetime import date, datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcounty.domains.citymgmt import services
from smartcounty.domains.citymgmt.catalogue import (
    COMPONENT_CATEGORIES,
    EVENT_CATEGORIES,
    category_name,
    major_name,
)
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.cases.services import BEIJING
from smartcounty.kernel import authz, registry
from smartcounty.kernel.problems import ApiError


def _category_groups():
    groups = {}
    for table, kind in ((EVENT_CATEGORIES, _("Event")), (COMPONENT_CATEGORIES, _("Facility"))):
        for code, (name, _h) in table.items():
            groups.setdefault(f"{kind} · {major_name(code)}", []).append((code, name))
    return groups


def _coord(value):
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return "bad"


@login_required
def report(request):
    form = {"category": "", "description": "", "address": "", "lon": "", "lat": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        lon, lat = _coord(form["lon"]), _coord(form["lat"])
        if "bad" in (lon, lat):
            messages.error(request, _("The location is not valid."))
        elif lon is None and not form["address"]:
            messages.error(request, _("Pick the place on the map, use your phone's location or give an address."))
        else:
            try:
                case = services.report(category=form["category"], description=form["description"], lon=lon, lat=lat,
                                       address=form["address"], reporter=request.user, source="web",
                                       photo=request.FILES.get("photo"))
            except ApiError as exc:
                messages.error(request, exc.detail or _("The report could not be filed."))
            else:
                messages.success(request, _("Thank you. Your report number is %(n)s.") % {"n": case.number})
                if case.duplicate_of_id:
                    messages.info(request, _("A similar problem nearby has already been reported; we will handle them together."))
                return redirect("cases:case", pk=case.pk)
    return render(request, "citymgmt/report.html", {"groups": _category_groups(), "form": form})


@login_required
def my_reports(request):
    ct = registry.case_types.get(services.CASE_TYPE_KEY)
    rows = [{"case": c, "category": category_name(c.category), "state": ct.state(c.state).title}
            for c in cases.reports_of(request.user).filter(case_type=services.CASE_TYPE_KEY)[:100]]
    return render(request, "citymgmt/mine.html", {"rows": rows})


def _month(value: str | None) -> date:
    today = timezone.localdate()
    try:
        y, m = (int(x) for x in (value or "").split("-"))
        return date(y, m, 1)
    except ValueError:
        return today.replace(day=1)


@login_required
def performance(request):
    user = request.user
    if not authz.user_has_perm(user, "citymgmt.view_performance", user.organisation_id):
        raise PermissionDenied
    month = _month(request.GET.get("month"))
    nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    since, until = datetime.combine(month, time.min, BEIJING), datetime.combine(nxt, time.min, BEIJING)
    names = {o.id: o.name for o in accounts.organisations(active_only=False)}
    by_org = services.performance("organisation", since=since, until=until, user=user)
    for row in by_org:
        row["name"] = names.get(int(row["key"]), row["key"]) if row["key"] else _("Not yet assigned")
    by_grid = services.performance("grid", since=since, until=until, user=user)
    return render(request, "citymgmt/performance.html", {
        "month": month.strftime("%Y-%m"), "by_org": by_org, "by_grid": by_grid,
        "chart": {"names": [r["name"] for r in by_org],
                  "on_time": [round((r["on_time_rate"] or 0) * 100, 1) for r in by_org],
                  "closure": [round((r["closure_rate"] or 0) * 100, 1) for r in by_org]}})
