"""The cockpit's own panels, built from foundation services (never from a domain).

Each foundation module is used only when it is installed: a missing module contributes no panel,
and a module without data yet shows "no data yet". Domains add their panels through
``reg.cockpit_panels`` (see ``schemas.py``); a domain's panel on a topic (e.g. "air", with the AQI
category from HJ 633) takes the place of the raw fallback here when its ``order`` is lower.
"""

from django.apps import apps
from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartcounty.foundation.cockpit.models import LiveItem
from smartcounty.foundation.cockpit.schemas import CockpitPanel

LEVEL_NAMES = {1: gettext_lazy("Blue"), 2: gettext_lazy("Yellow"), 3: gettext_lazy("Orange"), 4: gettext_lazy("Red")}
LEVEL_COLOURS = ["#3498db", "#f1c40f", "#ff8c42", "#e74c3c"]
FEED_LENGTH = 30
#: Above this many objects in view, a points layer sends counts per cell instead of objects.
CELLS_PER_SIDE = 16
#: Seconds a view's cell counts are reused (the map refreshes its layers every 60 s).
CELLS_TTL = 20


def installed(label: str) -> bool:
    return apps.is_installed(f"smartcounty.foundation.{label}")


def register_builtin(reg, *, module: str) -> None:
    for p in builtin_panels():
        reg.cockpit_panels.register(p.key, p, module=module)


def builtin_panels() -> list[CockpitPanel]:
    found = [
        # Alert panels show what alerts' rule lets the viewer see: never shared between viewers (no cache=).
        CockpitPanel(key="cockpit.alert_feed", title=gettext_lazy("Live alert feed"), kind="list", order=10,
                     refresh=5, data=alert_feed),
        CockpitPanel(key="cockpit.alerts", title=gettext_lazy("Active alerts"), kind="map-layer", order=30,
                     refresh=15, data=alert_points, cluster=False, colour="#e74c3c"),
        CockpitPanel(key="cockpit.warnings", title=gettext_lazy("Warnings in force"), cache=5, kind="list", order=20,
                     refresh=30, audience="public", topic="warnings", data=warnings),
        CockpitPanel(key="cockpit.alerts_to_ack", title=gettext_lazy("Alerts to acknowledge"), kind="worklist",
                     order=10, refresh=30, data=alerts_to_acknowledge),
    ]
    if installed("sensing"):
        found += [
            # What a viewer sees of sensing depends on who they are (sensing.services.reader): not shared
            # between viewers (sensing keeps its counts 10 s per reader).
            CockpitPanel(key="cockpit.sensors_online", title=gettext_lazy("Sensors online"), kind="figure", order=30,
                         refresh=30, data=sensors_online),
            CockpitPanel(key="cockpit.air", title=gettext_lazy("Air quality index (AQI)"), cache=30, kind="figure", order=5,
                         refresh=60, audience="public", topic="air", data=air_quality),
            CockpitPanel(key="cockpit.sensors_by_property", title=gettext_lazy("Sensors by measured quantity"),
                         kind="chart", order=30, refresh=60, data=sensors_by_property),
            CockpitPanel(key="cockpit.sensors", title=gettext_lazy("Sensors"), kind="map-layer", order=20,
                         refresh=60, data=sensor_points, colour="#2ecc71"),
        ]
    if installed("alerts"):
        found += [
            CockpitPanel(key="cockpit.active_alerts", title=gettext_lazy("Active alerts"), kind="figure", order=10,
                         refresh=5, data=active_alerts),
            CockpitPanel(key="cockpit.alerts_by_level", title=gettext_lazy("Active alerts by level"), kind="chart",
                         order=10, refresh=15, data=alerts_by_level),
        ]
    if installed("cases"):
        found += [
            CockpitPanel(key="cockpit.open_cases", title=gettext_lazy("Open cases"), kind="figure", order=40,
                         refresh=30, data=open_cases, permission="cockpit.view"),
            CockpitPanel(key="cockpit.reports_today", title=gettext_lazy("Reports today"), cache=10, kind="figure", order=45,
                         refresh=30, data=reports_today),
            CockpitPanel(key="cockpit.cases_by_category", title=gettext_lazy("Open cases by category"), kind="chart",
                         order=20, refresh=60, data=cases_by_category),
            CockpitPanel(key="cockpit.cases", title=gettext_lazy("Open cases"), kind="map-layer", order=25, refresh=60,
                         data=case_points, colour="#ff8c42"),
            CockpitPanel(key="cockpit.case_queue", title=gettext_lazy("Cases waiting on my organisation"),
                         kind="worklist", order=20, refresh=60, data=case_queue),
        ]
    if installed("catalog"):
        found += [
            CockpitPanel(key="cockpit.sharing_pending", title=gettext_lazy("Sharing requests pending"), cache=30, kind="figure",
                         order=60, refresh=120, data=sharing_pending),
            CockpitPanel(key="cockpit.open_datasets", title=gettext_lazy("Open datasets"), cache=60, kind="figure", order=70,
                         refresh=300, audience="public", data=open_datasets),
            CockpitPanel(key="cockpit.sharing_requests", title=gettext_lazy("Sharing requests to decide"),
                         kind="worklist", order=30, refresh=120, data=sharing_to_decide),
        ]
    if installed("places"):
        found += [
            CockpitPanel(key="cockpit.towns", title=gettext_lazy("Towns and streets"), kind="map-layer", order=1,
                         refresh=3600, data=town_layer, cluster=False, colour="#4fc3f7"),
            CockpitPanel(key="cockpit.grids", title=gettext_lazy("Grids"), kind="map-layer", order=2, refresh=3600,
                         data=grid_layer, cluster=False, colour="#90a4ae", default_on=False),
        ]
    return found


