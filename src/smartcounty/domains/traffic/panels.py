"""Cockpit panels: county TPI, congested segments, incidents."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartcounty.foundation.cockpit.schemas import CockpitPanel, Figure

LEVEL_OK = {1: "ok", 2: "ok", 3: "warn", 4: "bad", 5: "bad"}


def tpi_figure(ctx) -> dict:
    from smartcounty.domains.traffic import services

    now = services.current_tpi()
    if now is None:
        return Figure(None, "", _("No data yet")).as_dict()
    return Figure(now["tpi"], "", _("%(level)s · %(time)s Beijing time") % {
        "level": now["level_name"], "time": f"{timezone.localtime(now['start']):%H:%M}"},
                  LEVEL_OK[now["level"]]).as_dict()


def congested_list(ctx) -> dict:
    from smartcounty.domains.traffic import services

    return {"items": [{"title": s["name"], "meta": f"{s['level_name']} · {s['speed_kmh']:.0f} km/h",
                       "level": LEVEL_OK[s["level"]], "url": "/traffic/", "time": ""}
                      for s in services.congested_segments(10)]}


def incident_list(ctx) -> dict:
    from smartcounty.domains.traffic import services

    return {"items": [{"title": i["name"], "meta": _("speed %(v).0f km/h, was %(b).0f km/h") % {
        "v": i["speed_kmh"], "b": i["baseline_kmh"]}, "level": "bad", "url": "/traffic/incidents/",
        "time": i["detected"].isoformat()} for i in services.active_incidents(10)]}


def incident_points(ctx) -> dict:
    from smartcounty.domains.traffic import services

    rows = services.active_incidents(ctx.limit)
    if ctx.bbox:
        w, s, e, n = ctx.bbox
        rows = [r for r in rows if w <= r["lon"] <= e and s <= r["lat"] <= n]
    return {"points": [{"id": str(r["id"]), "lon": r["lon"], "lat": r["lat"], "label": r["name"], "state": "bad"}
                       for r in rows], "total": len(rows)}


def parking_figure(ctx) -> dict:
    from smartcounty.domains.traffic import services

    t = services.parking_totals()
    if not t["parks"]:
        return Figure(None, "", _("No data yet")).as_dict()
    note = _("of %(c)s spaces in %(n)s car parks") % {"c": t["capacity"], "n": t["parks"]}
    if t["offline"]:
        note += " · " + _("%(n)s offline") % {"n": t["offline"]}
    share = t["vacant"] / t["capacity"] if t["capacity"] else 0
    return Figure(t["vacant"], _("spaces"), note, "ok" if share >= 0.2 else "warn" if share >= 0.05 else "bad").as_dict()


def panels() -> list[CockpitPanel]:
    return [
        CockpitPanel(key="traffic.tpi", title=gettext_lazy("Traffic performance index"), kind="figure", order=50,
                     refresh=60, cache=30, audience="public", data=tpi_figure,
                     help=gettext_lazy("County TPI 0-10 of the last 5 minutes")),
        CockpitPanel(key="traffic.congested", title=gettext_lazy("Congested road segments"), kind="list", order=50,
                     refresh=60, cache=30, audience="public", data=congested_list),
        CockpitPanel(key="traffic.parking", title=gettext_lazy("Vacant parking spaces"), kind="figure", order=55,
                     refresh=60, cache=30, audience="public", data=parking_figure),
        CockpitPanel(key="traffic.incidents", title=gettext_lazy("Traffic incidents"), kind="list", order=40,
                     refresh=30, cache=10, permission="traffic.view_incidents", data=incident_list),
        CockpitPanel(key="traffic.incident_map", title=gettext_lazy("Traffic incidents"), kind="map-layer", order=40,
                     refresh=60, permission="traffic.view_incidents", data=incident_points, colour="#c62828"),
    ]
