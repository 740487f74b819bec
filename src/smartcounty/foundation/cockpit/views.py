"""The cockpit page: one screen for a 1920×1080 wall display; live data comes from ``api.py``."""

from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from smartcounty.foundation.cockpit import services


def index(request):
    user = request.user if request.user.is_authenticated else None
    audience = services.viewer_audience(user)
    if audience is None:
        if user is None:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(_("You do not have permission for this."))
    shown = services.panels(user=user, audience=audience)
    layers = [p for p in shown if p.kind == "map-layer"]
    # The map's first view is the whole county: the layers shown at first are asked for the county's box
    # in one request, a URL known here, so the page preloads it (``<link rel=preload>``) while the browser
    # is still fetching the scripts; the map draws from that answer, then asks for its exact view once the
    # charts are up.
    first = [p.key for p in layers if p.default_on][: services.MAX_LAYERS_AT_ONCE]
    first_view = (reverse("api:cockpit_layers") + "?" + urlencode({
        "layers": ",".join(first), "bbox": ",".join(f"{v:g}" for v in services.COUNTY_BBOX)}, safe=",")) if first else ""
    config = {
        "live_url": reverse("api:cockpit_live"),
        "layer_url": reverse("api:cockpit_layer", kwargs={"key": "__KEY__"}),
        "tile_url": services.tile_url(),
        "county_bbox": services.COUNTY_BBOX,
        "first_view": first_view,
        "panels": [services.spec(p) for p in shown],
        # The first data comes with the page: the screen is usable without waiting for a request.
        "initial": services.snapshot(user, audience=audience),
        "text": {
            "updated": _("Updated"), "unavailable": _("This panel is unavailable right now."),
            "no_data": _("No data yet"), "offline": _("Connection lost; retrying…"),
            "shown_of": _("showing %(shown)s of %(total)s here: zoom in for all"),
            "nothing": _("Nothing to show"),
        },
    }
    return render(request, "cockpit/index.html", {
        "config": config,
        "figures": [p for p in shown if p.kind == "figure"],
        "charts": [p for p in shown if p.kind == "chart"],
        "lists": [p for p in shown if p.kind == "list"],
        "layers": layers,
        "first_view": first_view,
        "audience": audience,
    })
