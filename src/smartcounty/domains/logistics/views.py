"""Pages: the delivery network on a map with its coverage (public) and the e-commerce statistics (staff)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from smartcounty.domains.logistics import services
from smartcounty.kernel.problems import ApiError


def network(request):
    cov = services.coverage()
    return render(request, "logistics/network.html", {"cov": cov, "geo": services.sites_geojson()})


@login_required
def ecommerce(request):
    if not services.may(request.user, "view"):
        raise PermissionDenied
    result = None
    if request.method == "POST":
        if not services.may(request.user, "manage"):
            raise PermissionDenied
        if request.POST.get("action") == "publish":
            n = services.publish_open_data(actor=request.user)
            messages.success(request, _("Published %(n)s rows as open data.") % {"n": n})
        elif request.FILES.get("file") is not None:
            f = request.FILES["file"]
            try:
                result = services.import_sales(f.read(), f.name or "", actor=request.user)
            except ApiError as exc:
                result = {"imported": 0, "errors": exc.errors or [{"row": None, "column": "", "message": exc.detail}]}
            if result["errors"]:
                messages.error(request, _("Nothing was imported: %(n)s problems.") % {"n": len(result["errors"])})
            else:
                messages.success(request, _("Imported %(n)s monthly figures.") % {"n": result["imported"]})
    rows = services.monthly()
    latest = rows[-1]["month"] if rows else None
    from datetime import date

    towns = services.by_town(date(int(latest[:4]), int(latest[5:7]), 1)) if latest else []
    return render(request, "logistics/ecommerce.html", {
        "rows": rows, "towns": towns, "latest": latest, "result": result,
        "manage": services.may(request.user, "manage"),
        "chart": {"x": [r["month"] for r in rows], "amount": [round(r["amount"] / 10000, 2) for r in rows],
                  "orders": [r["orders"] for r in rows]}})