# ---- alerts (from the cockpit's live items, fed by alerts.* events) ----------------------------

def _alerts_reader(ctx):
    """What the viewer may see of alerts (``alerts.services.reader``, the rule of alerts' pages and API); a
    context without a user (a public screen shows no staff panel) reads the county."""
    from smartcounty.foundation.alerts import services as alerts

    return alerts.EVERYONE if ctx.user is None else alerts.reader(ctx.user)


def _alert_items(ctx, **filters):
    """The cockpit's live alert items the viewer may see (by alerts' rule on the item's organisation)."""
    who = _alerts_reader(ctx)
    qs = LiveItem.objects.filter(source="alerts", **filters)
    if who is None:
        return qs.none()
    if not who.all_orgs:
        qs = qs.filter(Q(organisation_id=who.organisation_id) | Q(organisation_id__isnull=True))
    return qs


def alert_feed(ctx) -> dict:
    rows = _alert_items(ctx).order_by("-at")[:FEED_LENGTH]
    items = []
    for r in rows.values("ref", "title", "level", "state", "is_open", "url", "at"):
        level = "bad" if r["level"] >= 3 and r["is_open"] else ("warn" if r["is_open"] else "ok")
        state = _("resolved") if not r["is_open"] else (_("acknowledged") if r["state"] == "acknowledged" else _("raised"))
        items.append({"id": r["ref"], "title": r["title"], "level": level, "url": r["url"],
                      "time": r["at"].isoformat(), "meta": f"{LEVEL_NAMES.get(r['level'], '')} · {state}"})
    return {"items": items}


def warnings(ctx) -> dict:
    """Public warnings of level orange and red in force: what the public should know (alerts raised as public
    warnings only; an enterprise's or a farm's alert stays with staff)."""
    rows = LiveItem.objects.filter(source="alerts", is_open=True, public=True, level__gte=3).order_by("-level", "-at")[:10]
    return {"items": [{"id": r["ref"], "title": r["title"], "level": "bad" if r["level"] == 4 else "warn",
                       "time": r["at"].isoformat(), "meta": str(LEVEL_NAMES.get(r["level"], ""))}
                      for r in rows.values("ref", "title", "level", "at")]}


def alerts_to_acknowledge(ctx) -> dict:
    """Open, unacknowledged alerts of the viewer's organisation (platform admins: all)."""
    from smartcounty.kernel.authz import user_has_perm

    if not user_has_perm(ctx.user, "alerts.handle", ctx.organisation_id):
        return {"items": []}
    qs = LiveItem.objects.filter(source="alerts", is_open=True, state="raised")
    if ctx.organisation_id is not None and not user_has_perm(ctx.user, "alerts.handle", -1):
        qs = qs.filter(Q(organisation_id=ctx.organisation_id) | Q(organisation_id__isnull=True))
    return {"items": [
        {"title": r["title"], "url": r["url"], "kind": "alert", "level": r["level"], "created": r["at"].isoformat(),
         "meta": str(LEVEL_NAMES.get(r["level"], ""))}
        for r in qs.order_by("-level", "at").values("title", "url", "level", "at")[:50]]}


