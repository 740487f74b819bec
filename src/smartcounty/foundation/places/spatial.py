"""Point and box queries: an indexed bounding-box query picks candidates, shapely decides.

Prepared shapely geometries are cached per process, keyed by (model, row id, ``updated_at``):
every query reads the candidates' ``updated_at`` from the database, so a geometry changed by any
process (import, admin, another worker) is rebuilt on its next use, without any cross-process
signalling. ``clear()`` empties the cache (services call it after their own writes).

Border rule (documented in the services): ``covers`` counts the boundary as inside, and
candidates are tried in ascending code order, so a point on an edge or vertex shared by several
polygons belongs to the one with the smallest code. A point covered by no town is outside the
county.
"""

import threading
from collections import OrderedDict

import shapely
from shapely.geometry import Point, box, shape

from smartcounty.foundation.places.models import Division, Grid

_MAX_ENTRIES = 20000
_lock = threading.Lock()
_cache: OrderedDict = OrderedDict()


def clear() -> None:
    with _lock:
        _cache.clear()


def cache_size() -> int:
    return len(_cache)


def _geometries(model, rows: list[tuple]) -> dict:
    """``rows`` are (pk, updated_at, ...); return {pk: prepared geometry} for rows that have one."""
    out, missing = {}, {}
    with _lock:
        for pk, stamp, *_ in rows:
            hit = _cache.get((model.__name__, pk))
            if hit is not None and hit[0] == stamp:
                _cache.move_to_end((model.__name__, pk))
                out[pk] = hit[1]
            else:
                missing[pk] = stamp
    if missing:
        loaded = {}
        for pk, stamp, geometry in model.objects.filter(pk__in=list(missing)).values_list("pk", "updated_at", "geometry"):
            if not geometry:
                continue
            geom = shape(geometry)
            shapely.prepare(geom)
            loaded[pk] = (stamp, geom)
        with _lock:
            for pk, entry in loaded.items():
                _cache[(model.__name__, pk)] = entry
                out[pk] = entry[1]
            while len(_cache) > _MAX_ENTRIES:
                _cache.popitem(last=False)
    return out


def _covering(model, queryset, lon: float, lat: float, fields: tuple[str, ...]) -> list[tuple]:
    """Rows (pk, updated_at, *fields) whose geometry covers the point, in ascending code order."""
    rows = list(
        queryset.filter(min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat)
        .order_by("code").values_list("pk", "updated_at", *fields)
    )
    if not rows:
        return []
    geoms = _geometries(model, rows)
    point = Point(lon, lat)
    with _lock:  # GEOS builds a prepared geometry's index lazily: do not race on it
        return [row for row in rows if row[0] in geoms and geoms[row[0]].covers(point)]


def town_at(lon: float, lat: float) -> tuple | None:
    """(code, name) of the town/street covering the point, smallest code on shared borders."""
    hits = _covering(Division, Division.objects.filter(level=Division.Level.TOWNSHIP), lon, lat, ("code", "name"))
    return hits[0][2:] if hits else None


def grids_at(lon: float, lat: float) -> list[tuple]:
    """(code, name, town_code, community_code) of every grid covering the point, by code."""
    hits = _covering(Grid, Grid.objects.all(), lon, lat, ("code", "name", "town_code", "community_code"))
    return [h[2:] for h in hits]


def grid_codes_in_box(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> list[str]:
    rows = list(
        Grid.objects.filter(min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat, max_lat__gte=min_lat)
        .order_by("code").values_list("pk", "updated_at", "code")
    )
    if not rows:
        return []
    geoms = _geometries(Grid, rows)
    area = box(min_lon, min_lat, max_lon, max_lat)
    with _lock:
        return [code for pk, _, code in rows if pk in geoms and geoms[pk].intersects(area)]
