"""Pages: the enterprise registry with 企业上云 figures, an enterprise, the parks and a park's energy, import."""

from datetime import UTC, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from smartcounty.domains.economy import industries, services
from smartcounty.domains.economy.models import Enterprise
from smartcounty.foundation.places import services as places
from smartcounty.kernel.problems import ApiError

BJ = timedelta(hours=8)
KINDS = (("electricity", _l("Electricity")), ("water", _l("Water")), ("gas", _l("Gas")))


def _scope(request):
    scope = services.scope_of(request.user)
    if scope is None:
        raise PermissionDenied
    return scope


def _days(n: int):
    today = (datetime.now(UTC) + BJ).date()
    start = today - timedelta(days=n - 1)
    return (datetime.combine(start, time.min, UTC) - BJ, datetime.combine(today + timedelta(days=1), time.min, UTC) - BJ)


@login_required
def enterprises(request):
    scope = _scope(request)
    f = {k: request.GET.get(k, "").strip()[:60] for k in ("q", "town", "industry", "size", "park", "cloud")}
    cloud = {"1": True, "0": False}.get(f["cloud"])
    park = int(f["park"]) if f["park"].isdigit() else None
    rows = services.enterprises(scope, actor=request.user, q=f["q"], town=f["town"], industry=f["industry"],
                                size=f["size"], park_id=park, cloud=cloud)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    stats = services.cloud_statistics(scope)
    ctx = {"page": page, "f": f, "stats": stats, "towns": places.towns(), "parks": services.parks(scope),
           "sections": [(k, v[0]) for k, v in industries.SECTIONS.items()], "sizes": Enterprise.Size.choices,
           "scope": scope,
           "chart": {"levels": [r["name"] for r in stats["by_level"]], "counts": [r["count"] for r in stats["by_level"]],
                     "towns": [r["town_name"] for r in stats["by_town"]],
                     "rates": [round(100 * (r["rate"] or 0), 1) for r in stats["by_town"]]}}
    return render(request, "economy/enterprises.html", ctx)


@login_required
def enterprise(request, pk: int):
    scope = _scope(request)
    try:
        e = services.enterprise_detail(scope, pk, actor=request.user)
    except ApiError:
        raise Http404 from None
    kind = request.GET.get("kind", "electricity")
    kind = kind if kind in services.PROPERTIES else "electricity"
    lo, hi = _days(30)
    energy = services.consumption(scope, kind=kind, start=lo, end=hi, enterprise_id=pk)
    return render(request, "economy/enterprise.html", {
        "e": e, "kind": kind, "kinds": KINDS, "energy": energy, "meters": services.meters(scope, enterprise_id=pk),
        "chart": {"x": [r["period"] for r in energy["series"]], "y": [r["value"] for r in energy["series"]],
                  "unit": energy["unit"]}})


@login_required
def parks(request):
    scope = _scope(request)
    lo, hi = _days(30)
    rows = services.parks(scope)
    for p in rows:
        p["electricity"] = services.consumption(scope, kind="electricity", start=lo, end=hi, park_id=p["id"])["total"]
    names = {t.code: t.name for t in places.towns()}
    for p in rows:
        p["town_name"] = names.get(p["town_code"], "—")
    return render(request, "economy/parks.html", {"parks": rows})


@login_required
def park(request, pk: int):
    scope = _scope(request)
    try:
        p = services.park_in_scope(scope, pk)
    except ApiError:
        raise Http404 from None
    kind = request.GET.get("kind", "electricity")
    kind = kind if kind in services.PROPERTIES else "electricity"
    lo, hi = _days(30)
    daily = services.consumption(scope, kind=kind, start=lo, end=hi, park_id=pk)
    mlo, _mhi = _days(365)
    monthly = services.consumption(scope, kind=kind, start=mlo, end=hi, park_id=pk, bucket="month")
    breakdown = services.park_breakdown(scope, pk, kind=kind, start=lo, end=hi)
    may_file = scope.manage or not scope.all
    if request.method == "POST":
        if not may_file:
            raise PermissionDenied
        try:
            ent = int(request.POST.get("enterprise", "0"))
            services.enterprise_detail(scope, ent, actor=request.user)
            out = services.request_service(ent, category=request.POST.get("category", ""),
                                           title=request.POST.get("title", "").strip()[:200],
                                           description=request.POST.get("description", "").strip()[:4000],
                                           actor=request.user)
            messages.success(request, _("Request %(n)s filed.") % {"n": out["number"]})
        except (ApiError, ValueError) as exc:
            messages.error(request, getattr(exc, "detail", None) or _("The request could not be filed."))
    from smartcounty.domains.economy.catalogue import CATEGORIES

    return render(request, "economy/park.html", {
        "requests": services.requests_of_park(scope, pk, viewer=request.user), "may_file": may_file, "categories": [(k, v[0]) for k, v in CATEGORIES.items()],
        "members": services.enterprises(scope, park_id=pk)[0:200],
        "p": p, "kind": kind, "kinds": KINDS, "daily": daily, "monthly": monthly, "breakdown": breakdown,
        "chart": {"x": [r["period"] for r in daily["series"]], "y": [r["value"] for r in daily["series"]],
                  "mx": [r["period"] for r in monthly["series"]], "my": [r["value"] for r in monthly["series"]],
                  "unit": daily["unit"]}})


@login_required
def import_page(request):
    scope = _scope(request)
    if not scope.manage:
        raise PermissionDenied
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV or XLSX file."))
        else:
            try:
                result = services.import_file(upload.read(), upload.name or "", actor=request.user)
            except ApiError as exc:
                result = {"rows": 0, "created": 0, "updated": 0, "errors": exc.errors or [
                    {"row": None, "column": "", "message": exc.detail}]}
            if result["errors"]:
                messages.error(request, _("Nothing was imported: %(n)s problems.") % {"n": len(result["errors"])})
            else:
                messages.success(request, _("Imported %(c)s new and %(u)s updated enterprises.") % {
                    "c": result["created"], "u": result["updated"]})
    columns = {"uscc": _("credit code"), "name": _("name"), "kind": _("type"), "industry": _("industry"),
               "town": _("town"), "park": _("park"), "size": _("size"), "contact_name": _("contact person"),
               "contact_phone": _("contact phone"), "address": _("address"), "registered_on": _("registered on")}
    for err in (result or {}).get("errors", []):
        err["column_name"] = columns.get(err.get("column") or "", err.get("column") or "")
    return render(request, "economy/import.html", {"result": result})
