"""Cockpit panels: visitors in the attractions and capacity warnings."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartcounty.foundation.cockpit.schemas import CockpitPanel, Figure

LEVELS = {0: "ok", 1: "warn", 2: "bad", 3: "bad"}


def visitors(ctx) -> dict:
    from smartcounty.domains.tourism import services

    t = services.visitor_totals()
    note = _("%(n)s visits today") % {"n": t["today"]}
    if t["warned"]:
        note += " · " + _("%(n)s attractions under a capacity warning") % {"n": t["warned"]}
    return Figure(t["present"], _("visitors"), note, "warn" if t["warned"] else "ok").as_dict()


def warnings(ctx) -> dict:
    from smartcounty.domains.tourism import services
    from smartcounty.domains.tourism.models import Attraction

    rows = services.attraction_rows(Attraction.objects.filter(warning__gt=0).order_by("-warning", "code")[:20])
    return {"items": [{"title": r["name"], "meta": f"{r['warning_name']} · {r['share']:.0%}",
                       "level": LEVELS[r["warning"]], "url": "/tourism/", "time": ""} for r in rows]}


def panels() -> list[CockpitPanel]:
    return [
        CockpitPanel(key="tourism.visitors", title=gettext_lazy("Visitors in the attractions"), kind="figure",
                     order=60, refresh=60, cache=30, audience="public", data=visitors),
        CockpitPanel(key="tourism.warnings", title=gettext_lazy("Attraction capacity warnings"), kind="list",
                     order=60, refresh=60, cache=30, audience="public", data=warnings),
    ]
