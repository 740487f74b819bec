"""Cockpit JSON: the compact live update, map layers by bounding box, and the staff work list.

These answer the cockpit page's polling. They are ``auth=None`` because a configured public cockpit
serves anonymous viewers; every endpoint decides itself (``services.require_viewer``): staff with
``cockpit.view`` see every panel, anonymous viewers only public panels and only in public mode.
"""

from typing import Annotated, Any

from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from smartcounty.foundation.cockpit import services
from smartcounty.kernel.api import Pagination
from smartcounty.kernel.authz import request_user
from smartcounty.kernel.problems import ApiError

router = Router(tags=["cockpit"])


class PanelSpecOut(Schema):
    key: str
    title: str
    kind: str
    order: int
    refresh: int
    colour: str
    cluster: bool
    default_on: bool
    help: str


class LiveOut(Schema):
    at: str
    refresh: int
    panels: dict[str, dict[str, Any]]


class LayerOut(Schema):
    key: str
    ok: bool
    data: dict[str, Any] | None = None
    error: str | None = None


class WorkItemOut(Schema):
    title: str
    url: str = ""
    module: str = ""
    kind: str = ""
    due: str | None = None
    overdue: bool = False
    level: int = 1
    count: int = 1
    created: str | None = None
    meta: str = ""
    panel: str = ""


@router.get("/panels", response=list[PanelSpecOut], auth=None, url_name="cockpit_panels", summary="Panels the viewer sees")
def list_panels(request):
    user = request_user(request)
    audience = services.require_viewer(user)
    return [services.spec(p) for p in services.panels(user=user, audience=audience)]


@router.get("/live", response=LiveOut, auth=None, url_name="cockpit_live", summary="Live update: every figure, chart and list panel")
def live(request):
    user = request_user(request)
    audience = services.require_viewer(user)
    return services.snapshot(user, audience=audience)


@router.get("/layers", response=list[LayerOut], auth=None, url_name="cockpit_layers",
            summary="Several map layers' objects inside one bounding box, in one answer (the map's first view)")
def several_layers(request, layers: str, bbox: str = "", zoom: Annotated[int | None, Field(ge=0, le=22)] = None,
                   limit: Annotated[int, Field(ge=1, le=services.MAP_LIMIT)] = services.MAP_LIMIT):
    user = request_user(request)
    audience = services.require_viewer(user)
    wanted = list(dict.fromkeys(k for k in layers.split(",") if k))
    if not wanted or len(wanted) > services.MAX_LAYERS_AT_ONCE:
        raise ApiError(422, "invalid", f"layers names 1 to {services.MAX_LAYERS_AT_ONCE} layer keys, comma-separated",
                       field="layers")
    box = services.parse_bbox(bbox)
    return [services.map_layer(k, user=user, audience=audience, bbox=box, zoom=zoom, limit=limit) for k in wanted]


@router.get("/layers/{key}", response=LayerOut, auth=None, url_name="cockpit_layer", summary="A map layer's objects inside a bounding box")
def layer(request, key: str, bbox: str = "", zoom: Annotated[int | None, Field(ge=0, le=22)] = None,
          limit: Annotated[int, Field(ge=1, le=services.MAP_LIMIT)] = services.MAP_LIMIT):
    user = request_user(request)
    audience = services.require_viewer(user)
    return services.map_layer(key, user=user, audience=audience, bbox=services.parse_bbox(bbox), zoom=zoom,
                              limit=limit)


@router.get("/worklist", response=list[WorkItemOut], url_name="cockpit_worklist", summary="What waits for me and my organisation, most urgent first")
@paginate(Pagination)
def worklist(request, **kwargs):
    user = request_user(request)
    if user is None:
        raise ApiError(401, "not-authenticated")
    return services.worklist(user)
