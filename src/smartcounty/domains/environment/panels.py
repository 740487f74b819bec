"""The environment module's cockpit panel on the topic "air": the AQI near the viewer with its HJ 633
category, colour, health effect and advice (Table 2). It takes the place of the cockpit's raw fallback
(lower ``order``), on the cockpit and on the resident portal alike."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartcounty.domains.environment import live
from smartcounty.domains.environment.aqi.tables import category_for
from smartcounty.foundation.sensing import services as sensing


def air_quality(ctx) -> dict:
    """``{"value", "unit", "note", "level", "colour", "category", "health", "advice"}`` for the town in the
    context (the county mean when it has no station)."""
    n, mean = sensing.mean_latest(live.AQI_PROPERTY)
    note = _("county mean")
    if ctx.town_code:
        town_n, town_mean = sensing.mean_latest(live.AQI_PROPERTY, town=ctx.town_code)
        if town_n:
            n, mean, note = town_n, town_mean, _("in this town")
        else:
            note = _("no station in this town: county mean")
    if not n:
        return {"value": None, "unit": "", "note": "", "level": ""}
    value = round(mean)
    cat = category_for(value)
    return {"value": value, "unit": "AQI", "note": note, "colour": cat.hex,
            "level": "ok" if cat.level <= 2 else ("warn" if cat.level <= 4 else "bad"),
            "category": f"{cat.name}（{cat.level_name}）", "health": str(cat.health_effect), "advice": str(cat.advice)}


def panels():
    from smartcounty.foundation.cockpit.schemas import CockpitPanel

    return [CockpitPanel(key="environment.air", title=gettext_lazy("Air quality index (AQI)"), cache=30, kind="figure",
                         order=4, refresh=60, audience="public", topic="air", data=air_quality)]
