"""Pages: farming advisories (public, on the portal's menu), farms and a farm with its plots on a map."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from smartcounty.domains.agriculture import services
from smartcounty.foundation.places import services as places
from smartcounty.kernel.problems import ApiError


def advisories(request):
    town = request.GET.get("town", "")[:12]
    return render(request, "agriculture/advisories.html", {"rows": services.advisories(town=town), "town": town,
                                                           "towns": places.towns()})


@login_required
def farms(request):
    scope = services.scope_of(request.user)
    if scope is None:
        raise PermissionDenied
    f = {"town": request.GET.get("town", "")[:12], "q": request.GET.get("q", "")[:40]}
    page = Paginator(services.farms(scope, **f), 25).get_page(request.GET.get("page"))
    return render(request, "agriculture/farms.html", {"page": page, "f": f, "towns": places.towns()})


@login_required
def farm(request, pk: int):
    scope = services.scope_of(request.user)
    if scope is None:
        raise PermissionDenied
    try:
        f = services.farm_detail(scope, pk, actor=request.user)
    except ApiError:
        raise Http404 from None
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": p["geometry"], "properties": {"name": p["name"], "area": p["area_mu"]}}
        for p in f["plot_list"]]}
    return render(request, "agriculture/farm.html", {"f": f, "geo": geo})
