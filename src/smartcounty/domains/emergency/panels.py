"""Cockpit panels: the emergency situation (a figure: open incidents, with resources, ready teams, free shelter
places and overdue special equipment, the last through market's services), open incidents (a list) and their
map layer, all by the viewer's scope (``services.reader``)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartcounty.foundation.cockpit.schemas import CockpitPanel, Figure

LEVEL_CLASS = {1: "ok", 2: "warn", 3: "bad", 4: "bad"}


def _sees(ctx) -> bool:
    from smartcounty.domains.emergency import services

    return services.reader(ctx.user).sees


def open_incidents(ctx) -> dict:
    from smartcounty.domains.emergency import services

    if not _sees(ctx):
        return {"items": []}
    return {"items": [{"id": r["id"], "title": f"{r['number']} {r['title']}", "level": LEVEL_CLASS[r["level"]],
                       "url": reverse("emergency:incident", args=[r["id"]]), "time": r["opened_at"].isoformat(),
                       "meta": f"{r['level_name']} · {r['kind_name']}"}
                      for r in services.incident_list(state="open")[:10]]}


def incident_points(ctx) -> dict:
    from smartcounty.domains.emergency import services

    if not _sees(ctx) or ctx.bbox is None:
        return {"total": 0, "points": []}
    w, s, e, n = ctx.bbox
    rows = [r for r in services.incident_list(state="open")[:ctx.limit]
            if w <= r["lon"] <= e and s <= r["lat"] <= n]
    return {"total": len(rows), "points": [{"id": r["id"], "lon": r["lon"], "lat": r["lat"],
                                            "label": f"{r['number']} {r['title']}", "state": str(r["level"])}
                                           for r in rows]}


def situation(ctx) -> dict:
    """Open incidents, resources and overdue special equipment on one card (the last from market's services,
    shown only to a viewer market lets see it)."""
    from smartcounty.domains.emergency import services
    from smartcounty.domains.market import services as market

    if not _sees(ctx):
        return Figure(None, "", _("Not in your remit")).as_dict()
    o = services.open_counts()
    c = services.counts()
    teams = next(k for k in c["kinds"] if k["kind"] == "team")
    parts = [_("%(n)s resources, %(s)s shelters") % {"n": c["resources"], "s": c["shelters"]},
             _("%(t)s of %(n)s teams ready · %(f)s free shelter places") % {
                 "t": teams["ready"], "n": teams["total"], "f": c["shelter_free"]}]
    ms = market.reader(ctx.user)
    if ms.sees:
        parts.append(_("%(n)s pieces of special equipment overdue") % {"n": market.due_summary(ms)["overdue"]})
    return Figure(o["open"], _("open incidents"), " · ".join(parts), "bad" if o["open"] else "ok").as_dict()


def panels() -> list[CockpitPanel]:
    return [
        CockpitPanel(key="emergency.situation", title=gettext_lazy("Emergency situation"), kind="figure", order=12,
                     refresh=30, permission="emergency.view", data=situation,
                     help=gettext_lazy("Open incidents, resources and overdue special equipment")),
        CockpitPanel(key="emergency.incidents", title=gettext_lazy("Open incidents"), kind="list", order=13,
                     refresh=15, permission="emergency.view", data=open_incidents),
        CockpitPanel(key="emergency.incident_map", title=gettext_lazy("Incidents"), kind="map-layer", order=31,
                     refresh=15, permission="emergency.view", data=incident_points, cluster=False,
                     colour="#b71c1c"),
    ]
