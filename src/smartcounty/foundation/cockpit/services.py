"""Cockpit services: which panels a viewer sees, their live data, map layers and the work list.

Other modules (the portal) call these; modules contributing panels only register them (see
``schemas.py``). Every panel call is isolated: an exception in one panel is logged and that panel
is reported as unavailable, the others still answer.
"""

import contextlib
import logging
import math
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from smartcounty.foundation.cockpit.schemas import CockpitPanel, PanelContext
from smartcounty.kernel import registry
from smartcounty.kernel.authz import user_has_perm
from smartcounty.kernel.net import safe_link
from smartcounty.kernel.problems import ApiError

log = logging.getLogger("smartcounty.cockpit")

VIEW_PERMISSION = "cockpit.view"
#: The county's estimated bounding box (standards-cn.md §8): the map's first view and the bbox limit.
COUNTY_BBOX = (115.27, 36.36, 115.78, 36.70)
#: Points a map layer returns at most per request (the map clusters them).
MAP_LIMIT = 1000
#: A bbox may not be larger than this many degrees on a side (the county plus a wide margin).
MAX_BBOX_SPAN = 5.0
#: Layers one request may ask for together.
MAX_LAYERS_AT_ONCE = 20


def public_mode() -> bool:
    """A configured public cockpit (e.g. a screen in a public hall): anonymous viewers see public panels."""
    return bool(getattr(settings, "SMARTCOUNTY_COCKPIT_PUBLIC", False))


def tile_url() -> str:
    """Map tiles only when configured (e.g. 天地图 with a key); otherwise the map draws areas on a plain background."""
    return getattr(settings, "SMARTCOUNTY_TILE_URL", "") or ""


def can_view(user) -> bool:
    return user_has_perm(user, VIEW_PERMISSION)


def viewer_audience(user) -> str | None:
    """"staff" for cockpit viewers, "public" when the public mode lets anyone in, else None (refused)."""
    if can_view(user):
        return "staff"
    if public_mode():
        return "public"
    return None


def require_viewer(user) -> str:
    audience = viewer_audience(user)
    if audience is None:
        if user is None or not getattr(user, "is_authenticated", False):
            raise ApiError(401, "not-authenticated")
        raise ApiError(403, "forbidden")
    return audience


def context_for(user=None, **kwargs) -> PanelContext:
    if user is None or not getattr(user, "is_authenticated", False):
        return PanelContext(**kwargs)
    return PanelContext(user=user, organisation_id=getattr(user, "organisation_id", None), **kwargs)


def _utc_iso(value) -> str | None:
    """A due/created time (datetime or ISO text) as UTC ISO text, so they sort as text."""
    if not value:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _visible(panel: CockpitPanel, user, audience: str) -> bool:
    if audience == "public" and panel.audience != "public":
        return False
    if panel.permission and not user_has_perm(user, panel.permission):
        return False
    return True


def panels(*, user=None, audience: str = "staff", kinds: tuple[str, ...] | None = None) -> list[CockpitPanel]:
    """The registered panels ``user`` may see on a screen for ``audience``, in display order."""
    found = sorted((p for p in registry.cockpit_panels.values()
                    if (kinds is None or p.kind in kinds) and _visible(p, user, audience)), key=lambda p: (p.order, p.key))
    # One panel per topic: a domain's panel (lower order) takes the place of the cockpit's own fallback.
    topics, out = set(), []
    for p in found:
        if p.topic and p.topic in topics:
            continue
        topics.add(p.topic)
        out.append(p)
    return out


def panel(key: str, *, user=None, audience: str = "staff") -> CockpitPanel:
    if key not in registry.cockpit_panels:
        raise ApiError(404, "not-found")
    found = registry.cockpit_panels.get(key)
    if not _visible(found, user, audience):
        raise ApiError(404, "not-found")
    return found


def topic(name: str, ctx: PanelContext, *, user=None, audience: str = "public") -> dict | None:
    """The data of the first (lowest order) panel about ``name`` the viewer may see, with its title;
    None when no module offers one. Used by the resident portal ("air", "warnings")."""
    for p in panels(user=user, audience=audience):
        if p.topic == name:
            return {**spec(p), **call(p, ctx)}
    return None


def spec(panel: CockpitPanel) -> dict:
    """What a page needs to lay a panel out (no data)."""
    return {"key": panel.key, "title": str(panel.title), "kind": panel.kind, "order": panel.order,
            "refresh": panel.refresh, "colour": panel.colour, "cluster": panel.cluster,
            "default_on": panel.default_on, "help": str(panel.help or "")}


def _shareable(panel: CockpitPanel, ctx: PanelContext) -> bool:
    return (panel.cache > 0 and panel.kind in ("figure", "chart", "list") and ctx.bbox is None
            and ctx.town_code is None and ctx.lon is None)


def call(panel: CockpitPanel, ctx: PanelContext) -> dict:
    """``panel.data(ctx)``, isolated: ``{"ok": True, "data": ...}`` or ``{"ok": False, "error": ...}``.

    A panel with ``cache`` seconds is computed once for every viewer in that time (per language)."""
    if _shareable(panel, ctx):
        key = f"cockpit:panel:{panel.key}:{get_language()}"
        found = cache.get(key)
        if found is None:
            found = _call(panel, ctx)
            if found["ok"]:
                cache.set(key, found, panel.cache)
        return found
    return _call(panel, ctx)


