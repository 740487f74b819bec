"""Reads of a layer version: features in a box (through the cell index), as GeoJSON, and overlaps with a shape."""

import orjson
import shapely

from smartcounty.foundation.places.layers import crs as crsmod
from smartcounty.foundation.places.layers import index
from smartcounty.foundation.places.models import LayerCell, LayerFeature

_FIELDS = ("pk", "number", "name", "geom_type", "properties", "wkb")


def in_box(version, w: float, s: float, e: float, n: float, *, fields=_FIELDS, limit: int | None = None) -> list:
    """Rows (values_list of ``fields``) of the version's features whose bounding box meets the box, by number."""
    if not version.levels:
        return []
    parts = [LayerCell.objects.filter(q, version_id=version.pk).values_list("feature_id", flat=True)
             for q in index.box_filters(version.levels, w, s, e, n)]
    ids = set(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else set(parts[0])
    if not ids:
        return []
    qs = (LayerFeature.objects.filter(pk__in=sorted(ids))
          .filter(min_lon__lte=e, max_lon__gte=w, min_lat__lte=n, max_lat__gte=s)
          .order_by("number").values_list(*fields))
    return list(qs[:limit] if limit else qs)


def geojson(version, bbox, *, limit: int) -> tuple[dict, bool]:
    """A FeatureCollection of the features meeting the box (exactly: shapely), at most ``limit``; and whether
    more were left out."""
    w, s, e, n = bbox
    area = shapely.box(w, s, e, n)
    rows = in_box(version, w, s, e, n, fields=("number", "name", "properties", "wkb"), limit=limit + 1)
    truncated = len(rows) > limit
    features = []
    for number, name, props, wkb in rows[:limit]:
        geom = shapely.from_wkb(bytes(wkb))
        if not geom.intersects(area):
            continue
        features.append({"type": "Feature", "id": number, "geometry": orjson.loads(shapely.to_geojson(geom)),
                         "properties": {**props, "_number": number, "_name": name}})
    return {"type": "FeatureCollection", "features": features}, truncated


def overlaps(version, parcel) -> dict:
    """Where the lon/lat ``parcel`` (a shapely polygon) meets the version's features: per feature hit, the
    overlap area in m² (equal-area), and the area of the union of the overlaps (features may overlap each
    other; the union counts each m² once)."""
    w, s, e, n = parcel.bounds
    rows = in_box(version, w, s, e, n, fields=("number", "name", "properties", "wkb"))
    shapely.prepare(parcel)
    hits, pieces = [], []
    for number, name, props, wkb in rows:
        geom = shapely.from_wkb(bytes(wkb))
        if not parcel.intersects(geom):
            continue
        piece = parcel.intersection(geom)
        area = crsmod.area_m2(piece) if piece.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection") else 0
        pieces.append(piece)
        hits.append({"number": number, "name": name, "properties": props, "overlap_m2": area})
    union = shapely.union_all(pieces) if pieces else shapely.Polygon()
    return {"features": hits, "overlap_m2": crsmod.area_m2(union), "candidates": len(rows),
            "overlap_geometry": union}
