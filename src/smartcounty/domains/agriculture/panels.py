"""Cockpit map layers of agriculture: the plots (areas) of the farms."""

from django.utils.translation import gettext_lazy

from smartcounty.foundation.cockpit.schemas import CockpitPanel


def plots_layer(ctx) -> dict:
    from smartcounty.domains.agriculture import services

    return {"geojson": services.plots_geojson(None, ctx.bbox)}


def panels() -> list[CockpitPanel]:
    return [CockpitPanel(key="agriculture.plots", title=gettext_lazy("Farm plots"), kind="map-layer", order=70,
                         refresh=300, permission="agriculture.view", data=plots_layer, colour="#2e7d32",
                         cluster=False, default_on=False)]
