"""The water module's cockpit panels: the water-quality stations' GB 3838 class, gauges over their marks."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartcounty.foundation.cockpit.schemas import CockpitPanel

LEVELS = {1: "ok", 2: "ok", 3: "ok", 4: "warn", 5: "bad", 6: "bad"}


def water_quality(ctx) -> dict:
    from smartcounty.domains.water import quality

    items = []
    for s in quality.stations():
        if s["water_class"] is None:
            continue
        deciding = "、".join(p["name"] for p in s["parameters"] if p["key"] in s["deciding"])
        items.append({"title": f"{s['station']}：{s['class_label']}（{s['quality']}）",
                      "meta": _("Deciding: %(p)s") % {"p": deciding} if s["water_class"] > 2 else "",
                      "level": LEVELS[s["water_class"]], "url": "/water/#quality",
                      "time": s["time"].isoformat() if s["time"] else ""})
    return {"items": items}


def over_warning(ctx) -> dict:
    from smartcounty.domains.water import readings

    rows = readings.levels(readings.gauge_ids())
    judged = [r for r in rows if r["state"] is not None]
    over = [r for r in judged if r["state"] in ("above_warning", "above_guaranteed")]
    if not judged:
        return {"value": None, "unit": "", "note": "", "level": ""}
    return {"value": len(over), "unit": f"/ {len(judged)}",
            "note": "、".join(r["station"] for r in over) or _("all below their warning marks"),
            "level": "bad" if over else "ok"}


def panels() -> list[CockpitPanel]:
    return [
        CockpitPanel(key="water.quality", title=gettext_lazy("Surface-water quality (GB 3838)"), kind="list",
                     order=40, refresh=300, cache=60, audience="public", data=water_quality),
        CockpitPanel(key="water.over_warning", title=gettext_lazy("Gauges over their warning mark"), kind="figure",
                     order=40, refresh=60, cache=30, audience="public", data=over_warning),
    ]
