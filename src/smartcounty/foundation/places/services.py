"""Places services: what other modules call. They return schemas (``places.schemas``), never models.

Lookups take WGS84 ``(lon, lat)``; convert GCJ-02/BD-09 input first with ``smartcounty.kernel.geo``.

Border rule: a point on the boundary of a town or grid is inside it (``covers``); on an edge or
vertex shared by several, it belongs to the one with the smallest code. Because a grid code
starts with its town's code, the town and the grid chosen for a border point agree. A point that
no town covers is outside the county: ``locate`` returns None. A point inside a town that no
grid covers gets ``grid_code=None``.
"""

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from smartcounty.foundation.places import spatial
from smartcounty.foundation.places.models import Division, Grid
from smartcounty.foundation.places.schemas import Division as DivisionOut
from smartcounty.foundation.places.schemas import Grid as GridOut
from smartcounty.foundation.places.schemas import Layer as LayerOut
from smartcounty.foundation.places.schemas import LayerVersion as VersionOut
from smartcounty.foundation.places.schemas import Location, PlacesChanged, TownPoint
from smartcounty.kernel import audit, events, geo
from smartcounty.kernel.problems import ApiError

CHANGED = "places.changed"
DEMO_LABEL_SUFFIX = "（示意边界）"


def county_code() -> str:
    return settings.SMARTCOUNTY_COUNTY_CODE


def _division(d: Division, parent_code: str | None = None) -> DivisionOut:
    return DivisionOut(code=d.code, name=d.name, name_en=d.name_en, level=d.level, kind=d.kind,
                       parent_code=parent_code if parent_code is not None else (
                           d.code[:9] if len(d.code) == 12 else d.code[:6] if len(d.code) > 6 else None),
                       bbox=d.bbox, is_demo_geometry=d.is_demo_geometry)


def _grid(g: Grid) -> GridOut:
    return GridOut(code=g.code, town_code=g.town_code, community_code=g.community_code, name=g.name,
                   bbox=g.bbox, is_demo_geometry=g.is_demo_geometry)


_LIST_FIELDS = ("code", "town_code", "community_code", "name", "min_lon", "min_lat", "max_lon", "max_lat",
                "is_demo_geometry")


class SchemaList:
    """A lazy, sliceable list of schemas over a queryset: ``len()``/``count()`` is one COUNT query,
    a slice is one SELECT of that page. Ninja's pagination uses it like a queryset."""

    def __init__(self, queryset, convert):
        self._qs = queryset
        self._convert = convert

    def all(self):
        return self

    def count(self) -> int:
        return self._qs.count()

    __len__ = count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._convert(o) for o in self._qs[index]]
        return self._convert(self._qs[index])

    def __iter__(self):
        return (self._convert(o) for o in self._qs.iterator(chunk_size=500))


# --- reads --------------------------------------------------------------------------------------


def county() -> DivisionOut | None:
    d = Division.objects.filter(code=county_code()).first()
    return _division(d, parent_code=d.code[:4] + "00") if d else None


def towns() -> list[DivisionOut]:
    """The county's towns and streets, by code (18 for Guan County)."""
    return [_division(d) for d in Division.objects.filter(level=Division.Level.TOWNSHIP).order_by("code")
            .defer("geometry")]


def town_points() -> list[TownPoint]:
    """The towns/streets by code, each with a point inside it (WGS84, 1e-6°): one source for the
    demo data of every module.

    A town without a shape, or with places' demo shape, gets the seed its demo shape is drawn
    around (inside that shape), so the point is the same before and after the places demo loads.
    A town with an imported shape gets a point inside that shape (shapely's representative point);
    a town with neither gets ``lon=lat=None``. Before any town is stored, the official list of the
    county's towns (``data.TOWNS``) with their seeds.
    """
    from shapely.geometry import Point, shape

    from smartcounty.foundation.places import data, demo

    seeds = {code: (round(p.x, 6), round(p.y, 6)) for code, p in demo.seeds().items()}
    rows = list(Division.objects.filter(level=Division.Level.TOWNSHIP).order_by("code")
                .values_list("code", "name", "name_en", "geometry", "is_demo_geometry"))
    if not rows:
        rows = [(code, name, name_en, None, True) for code, name, name_en in data.TOWNS]
    out = []
    for code, name, name_en, geometry, is_demo in rows:
        area = shape(geometry) if geometry else None
        point = seeds.get(code)
        if point is not None and area is not None and not (is_demo and area.covers(Point(point))):
            point = None
        if point is None and area is not None and not area.is_empty:
            p = area.representative_point()
            point = (round(p.x, 6), round(p.y, 6))
        lon, lat = point if point is not None else (None, None)
        out.append(TownPoint(code=code, name=name, name_en=name_en, lon=lon, lat=lat))
    return out


