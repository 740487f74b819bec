"""The environment module's cockpit panel on the topic "air": the AQI near the viewer with its HJ 633
category, colour, health effect and advice (Table 2). It takes the place of the cockpit's raw fallback
(lower ``order``), on the cockpit and on the resident portal alike."""

from django.db.models import Avg, Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartcounty.domains.environment import live
from smartcounty.domains.environment.aqi.tables import category_for
from smartcounty.foundation.sensing import services as sensing


def air_quality(ctx) -> dict:
    """``{"value", "unit", "note", "level", "colour", "category", "health", "advice"}`` for the town in the
    context (the county mean when it has no station)."""
    qs = sensing.latest(property_code=live.AQI_PROPERTY, online=True).exclude(last_value=None)
    note = _("county mean")
    if ctx.town_code:
        town_qs = qs.filter(town_code=ctx.town_code)
        if town_qs.exists():
            qs, note = town_qs, _("in this town")
        else:
            note = _("no station in this town: county mean")
    c = qs.aggregate(n=Count("id"), mean=Avg("last_value"))
    if not c["n"]:
        return {"value": None, "unit": "", "note": "", "level": ""}
    value = round(c["mean"])
    cat = category_for(value)
    return {"value": value, "unit": "AQI", "note": note, "colour": cat.hex,
            "level": "ok" if cat.level <= 2 else ("warn" if cat.level <= 4 else "bad"),
            "category": f"{cat.name}（{cat.level_name}）", "health": str(cat.health_effect), "advice": str(cat.advice)}


def panels():
    from smartcounty.foundation.cockpit.schemas import CockpitPanel

    return [CockpitPanel(key="environment.air", title=gettext_lazy("Air quality index (AQI)"), cache=30, kind="figure",
                         order=4, refresh=60, audience="public", topic="air", data=air_quality)]