def alert_points(ctx) -> dict:
    w, s, e, n = ctx.bbox
    qs = _alert_items(ctx, is_open=True, lon__gte=w, lon__lte=e, lat__gte=s, lat__lte=n)
    total = qs.count()
    rows = qs.order_by("-level", "-at").values("ref", "title", "level", "lon", "lat")[: ctx.limit]
    return {"total": total, "points": [
        {"id": r["ref"], "lon": r["lon"], "lat": r["lat"], "label": r["title"], "state": str(r["level"])} for r in rows]}


def active_alerts(ctx) -> dict:
    from smartcounty.foundation.alerts import services as alerts

    counts = alerts.open_alert_counts(_alerts_reader(ctx))
    total = sum(counts.values())
    severe = counts.get(3, 0) + counts.get(4, 0)
    note = _("%(n)s orange or red") % {"n": severe} if severe else ""
    return {"value": total, "unit": _("alerts"), "note": note, "level": "bad" if severe else ("warn" if total else "ok")}


def alerts_by_level(ctx) -> dict:
    from smartcounty.foundation.alerts import services as alerts

    counts = alerts.open_alert_counts(_alerts_reader(ctx))
    if not sum(counts.values()):
        return {"type": "pie", "categories": [], "series": []}
    return {"type": "pie", "categories": [str(LEVEL_NAMES[lvl]) for lvl in (1, 2, 3, 4)],
            "series": [{"name": _("Active alerts"), "data": [counts.get(lvl, 0) for lvl in (1, 2, 3, 4)]}],
            "colours": LEVEL_COLOURS}


# ---- sensing ---------------------------------------------------------------------------------

def _sensing_reader(ctx):
    """What the viewer may see of sensing (``sensing.services.reader``, the rule of its pages and API); a
    context without a user (a public screen shows no staff panel) reads the county."""
    from smartcounty.foundation.sensing import services as sensing

    return sensing.EVERYONE if ctx.user is None else sensing.reader(ctx.user)


def _by_property(ctx) -> list[dict]:
    """Sensors (datastreams) and those online per observed property: one GROUP BY (kept 10 s per reader by
    sensing), shared by two panels."""
    from smartcounty.foundation.sensing import services as sensing

    return [{"property_code": r.property_code, "n": r.total, "on": r.online}
            for r in sensing.property_counts(_sensing_reader(ctx))]


def sensors_online(ctx) -> dict:
    rows = _by_property(ctx)
    c = {"total": sum(r["n"] for r in rows), "online": sum(r["on"] for r in rows)}
    if not c["total"]:
        return {"value": None, "unit": "", "note": "", "level": ""}
    offline = c["total"] - c["online"]
    return {"value": c["online"], "unit": f"/ {c['total']}",
            "note": _("%(n)s offline") % {"n": offline} if offline else _("all online"),
            "level": "ok" if offline == 0 else ("warn" if offline * 10 < c["total"] else "bad")}


def air_quality(ctx) -> dict:
    """The latest AQI at the viewer's town when given, else the county's mean over stations online.

    Without AQI streams (the environment module computes AQI from the pollutants), the fallback is the
    raw PM2.5 concentration, labelled as such: the cockpit does no standard's maths itself.
    """
    from smartcounty.foundation.sensing import services as sensing

    for code, unit in (("aqi", "AQI"), ("pm25", "μg/m³")):
        n, mean = sensing.mean_latest(code)
        note = _("county mean")
        if ctx.town_code:
            in_town, town_mean = sensing.mean_latest(code, town=ctx.town_code)
            if in_town:
                n, mean, note = in_town, town_mean, _("in this town")
            else:
                note = _("no station in this town: county mean")
        if not n:
            continue
        value = round(mean)
        if code == "aqi":
            level = "ok" if value <= 100 else ("warn" if value <= 200 else "bad")
        else:  # HJ 633 table 1: 24-h PM2.5 of 75 µg/m³ is IAQI 100, 150 is IAQI 200
            level = "ok" if value <= 75 else ("warn" if value <= 150 else "bad")
            raw = _("AQI not computed yet")
            note = f"{note} · {raw}"
        data = {"value": value, "unit": unit, "note": note, "level": level}
        if code == "pm25":
            data["title"] = _("Fine particles (PM2.5)")
        return data
    return {"value": None, "unit": "", "note": "", "level": ""}


