"""The public map page: towns and grids drawn on a plain background (or on the county's own tiles)."""

from django.conf import settings
from django.shortcuts import render

from smartcounty.foundation.places import services
from smartcounty.foundation.places.models import Division


def map_page(request):
    towns = services.towns()
    counts = services.grid_counts()
    kinds = dict(Division.Kind.choices)
    return render(request, "places/map.html", {
        "county": services.county(),
        "towns": [{"town": t, "kind": kinds.get(t.kind, t.kind), "grids": counts.get(t.code, 0)} for t in towns],
        "town_geojson": services.town_geojson(),
        "has_demo_geometry": services.has_demo_geometry(),
        "tile_url": getattr(settings, "SMARTCOUNTY_TILE_URL", ""),
        "tile_attribution": getattr(settings, "SMARTCOUNTY_TILE_ATTRIBUTION", ""),
    })
