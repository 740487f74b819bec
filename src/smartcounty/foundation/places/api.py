"""Places API, mounted at ``/api/v1/places/``.

Reads are public by design (``auth=None``): town and grid names, codes and shapes are public
information residents need to report where something is. Renaming a grid needs ``places.manage``
(platform administrators).
"""

import math

from django.http import Http404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from smartcounty.foundation.places import services
from smartcounty.foundation.places.schemas import Division, Grid, GridRename, LocateOut
from smartcounty.kernel import authz, geo
from smartcounty.kernel.api import Pagination
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
