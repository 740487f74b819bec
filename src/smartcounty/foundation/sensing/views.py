"""Pages: the sensors list with a clustered map, and one datastream with its chart."""

import time

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from smartcounty.foundation.sensing import services
from smartcounty.foundation.sensing.models import Datastream, HealthEvent, ObservedProperty
from smartcounty.kernel import units
from smartcounty.kernel.authz import user_has_perm

RANGES = {"24h": (24, "5min"), "7d": (24 * 7, "1h"), "30d": (24 * 30, "1day")}
RANGE_NAMES = {"24h": _("24 hours"), "7d": _("7 days"), "30d": _("30 days")}
MAX_MARKERS = 5000
#: Names of the device kinds the platform's modules use (a kind not listed is shown as stored).
KIND_NAMES = {"air": _("Air quality station"), "water": _("Water level gauge"), "rain": _("Rain gauge"),
              "weather": _("Weather station"), "traffic": _("Traffic detector"), "smoke": _("Smoke detector"),
              "water_quality": _("Water quality station"), "streetlight": _("Street light"),
              "manhole": _("Manhole cover"), "parking": _("Parking sensor"), "soil": _("Soil moisture sensor"),
              "noise": _("Noise monitor"), "energy": _("Energy meter"), "energy_meter": _("Energy meter")}


def _reader(request):
    """What the signed-in user may see (``services.reader``, the rule the API and the cockpit use too)."""
    who = services.reader(request.user)
    if who is None:
        raise PermissionDenied
    return who


def _town_names() -> dict:
    if not apps.is_installed("smartcounty.foundation.places"):
        return {}
    from smartcounty.foundation.places import services as places

    return {t.code: t.name for t in places.towns()}


def _prop_names() -> dict:
    zh = (get_language() or "zh-hans").startswith("zh")
    return {p.code: (p.name_zh if zh else p.name_en) for p in ObservedProperty.objects.all()}


@login_required
def things(request):
    who = _reader(request)
    kind, town = request.GET.get("kind", ""), request.GET.get("town", "")
    found = services.thing_rows(who, kind=kind or None, town=town or None)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    towns, props = _town_names(), _prop_names()
    markers = []
    for t in found[:MAX_MARKERS]:
        if t.lon is None:
            continue
        markers.append({"name": t.name, "lon": t.lon, "lat": t.lat, "kind": t.kind,
                        "online": any(d.online for d in t.datastreams),
                        "values": [[props.get(d.property_code, d.property_code), d.last_value,
                                    units.display(d.unit_symbol), d.id] for d in t.datastreams]})
    rows = [{"thing": t, "kind": KIND_NAMES.get(t.kind, t.kind), "town": towns.get(t.town, t.town),
             "datastreams": [(d, props.get(d.property_code, d.property_code)) for d in t.datastreams]}
            for t in page]
    kinds = [(k, KIND_NAMES.get(k, k)) for k in services.thing_kinds(who)]
    return render(request, "sensing/things.html", {
        "page": page, "rows": rows, "markers": markers, "kinds": kinds, "kind": kind,
        "town": town, "towns": sorted(towns.items()), "now_ms": int(time.time() * 1000)})


@login_required
def datastream(request, pk: int):
    user, all_orgs = request.user, _reader(request).all_orgs
    ds = get_object_or_404(Datastream.objects.select_related("thing", "observed_property"), pk=pk)
    if ds.organisation_id is not None and not all_orgs and not user_has_perm(user, "sensing.view", ds.organisation_id):
        raise PermissionDenied
    span = request.GET.get("range", "24h")
    hours, bucket = RANGES.get(span, RANGES["24h"])
    end = int(time.time() * 1000)
    start = end - hours * 3_600_000
    buckets = services.aggregate(ds.id, start, end + 1, bucket)
    series = [[int(b["start"].timestamp() * 1000), b["mean"], b["min"], b["max"]] for b in buckets]
    recent = services.observations(ds.id, newest_first=True, limit=20)
    health = HealthEvent.objects.filter(datastream=ds).order_by("-id")[:10]
    prop = ds.observed_property
    zh = (get_language() or "zh-hans").startswith("zh")
    return render(request, "sensing/datastream.html", {
        "ds": ds, "prop_name": prop.name_zh if zh else prop.name_en, "series": series, "span": span,
        "ranges": [(r, RANGE_NAMES.get(r, r)) for r in RANGES], "recent": [(services.from_ms(p), v, j, q) for p, _, v, j, q in recent],
        "health": health, "last_time": services.from_ms(ds.last_ms), "town": _town_names().get(ds.town_code, ds.town_code)})