def town(code: str) -> DivisionOut | None:
    d = Division.objects.filter(level=Division.Level.TOWNSHIP, code=str(code)).defer("geometry").first()
    return _division(d) if d else None


def villages(town_code: str) -> list[DivisionOut]:
    """The villages (村) and communities (社区) of a town or street, by code (12-digit codes)."""
    return [_division(d) for d in Division.objects.filter(level=Division.Level.VILLAGE, code__startswith=str(town_code))
            .order_by("code").defer("geometry")]


def village(code: str) -> DivisionOut | None:
    d = Division.objects.filter(level=Division.Level.VILLAGE, code=str(code)).defer("geometry").first()
    return _division(d) if d else None


def village_geojson(town_code: str) -> dict:
    """A FeatureCollection of a town's villages and communities (for maps); demo shapes say so in ``label``."""
    features = []
    for d in Division.objects.filter(level=Division.Level.VILLAGE, code__startswith=str(town_code),
                                     geometry__isnull=False).order_by("code"):
        label = d.name + ("" if d.name.endswith("（演示）") or not d.is_demo_geometry else DEMO_LABEL_SUFFIX)
        features.append(_feature(d, {"code": d.code, "name": d.name, "kind": d.kind, "label": label,
                                     "is_demo_geometry": d.is_demo_geometry}))
    return {"type": "FeatureCollection", "features": features}


def check_bbox(bbox) -> tuple[float, float, float, float]:
    """Validate ``[west, south, east, north]`` (a list or a comma-separated string)."""
    if isinstance(bbox, str):
        bbox = bbox.split(",")
    try:
        parts = [float(p) for p in bbox]
    except (TypeError, ValueError):
        raise ApiError(422, "invalid", "bbox is west,south,east,north in degrees", field="bbox") from None
    if len(parts) != 4:
        raise ApiError(422, "invalid", "bbox is west,south,east,north in degrees", field="bbox")
    try:
        geo.check_lonlat(parts[0], parts[1])
        geo.check_lonlat(parts[2], parts[3])
    except ValueError as exc:
        raise ApiError(422, "invalid", f"bbox: {exc}", field="bbox") from None
    if parts[0] > parts[2] or parts[1] > parts[3]:
        raise ApiError(422, "invalid", "bbox: west must not exceed east nor south exceed north", field="bbox")
    return parts[0], parts[1], parts[2], parts[3]


def grids(town_code: str | None = None, bbox=None) -> SchemaList:
    """Grids by code, optionally of one town and/or overlapping a bbox (by bounding boxes)."""
    qs = Grid.objects.order_by("code").only(*_LIST_FIELDS)
    if town_code:
        qs = qs.filter(town_code=str(town_code))
    if bbox is not None:
        w, s, e, n = check_bbox(bbox)
        qs = qs.filter(Q(min_lon__lte=e) & Q(max_lon__gte=w) & Q(min_lat__lte=n) & Q(max_lat__gte=s))
    return SchemaList(qs, _grid)


def grid(code: str) -> GridOut | None:
    g = Grid.objects.filter(code=str(code)).only(*_LIST_FIELDS).first()
    return _grid(g) if g else None