def sensors_by_property(ctx) -> dict:
    rows = _by_property(ctx)[:8]
    if not rows:
        return {"type": "bar", "categories": [], "series": []}
    names = property_names()
    return {"type": "bar", "horizontal": True,
            "categories": [names.get(r["property_code"], r["property_code"]) for r in rows],
            "series": [{"name": _("online"), "data": [r["on"] for r in rows]},
                       {"name": _("offline"), "data": [r["n"] - r["on"] for r in rows]}],
            "colours": ["#2ecc71", "#95a5a6"]}


def property_names() -> dict:
    from django.utils.translation import get_language

    from smartcounty.kernel import registry

    zh = (get_language() or "zh-hans").startswith("zh")
    out = {}
    for code, spec in registry.observed_properties.items():
        out[code] = getattr(spec, "name_zh" if zh else "name_en", "") or code
    return out


def sensor_points(ctx) -> dict:
    """Things in view, one point per thing, coloured by state; cells with counts when there are too many."""
    from smartcounty.foundation.sensing import services as sensing

    who = _sensing_reader(ctx)
    if who is None:
        return {"total": 0, "points": []}
    # Too many to draw: sensors (datastreams) counted per cell, one GROUP BY in the database. The answer
    # (with its total: counting a wide view is itself a scan) is the same for every viewer of that view who
    # sees the same sensors, so it is kept for CELLS_TTL seconds.
    key = f"cockpit:sensor-cells:{who.key}:" + ",".join(f"{v:.3f}" for v in ctx.bbox)
    kept = cache.get(key)
    if kept is not None and kept[0] > ctx.limit:
        return {"total": kept[0], "points": [], "cells": kept[1]}
    if _is_wide(ctx.bbox):
        # A wide view usually holds many: its cells are counted first, and their sum is the total (one
        # scan instead of a count and then a scan).
        found = cells(ctx.bbox, who)
        streams = sum(c["count"] for c in found)
    else:
        found, streams = None, sensing.count_in_view(ctx.bbox, who=who)
    if streams > ctx.limit:
        found = found if found is not None else cells(ctx.bbox, who)
        cache.set(key, (streams, found), CELLS_TTL)
        return {"total": streams, "points": [], "cells": found}
    total, found_points = sensing.map_points(ctx.bbox, ctx.limit, who=who)
    points = []
    for p in found_points:
        state = "ok" if p.online == p.streams else ("offline" if p.online == 0 else "warn")
        points.append({"id": str(p.thing_id), "lon": p.lon, "lat": p.lat, "label": p.name, "state": state})
    return {"total": total, "points": points}


def _is_wide(bbox) -> bool:
    """A view over a quarter of the county or more."""
    from smartcounty.foundation.cockpit.services import COUNTY_BBOX

    area = (bbox[2] - bbox[0]) * (bbox[3] - bbox[1])
    county = (COUNTY_BBOX[2] - COUNTY_BBOX[0]) * (COUNTY_BBOX[3] - COUNTY_BBOX[1])
    return area >= county / 4


def cells(bbox, who) -> list[dict]:
    """Sensors per cell of a CELLS_PER_SIDE² grid over ``bbox`` (``sensing.services.map_cells``: one GROUP BY
    answered from sensing's map index), coloured by how many are online."""
    from smartcounty.foundation.sensing import services as sensing

    out = []
    for c in sensing.map_cells(bbox, CELLS_PER_SIDE, who=who):
        state = "ok" if c.online == c.count else ("offline" if c.online == 0 else "warn")
        out.append({"lon": c.lon, "lat": c.lat, "count": c.count, "state": state})
    return out


# ---- places ----------------------------------------------------------------------------------

def town_layer(ctx) -> dict:
    from smartcounty.foundation.places import services as places

    return {"geojson": places.town_geojson(), "labels": True}


def grid_layer(ctx) -> dict:
    """Grid polygons of the towns in view; only when zoomed in enough to read them."""
    from smartcounty.foundation.places import services as places

    if ctx.zoom is not None and ctx.zoom < 12:
        return {"geojson": {"type": "FeatureCollection", "features": []}, "note": _("zoom in to see the grids")}
    towns = sorted({g.town_code for g in places.grids(bbox=ctx.bbox)})[:4]
    features = []
    for code in towns:
        features += places.grid_geojson(code)["features"]
    return {"geojson": {"type": "FeatureCollection", "features": features}}


# ---- cases (what the viewer may see: the command centre sees the county, a department its own) ---

