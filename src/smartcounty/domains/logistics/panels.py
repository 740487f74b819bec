"""Cockpit map layer of the delivery network's sites (public)."""

from django.utils.translation import gettext_lazy

from smartcounty.foundation.cockpit.schemas import CockpitPanel


def sites_layer(ctx) -> dict:
    from smartcounty.domains.logistics import services

    points = services.site_points(ctx.bbox, ctx.limit)
    return {"points": points["points"], "total": points["total"]}


def panels() -> list[CockpitPanel]:
    return [CockpitPanel(key="logistics.sites", title=gettext_lazy("Delivery sites"), kind="map-layer", order=72,
                         refresh=300, audience="public", data=sites_layer, colour="#6a1b9a", default_on=False)]