def locate(lon: float, lat: float) -> Location | None:
    """Town and grid of a WGS84 point; None outside the county. ValueError on a bad coordinate."""
    lon, lat = geo.check_lonlat(lon, lat)
    found = spatial.town_at(lon, lat)
    if found is None:
        return None
    town_code, town_name = found
    hits = spatial.grids_at(lon, lat)
    chosen = next((h for h in hits if h[2] == town_code), hits[0] if hits else None)
    if chosen is None:
        return Location(town_code=town_code, town_name=town_name)
    return Location(town_code=town_code, town_name=town_name, grid_code=chosen[0], grid_name=chosen[1],
                    community_code=chosen[3])


def grid_codes_in_bbox(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> list[str]:
    """Codes of the grids whose polygon intersects the box (shapely-exact), by code."""
    return spatial.grid_codes_in_box(*check_bbox([min_lon, min_lat, max_lon, max_lat]))


def has_demo_geometry() -> bool:
    return (Division.objects.filter(is_demo_geometry=True).exists()
            or Grid.objects.filter(is_demo_geometry=True).exists())


def _feature(obj, properties: dict) -> dict:
    return {"type": "Feature", "id": obj.code, "geometry": obj.geometry, "properties": properties}


def town_geojson() -> dict:
    """A FeatureCollection of the towns/streets (for maps); demo shapes say so in ``label``."""
    features = []
    for d in Division.objects.filter(level=Division.Level.TOWNSHIP, geometry__isnull=False).order_by("code"):
        label = d.name + (DEMO_LABEL_SUFFIX if d.is_demo_geometry else "")
        features.append(_feature(d, {"code": d.code, "name": d.name, "name_en": d.name_en, "kind": d.kind,
                                     "label": label, "is_demo_geometry": d.is_demo_geometry}))
    return {"type": "FeatureCollection", "features": features}


def background_geojson() -> dict:
    """What every map draws under its own data when no tile server is configured: the county's outline
    (its own shape, or the union of its towns') and each town with a point for its label (inside the
    town). ``{"county": Feature | None, "towns": FeatureCollection}``; grids come per town
    (``grid_geojson``) when a map is zoomed in."""
    from shapely.geometry import mapping, shape
    from shapely.ops import unary_union

    towns = list(Division.objects.filter(level=Division.Level.TOWNSHIP, geometry__isnull=False).order_by("code"))
    shapes = {d.code: shape(d.geometry) for d in towns}
    features = []
    for d in towns:
        point = shapes[d.code].representative_point()
        features.append({"type": "Feature", "id": d.code, "geometry": d.geometry, "properties": {
            "code": d.code, "name": d.name, "label_lon": round(point.x, 6), "label_lat": round(point.y, 6),
            "bbox": [d.min_lon, d.min_lat, d.max_lon, d.max_lat], "is_demo_geometry": d.is_demo_geometry}})
    own = Division.objects.filter(code=county_code(), geometry__isnull=False).first()
    outline = own.geometry if own else (mapping(unary_union(list(shapes.values())).buffer(0)) if shapes else None)
    county_feature = None
    if outline:
        county_feature = {"type": "Feature", "id": county_code(), "geometry": outline,
                          "properties": {"code": county_code(), "name": own.name if own else ""}}
    return {"county": county_feature, "towns": {"type": "FeatureCollection", "features": features}}


def grid_geojson(town_code: str) -> dict:
    """A FeatureCollection of one town's grids (for maps)."""
    features = [
        _feature(g, {"code": g.code, "name": g.name, "town_code": g.town_code, "community_code": g.community_code,
                     "is_demo_geometry": g.is_demo_geometry})
        for g in Grid.objects.filter(town_code=str(town_code), geometry__isnull=False).order_by("code")
    ]
    return {"type": "FeatureCollection", "features": features}


# --- writes -------------------------------------------------------------------------------------


def announce(level: str, codes: list[str], reason: str) -> None:
    """Drop this process's geometry cache and tell subscribers after commit."""
    spatial.clear()
    events.publish(CHANGED, PlacesChanged(level=level, codes=list(codes), reason=reason).model_dump())


def rename_grid(code: str, name: str, *, actor) -> GridOut:
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ApiError(422, "invalid", "a grid name has 1-80 characters", field="name")
    with transaction.atomic():
        g = Grid.objects.select_for_update().filter(code=str(code)).first()
        if g is None:
            raise ApiError(404, "not-found")
        before = g.name
        g.name = name
        g.save(update_fields=["name", "updated_at"])
        audit.record("places.grid_rename", actor=actor, obj=g, detail={"code": g.code, "before": before, "after": name})
        announce("grid", [g.code], "rename")
    return _grid(g)


def import_geojson(data, level: str, *, replace: bool = False, actor=None):
    """Import towns or grids from a GeoJSON FeatureCollection, all or nothing (see ``importer``)."""
    from smartcounty.foundation.places import importer

    return importer.import_geojson(data, level, replace=replace, actor=actor)


def grid_counts() -> dict[str, int]:
    """Number of grids per town code (one GROUP BY query)."""
    from django.db.models import Count

    return dict(Grid.objects.order_by().values_list("town_code").annotate(n=Count("id")).values_list("town_code", "n"))


def ensure_divisions() -> int:
    """Create or update the county and its official towns/streets (codes and names, no geometry);
    for installations that load real boundaries instead of the demo. Returns rows created."""
    from smartcounty.foundation.places.demo import ensure_divisions as _ensure

    with transaction.atomic():
        _county, made = _ensure()
    return made


# --- map layers (layers/: readers, index, store, query) ---------------------------------------------


def may_read_layer(user, layer) -> bool:
    """A public layer is for everyone; the others for accounts with ``places.view_layers``."""
    from smartcounty.kernel import authz

    return bool(layer.public) or authz.user_has_perm(user, "places.view_layers")


def layers(user=None) -> list[LayerOut]:
    """The layers this user may read (``schemas.Layer``), by key."""
    from smartcounty.foundation.places.layers import ops
    from smartcounty.foundation.places.models import Layer

    return [ops.layer_out(layer) for layer in Layer.objects.select_related("current_version").order_by("key")
            if may_read_layer(user, layer)]


def layer(key: str) -> LayerOut:
    """One layer (``schemas.Layer``); 404 when it does not exist."""
    from smartcounty.foundation.places.layers import ops

    return ops.layer_out(ops.get(key))


def readable_layer(key: str, user) -> LayerOut:
    """One layer the user may read (``schemas.Layer``): 404 when it does not exist, 403 when he may not."""
    from smartcounty.foundation.places.layers import ops

    found = ops.get(key)
    if not may_read_layer(user, found):
        raise ApiError(403, "forbidden")
    return ops.layer_out(found)


def ensure_layer(key: str, name: str, *, description: str = "", organisation_id: int | None = None,
                 public: bool = False, is_demo: bool = False, style: dict | None = None) -> LayerOut:
    """Create or update a layer's description (not its data). Returns ``schemas.Layer``."""
    from smartcounty.foundation.places.layers import ops
    from smartcounty.foundation.places.models import Layer

    obj, _ = Layer.objects.update_or_create(key=key, defaults={
        "name": name, "description": description, "organisation_id": organisation_id, "public": public,
        "is_demo": is_demo, "style": style or {}})
    return ops.layer_out(Layer.objects.select_related("current_version").get(pk=obj.pk))


def may_import_layer(user, key: str) -> bool:
    from smartcounty.foundation.places.layers import ops
    from smartcounty.kernel import authz

    return authz.user_has_perm(user, "places.import_layers", ops.get(key).organisation_id)


def import_layer_file(key: str, path, filename: str, *, crs: str | None = None, repair: bool = False, actor=None,
                      progress=None, background: bool | None = None, keep_file: bool = False) -> VersionOut:
    """Import a GeoJSON, zipped Shapefile or KML file as the layer's next version (``schemas.LayerVersion``).

    ``background=None``: files up to 5 MB are imported before returning, larger ones in a thread (poll
    ``layer_version``). A refused file gives a ``failed`` version with the reason (and the feature number)."""
    from smartcounty.foundation.places.layers import ops

    found = ops.get(key)
    version = ops.new_version(found, filename, repair=repair, actor_id=getattr(actor, "pk", None))
    if background is None:
        background = Path(path).stat().st_size > ops.SYNC_BYTES
    if background:
        ops.start_import(version, Path(path), crs=crs, actor=actor)
    else:
        version = ops.run_import(version, Path(path), crs=crs, actor=actor, progress=progress, keep_file=keep_file)
        spatial.clear()
    return layer_version(version.pk)


def save_layer_upload(chunks, filename: str) -> Path:
    """Store an uploaded file (iterable of bytes) in the data folder; returns its path (413 past the limit)."""
    from smartcounty.foundation.places.layers import ops

    return ops.save_upload(chunks, filename)


def layer_version(version_id: int) -> VersionOut:
    from smartcounty.foundation.places.layers import ops
    from smartcounty.foundation.places.models import LayerVersion

    v = LayerVersion.objects.select_related("layer").filter(pk=int(version_id)).first()
    if v is None:
        raise ApiError(404, "not-found")
    return ops.version_out(v, v.layer.key, v.layer.current_version_id)


def layer_versions(key: str) -> list[VersionOut]:
    from smartcounty.foundation.places.layers import ops

    found = ops.get(key)
    return [ops.version_out(v, found.key, found.current_version_id) for v in found.versions.order_by("-number")]


def layer_geojson(key: str, bbox, *, version: int | None = None, limit: int = 5000) -> dict:
    """The layer's features meeting the bbox (west,south,east,north) as GeoJSON; ``truncated`` says whether more
    than ``limit`` were left out. Reads the current version unless ``version`` names an older one."""
    from smartcounty.foundation.places.layers import ops, query

    found = ops.get(key)
    v = ops.version_of(found, version)
    fc, truncated = query.geojson(v, check_bbox(bbox), limit=max(1, min(int(limit), 20000)))
    fc.update(layer=found.key, name=found.name, version=v.number, truncated=truncated)
    return fc


def layer_overlaps(key: str, geometry, *, version: int | None = None) -> dict:
    """Where a lon/lat parcel (GeoJSON Polygon/MultiPolygon) meets the layer: per feature hit its number, name,
    attributes and overlap in m² (Albers equal-area), the union overlap in m² and as GeoJSON."""
    from smartcounty.foundation.places.layers import ops

    return ops.overlaps(ops.get(key), ops.shape_of(geometry), version)


def parcel_area_m2(geometry) -> float:
    """Area of a lon/lat GeoJSON polygon in m² (Albers equal-area); 422 for an invalid one."""
    from smartcounty.foundation.places.layers import crs as crsmod
    from smartcounty.foundation.places.layers import ops

    return crsmod.area_m2(ops.shape_of(geometry))


def parcel_geometry(geometry) -> dict:
    """The validated parcel as a clean 2-D GeoJSON geometry (422 with the reason otherwise)."""
    import json

    import shapely

    from smartcounty.foundation.places.layers import ops

    return json.loads(shapely.to_geojson(ops.shape_of(geometry)))


def read_parcel_file(path, filename: str, *, crs: str | None = None) -> dict:
    """The polygons of an uploaded GeoJSON/Shapefile/KML merged into one lon/lat GeoJSON geometry."""
    from smartcounty.foundation.places.layers import ops

    return ops.read_shapes(path, filename, crs=crs)


def delete_layer(key: str, *, actor=None) -> int:
    """Delete a layer with every version, feature and index cell; returns the features deleted."""
    from smartcounty.foundation.places.layers import ops, store
    from smartcounty.foundation.places.models import LayerFeature

    found = ops.get(key)
    with transaction.atomic():
        ids = list(found.versions.values_list("pk", flat=True))
        count = LayerFeature.objects.filter(version_id__in=ids).count()
        for pk in ids:
            store.discard(pk)
        found.delete()
        audit.record("places.layer_delete", actor=actor, object_type="places.layer", object_id=key,
                     detail={"versions": len(ids), "features": count})
    return count