def _cases():
    from smartcounty.foundation.cases import services as cases

    return cases


def open_cases(ctx) -> dict:
    if ctx.user is None:
        return {"value": None, "unit": "", "note": "", "level": ""}
    c = _cases().open_case_counts(ctx.user)
    scope = _("county") if _sees_county(ctx.user) else _("my organisation")
    note = f"{scope} · " + (_("%(n)s overdue") % {"n": c.overdue} if c.overdue else _("none overdue"))
    return {"value": c.open, "unit": _("cases"), "note": note, "level": "bad" if c.overdue else "ok"}


def _sees_county(user) -> bool:
    return bool(user and (user.is_superuser or getattr(user, "role", "") == "platform_admin"))


def _today_start():
    from django.utils import timezone

    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def reports_today(ctx) -> dict:
    from smartcounty.foundation.cases import services as cases

    rows = cases.statistics("category", since=_today_start())
    total = sum(r["total"] for r in rows)
    return {"value": total, "unit": _("reports"), "note": _("county, since midnight"), "level": ""}


def cases_by_category(ctx) -> dict:
    if ctx.user is None:
        return {"type": "bar", "categories": [], "series": []}
    rows = _cases().open_by_category(ctx.user, limit=8)
    if not rows:
        return {"type": "bar", "categories": [], "series": []}
    return {"type": "bar", "categories": [r.name or r.category or _("other")
                                          for r in rows],
            "series": [{"name": _("on time"), "data": [r.open - r.overdue for r in rows]},
                       {"name": _("overdue"), "data": [r.overdue for r in rows]}],
            "colours": ["#4fc3f7", "#ff6b6b"]}


def case_points(ctx) -> dict:
    if ctx.user is None:
        return {"total": 0, "points": []}
    total, rows = _cases().open_case_points(ctx.user, ctx.bbox, limit=ctx.limit)
    return {"total": total, "points": [
        {"id": str(r.id), "lon": r.lon, "lat": r.lat, "label": f"{r.number} {r.title}",
         "state": "bad" if r.overdue else "open"} for r in rows]}


def case_queue(ctx) -> dict:
    from django.urls import reverse

    from smartcounty.foundation.cases import services as cases
    from smartcounty.kernel import registry

    if ctx.organisation_id is None:
        return {"items": []}
    items = []
    for r in cases.queue_items(ctx.organisation_id, limit=50):
        try:
            state = str(registry.case_types.get(r.case_type).state(r.state).title)
        except (KeyError, registry.RegistryError):
            state = r.state
        items.append({"title": f"{r.number} {r.title}", "url": reverse("cases:case", args=[r.id]),
                      "kind": "case", "due": r.due_at.isoformat() if r.due_at else None,
                      "level": 3 if r.overdue else 2, "created": r.created_at.isoformat(), "meta": state})
    return {"items": items}


# ---- catalog -------------------------------------------------------------------------------

def sharing_pending(ctx) -> dict:
    from smartcounty.foundation.catalog import services as catalog

    r = catalog.requests_on_time()
    return {"value": r["pending"], "unit": _("requests"),
            "note": _("%(n)s past their due date") % {"n": r["late_pending"]} if r["late_pending"] else "",
            "level": "bad" if r["late_pending"] else ("warn" if r["pending"] else "ok")}


def open_datasets(ctx) -> dict:
    from smartcounty.foundation.catalog import services as catalog

    rows = catalog.per_domain()
    n = sum(r["open_datasets"] for r in rows)
    downloads = sum(r["downloads"] for r in rows)
    return {"value": n, "unit": _("datasets"), "note": _("%(n)s downloads") % {"n": downloads}, "level": ""}


def sharing_to_decide(ctx) -> dict:
    from datetime import datetime, time

    from django.urls import reverse
    from django.utils import timezone

    from smartcounty.foundation.catalog import services as catalog

    if ctx.organisation_id is None:
        return {"items": []}
    items = []
    for r in catalog.pending_for_provider(ctx.organisation_id, limit=50):
        due = timezone.make_aware(datetime.combine(r["due_on"], time(23, 59, 59)))
        items.append({"title": _("Sharing request for %(name)s") % {"name": r["resource_name"]},
                      "url": reverse("catalog:internal"), "kind": "sharing_request", "due": due.isoformat(),
                      "level": 2, "created": r["submitted_at"].isoformat(), "meta": r["requester_org_code"]})
    return {"items": items}
