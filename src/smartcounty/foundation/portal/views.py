"""Resident portal (mobile first) and the staff home.

The portal imports no module's pages: it links to them by URL name when they exist, reads public
warnings and air quality through the cockpit's panel registry (``topic``), and places for the
town picker. A missing module means a missing link or an empty card saying "no data yet".
"""

import re
from datetime import datetime

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from smartcounty.foundation.cockpit import services as cockpit
from smartcounty.kernel import registry
from smartcounty.kernel.authz import user_has_perm
from smartcounty.kernel.geo import check_lonlat

SESSION_TOWN = "portal_town"
#: What a work item is, by its ``kind`` (items of other kinds are named after their module).
KIND_LABELS = {"alert": gettext_lazy("Alert to acknowledge"), "case": gettext_lazy("Case"),
               "sharing_request": gettext_lazy("Data sharing request")}
TOWN_RE = re.compile(r"^\d{9}$")

#: Services a resident reaches from the portal: (key, title, description, URL names tried in order, needs sign-in).
SERVICES = (
    ("report", gettext_lazy("Report a problem"), gettext_lazy("Potholes, broken street lights, litter: with a photo and a map location"),
     ("citymgmt:report", "cases:report", "cases:new"), False),
    ("my_reports", gettext_lazy("My reports"), gettext_lazy("Follow what happens to your reports and rate the result"),
     ("citymgmt:mine", "cases:mine", "cases:my_reports", "cases:reports"), True),
    ("applications", gettext_lazy("My applications"), gettext_lazy("Government services you applied for and their progress"),
     ("services:mine", "services:applications", "services:index"), True),
    ("open_data", gettext_lazy("Open data"), gettext_lazy("Public data of Guan County to browse and download"),
     ("catalog:portal",), False),
    ("warnings", gettext_lazy("Warnings and alerts"), gettext_lazy("Weather, flood and pollution warnings in force"),
     ("alerts:warnings", "alerts:public"), False),
    ("map", gettext_lazy("Map of towns and grids"), gettext_lazy("Towns, streets and the grid you live in"),
     ("places:map",), False),
)


def _places():
    """places.services when the module is installed (the portal works without it, minus the town picker)."""
    if not apps.is_installed("smartcounty.foundation.places"):
        return None
    from smartcounty.foundation.places import services

    return services


def _first_url(names) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def service_links(user) -> list[dict]:
    signed_in = bool(user and user.is_authenticated)
    links = []
    for key, title, desc, names, needs_sign_in in SERVICES:
        url = _first_url(names)
        if url is None:
            continue
        if needs_sign_in and not signed_in:
            url = f"{reverse('accounts:login')}?next={url}"
        links.append({"key": key, "title": title, "desc": desc, "url": url})
    return links


def _towns() -> list:
    places = _places()
    if places is None:
        return []
    try:
        return list(places.towns())
    except Exception:  # places without data yet: the picker is empty, the page still works
        return []


def _air_context(request, *, town_code=None, lon=None, lat=None) -> dict:
    places = _places()
    town = places.town(town_code) if town_code and places else None
    ctx = cockpit.context_for(request.user, town_code=town_code, lon=lon, lat=lat)
    return {"air": cockpit.topic("air", ctx, user=request.user if request.user.is_authenticated else None),
            "town": town}


def home(request):
    user = request.user if request.user.is_authenticated else None
    town_code = request.session.get(SESSION_TOWN)
    ctx = cockpit.context_for(user, town_code=town_code)
    context = {
        "services": service_links(request.user),
        "warnings": cockpit.topic("warnings", ctx, user=user),
        "towns": _towns(),
        "town_code": town_code,
        "is_staff_member": user_has_perm(user, "portal.staff_home"),
        "signup_url": _first_url(("accounts:signup",)),
        "geo_text": {"locating": _("Finding your position…"),
                     "denied": _("Your position is not available; choose a town instead.")},
        **_air_context(request, town_code=town_code),
    }
    return render(request, "portal/home.html", context)


def air(request):
    """Today's air quality near the resident: ``?town=<9-digit code>`` or ``?lon=&lat=`` (WGS84)."""
    places = _places()
    if places is None:
        return render(request, "portal/_air.html", _air_context(request))
    town_code = request.GET.get("town", "").strip()
    lon, lat = request.GET.get("lon"), request.GET.get("lat")
    if town_code:
        if not TOWN_RE.match(town_code) or places.town(town_code) is None:
            return HttpResponseBadRequest(_("Unknown town."))
    elif lon is not None and lat is not None:
        try:
            lon, lat = check_lonlat(lon, lat)
        except ValueError:
            return HttpResponseBadRequest(_("Your position could not be read."))
        found = places.locate(lon, lat)
        if found is None:
            return render(request, "portal/_air.html", {"outside": True, **_air_context(request, lon=lon, lat=lat)})
        town_code = found.town_code
    else:
        return HttpResponseBadRequest(_("Choose a town or share your position."))
    request.session[SESSION_TOWN] = town_code
    return render(request, "portal/_air.html", _air_context(request, town_code=town_code, lon=lon, lat=lat))


@login_required
def staff_home(request):
    if not user_has_perm(request.user, "portal.staff_home"):
        raise PermissionDenied(_("You do not have permission for this."))
    items = cockpit.worklist(request.user)
    zh = (get_language() or "").startswith("zh")
    for item in items:
        item["due_local"] = datetime.fromisoformat(item["due"]) if item.get("due") else None
        key = item.get("module", "")
        module = registry.modules.get(key) if key in registry.modules else None
        item["source"] = KIND_LABELS.get(item.get("kind", "")) or (
            (module.name_zh if zh else module.name_en) if module is not None else "")
    return render(request, "portal/staff_home.html", {
        "items": items,
        "overdue": sum(1 for i in items if i["overdue"]),
        "total": sum(int(i.get("count") or 0) for i in items),
        "cockpit_url": _first_url(("cockpit:index",)) if cockpit.can_view(request.user) else None,
    })
