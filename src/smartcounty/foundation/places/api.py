"""Places API, mounted at ``/api/v1/places/``.

Reads are public by design (``auth=None``): town and grid names, codes and shapes are public
information residents need to report where something is. Renaming a grid needs ``places.manage``
(platform administrators).
"""

import math

from django.http import Http404
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from smartcounty.foundation.places import services
from smartcounty.foundation.places.schemas import (
    Division,
    Grid,
    GridRename,
    Layer,
    LayerImportIn,
    LayerVersion,
    LocateOut,
)
from smartcounty.kernel import authz, geo
from smartcounty.kernel.api import Id, Pagination
from smartcounty.kernel.problems import ApiError

router = Router(tags=["places"])


class GridFilter(Schema):
    town: str | None = None
    bbox: str | None = None


class LocateQuery(Schema):
    lon: float
    lat: float
    crs: geo.CRS = geo.CRS.WGS84


@router.get("/county", response=Division, auth=None)
def county(request):
    found = services.county()
    if found is None:
        raise Http404
    return found


@router.get("/towns", response=list[Division], auth=None)
@paginate(Pagination)
def towns(request):
    return services.towns()


@router.get("/towns.geojson", auth=None)
def towns_geojson(request):
    return services.town_geojson()


@router.get("/background.geojson", auth=None, url_name="places_background")
def background_geojson(request):
    """The maps' offline background: the county outline and the towns with their label points."""
    return services.background_geojson()


@router.get("/towns/{code}", response=Division, auth=None)
def town(request, code: str):
    found = services.town(code)
    if found is None:
        raise Http404
    return found


@router.get("/towns/{code}/villages", response=list[Division], auth=None)
@paginate(Pagination)
def villages(request, code: str):
    """The villages (村) and communities (社区) of a town or street (12-digit codes)."""
    if services.town(code) is None:
        raise Http404
    return services.villages(code)


@router.get("/towns/{code}/villages.geojson", auth=None, url_name="places_villages_geojson")
def villages_geojson(request, code: str):
    if services.town(code) is None:
        raise Http404
    return services.village_geojson(code)


@router.get("/villages/{code}", response=Division, auth=None)
def village(request, code: str):
    found = services.village(code)
    if found is None:
        raise Http404
    return found


@router.get("/grids", response=list[Grid], auth=None)
@paginate(Pagination)
def grids(request, filters: Query[GridFilter]):
    return services.grids(town_code=filters.town, bbox=filters.bbox)


@router.get("/grids.geojson", auth=None, url_name="places_grids_geojson")
def grids_geojson(request, town: str):
    if services.town(town) is None:
        raise ApiError(404, "not-found", field="town")
    return services.grid_geojson(town)


@router.get("/grids/{code}", response=Grid, auth=None)
def grid(request, code: str):
    found = services.grid(code)
    if found is None:
        raise Http404
    return found


@router.patch("/grids/{code}", response=Grid)
def rename_grid(request, code: str, body: GridRename):
    user = authz.require(request, "places.manage")
    return services.rename_grid(code, body.name, actor=user)


@router.get("/locate", response=LocateOut, auth=None, url_name="places_locate")
def locate(request, q: Query[LocateQuery]):
    for field, value, limit in (("lon", q.lon, 180.0), ("lat", q.lat, 90.0)):
        if not (math.isfinite(value) and -limit <= value <= limit):
            raise ApiError(422, "invalid", f"{field} must be a finite number within ±{limit:g}", field=field)
    lon, lat = geo.convert(q.lon, q.lat, q.crs, geo.CRS.WGS84)
    return LocateOut(lon=q.lon, lat=q.lat, crs=q.crs.value, wgs84=[lon, lat], location=services.locate(lon, lat))


# --- map layers ---------------------------------------------------------------------------------


class LayerBoxQuery(Schema):
    bbox: str
    version: int | None = Field(None, ge=1, le=1_000_000)
    limit: int = Field(5000, ge=1, le=20000)


@router.get("/layers", response=list[Layer], auth=None, url_name="places_layers")
def layers(request):
    """The layers the caller may read (public ones for everyone, the others with ``places.view_layers``)."""
    return services.layers(authz.request_user(request))


@router.get("/layers/{key}", response=Layer, auth=None)
def layer(request, key: str):
    return services.readable_layer(key, authz.request_user(request))


@router.get("/layers/{key}/features.geojson", auth=None, url_name="places_layer_geojson")
def layer_geojson(request, key: str, q: Query[LayerBoxQuery]):
    """Features meeting a bbox (west,south,east,north, WGS84), through the layer's spatial index."""
    services.readable_layer(key, authz.request_user(request))
    return services.layer_geojson(key, q.bbox, version=q.version, limit=q.limit)


@router.get("/layers/{key}/versions", response=list[LayerVersion], auth=None)
def layer_versions(request, key: str):
    services.readable_layer(key, authz.request_user(request))
    return services.layer_versions(key)


@router.post("/layers/{key}/versions", response={201: LayerVersion, 202: LayerVersion, 422: LayerVersion})
def import_layer(request, key: str, file: File[UploadedFile], options: Form[LayerImportIn]):
    """Import a file as the layer's next version: small files at once (201, or 422 with the reason when refused),
    larger ones in the background (202: poll ``/layers/versions/{id}``)."""
    user = authz.require(request, "places.view_layers")
    if not services.may_import_layer(user, key):
        raise ApiError(403, "forbidden")
    path = services.save_layer_upload(file.chunks(), file.name or "upload")
    out = services.import_layer_file(key, path, file.name or "upload", crs=options.crs or None,
                                     repair=options.repair, actor=user)
    return Status({"ready": 201, "failed": 422}.get(out.status, 202), out)


@router.get("/layers/versions/{version_id}", response=LayerVersion, url_name="places_layer_version")
def layer_version(request, version_id: Id):
    """An import's progress (``done`` of ``total``) and outcome."""
    authz.require(request, "places.view_layers")
    return services.layer_version(version_id)