def _call(panel: CockpitPanel, ctx: PanelContext) -> dict:
    started = time.perf_counter()
    try:
        data = panel.data(ctx)
    except Exception:
        log.exception("cockpit panel %s failed", panel.key)
        return {"ok": False, "error": _("This panel is unavailable right now.")}
    elapsed = time.perf_counter() - started
    if elapsed > 0.5:
        log.warning("cockpit panel %s took %.0f ms", panel.key, elapsed * 1000)
    _safe_links(data)
    return {"ok": True, "data": data}


def _safe_links(data) -> None:
    """Blank every list item's ``url`` that a page must not link to (``kernel.net.safe_link``): panels
    build items from stored data, and the portal, the staff home and the cockpit render them as links."""
    items = data.get("items") if isinstance(data, dict) else None
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict) and item.get("url"):
            item["url"] = safe_link(item["url"])


def snapshot(user=None, *, audience: str = "staff", ctx: PanelContext | None = None) -> dict:
    """Every figure, chart and list panel the viewer sees, with its data: the cockpit's live update.

    Map layers are not included (the map asks for what is in view); work lists are on the staff home.
    """
    ctx = ctx or context_for(user)
    shown = panels(user=user, audience=audience, kinds=("figure", "chart", "list"))
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "refresh": min((p.refresh for p in shown), default=30),
        "panels": {p.key: call(p, ctx) for p in shown},
    }


def parse_bbox(text: str | None) -> tuple[float, float, float, float]:
    """``"min_lon,min_lat,max_lon,max_lat"`` → a checked tuple; None/empty → the county."""
    if not text:
        return COUNTY_BBOX
    parts = text.split(",")
    if len(parts) != 4:
        raise ApiError(422, "invalid", "bbox needs four numbers: min_lon,min_lat,max_lon,max_lat", field="bbox")
    try:
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
    except ValueError:
        raise ApiError(422, "invalid", "bbox values must be numbers", field="bbox") from None
    values = (min_lon, min_lat, max_lon, max_lat)
    if not all(math.isfinite(v) for v in values):
        raise ApiError(422, "invalid", "bbox values must be finite", field="bbox")
    if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
        raise ApiError(422, "invalid", "bbox must be min_lon<max_lon, min_lat<max_lat within -180..180, -90..90",
                       field="bbox")
    if max_lon - min_lon > MAX_BBOX_SPAN or max_lat - min_lat > MAX_BBOX_SPAN:
        raise ApiError(422, "invalid", f"bbox may span at most {MAX_BBOX_SPAN} degrees", field="bbox")
    return values


def map_layer(key: str, *, user=None, audience: str = "staff", bbox=None, zoom: int | None = None,
              limit: int = MAP_LIMIT) -> dict:
    """One map layer's objects inside ``bbox`` (at most ``limit`` points; ``total`` counts them all)."""
    found = panel(key, user=user, audience=audience)
    if found.kind != "map-layer":
        raise ApiError(404, "not-found")
    ctx = context_for(user, bbox=bbox or COUNTY_BBOX, zoom=zoom, limit=max(1, min(limit, MAP_LIMIT)))
    result = call(found, ctx)
    if result["ok"]:
        data = result["data"] or {}
        points = data.get("points")
        if points is not None and len(points) > ctx.limit:
            # A layer that ignored the limit is cut here: the map never gets every object at once.
            data = {**data, "points": points[: ctx.limit], "total": max(data.get("total", 0), len(points))}
            result["data"] = data
    return {"key": key, **result}


def _urgency(item: dict):
    due = item.get("due")
    return (due is None, due or "", -int(item.get("level") or 0), item.get("created") or "")


def worklist(user) -> list[dict]:
    """What waits for ``user`` and their organisation across modules, most urgent first.

    Each item has ``due`` (ISO time or None), ``overdue`` and ``panel`` (the contributing panel) added.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    ctx = context_for(user)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    items = []
    for p in panels(user=user, audience="staff", kinds=("worklist",)):
        result = call(p, ctx)
        if not result["ok"]:
            items.append({"title": str(p.title), "meta": result["error"], "panel": p.key, "module": p.key.split(".")[0],
                          "due": None, "level": 0, "count": 0, "url": "", "kind": "unavailable", "created": None,
                          "overdue": False, "extra": {}})
            continue
        for item in (result["data"] or {}).get("items", []):
            item = dict(item)
            item.setdefault("module", p.key.split(".")[0])
            item.setdefault("level", 1)
            item.setdefault("count", 1)
            item["title"] = str(item.get("title", ""))
            item["panel"] = p.key
            item["due"] = _utc_iso(item.get("due"))
            item["created"] = _utc_iso(item.get("created"))
            item["overdue"] = bool(item.get("due")) and item["due"] < now
            items.append(item)
    items.sort(key=_urgency)
    return items


@contextlib.contextmanager
def temporary_panels(*panels: CockpitPanel, module: str = "tests"):
    """Register panels for the duration of a ``with`` block (tests of modules that contribute panels)."""
    for p in panels:
        registry.cockpit_panels.register(p.key, p, module=module)
    try:
        yield
    finally:
        for p in panels:
            registry.cockpit_panels._items.pop(p.key, None)
            registry.cockpit_panels._owners.pop(p.key, None)
