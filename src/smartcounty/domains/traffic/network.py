"""The road network: segments imported from GeoJSON and the speed streams mapped to them."""

import math

from django.db import transaction

from smartcounty.domains.traffic import tpi
from smartcounty.domains.traffic.models import RoadSegment, SegmentStream
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError

SPEED_PROPERTY = "traffic_speed"
MAX_FEATURES = 20_000
EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
#: Class names a GeoJSON file may use, Chinese (CJJ 37 and highway practice) or English.
CLASS_ALIASES = {"expressway": tpi.EXPRESSWAY, "快速路": tpi.EXPRESSWAY, "高速公路": tpi.EXPRESSWAY,
                 "motorway": tpi.EXPRESSWAY, "arterial": tpi.ARTERIAL, "主干路": tpi.ARTERIAL, "主干道": tpi.ARTERIAL,
                 "primary": tpi.ARTERIAL, "secondary": tpi.SECONDARY, "次干路": tpi.SECONDARY,
                 "次干道": tpi.SECONDARY, "branch": tpi.BRANCH, "支路": tpi.BRANCH, "tertiary": tpi.BRANCH}


def line_length_m(coords) -> float:
    """Length of a WGS84 polyline: haversine on the mean sphere (within 0.5 % of the ellipsoid)."""
    total = 0.0
    for (x0, y0), (x1, y1) in zip(coords, coords[1:], strict=False):
        p0, p1 = math.radians(y0), math.radians(y1)
        a = math.sin((p1 - p0) / 2) ** 2 + math.cos(p0) * math.cos(p1) * math.sin(math.radians(x1 - x0) / 2) ** 2
        total += 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
    return total


def _feature(i: int, feature) -> tuple[dict | None, list[dict]]:
    errs = []

    def err(field, msg):
        errs.append({"feature": i, "field": field, "message": msg})

    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        err("type", "not a GeoJSON Feature")
        return None, errs
    props = feature.get("properties") or {}
    geom = feature.get("geometry") or {}
    code = str(props.get("code") or "").strip()
    name = str(props.get("name") or "").strip()
    if not code or len(code) > 40:
        err("code", "code is required (at most 40 characters)")
    if not name or len(name) > 100:
        err("name", "name is required (at most 100 characters)")
    road_class = CLASS_ALIASES.get(str(props.get("class") or props.get("road_class") or "").strip().lower())
    if road_class is None:
        err("class", "class must be expressway, arterial, secondary or branch")
    coords = geom.get("coordinates") if isinstance(geom, dict) else None
    if geom.get("type") != "LineString" or not isinstance(coords, list) or len(coords) < 2:
        err("geometry", "geometry must be a LineString of at least two points")
        coords = None
    else:
        try:
            coords = [[float(p[0]), float(p[1])] for p in coords]
        except (TypeError, ValueError, IndexError):
            err("geometry", "coordinates must be [longitude, latitude] pairs")
            coords = None
        else:
            if not all(-180 <= x <= 180 and -90 <= y <= 90 and math.isfinite(x) and math.isfinite(y)
                       for x, y in coords):
                err("geometry", "coordinates out of range")
                coords = None
    free_flow = props.get("free_flow_kmh")
    if free_flow is not None:
        try:
            free_flow = float(free_flow)
        except (TypeError, ValueError):
            free_flow = -1
        if not 5 <= free_flow <= 150:
            err("free_flow_kmh", "free-flow speed must be between 5 and 150 km/h")
    if errs:
        return None, errs
    length = line_length_m(coords)
    if length < 1:
        err("geometry", "the line is shorter than 1 m")
        return None, errs
    lons, lats = [c[0] for c in coords], [c[1] for c in coords]
    return {"code": code, "name": name, "road_class": road_class, "length_m": round(length, 1),
            "free_flow_kmh": free_flow or tpi.FREE_FLOW[road_class], "coordinates": coords,
            "west": min(lons), "east": max(lons), "south": min(lats), "north": max(lats)}, []


def import_geojson(data, *, actor=None) -> dict:
    """Create or update the segments of a GeoJSON FeatureCollection of LineStrings (properties: ``code``,
    ``name``, ``class``, optional ``free_flow_kmh``). Every feature is checked first; with any error nothing
    is written and the errors come back per feature. Returns {created, updated, errors}."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        raise ApiError(422, "invalid", "a GeoJSON FeatureCollection is expected", field="type")
    if len(data["features"]) > MAX_FEATURES:
        raise ApiError(422, "invalid", f"at most {MAX_FEATURES} features per import", field="features")
    rows, errors, seen = [], [], {}
    for i, feature in enumerate(data["features"]):
        row, errs = _feature(i, feature)
        if row is not None and row["code"] in seen:
            errs = [{"feature": i, "field": "code", "message": f"code repeats feature {seen[row['code']]}"}]
            row = None
        errors += errs
        if row is not None:
            seen[row["code"]] = i
            rows.append(row)
    if errors:
        return {"created": 0, "updated": 0, "errors": errors}
    with transaction.atomic():
        existing = {s.code: s for s in RoadSegment.objects.filter(code__in=list(seen))}
        new = []
        for row in rows:
            where = sensing.locate(*row["coordinates"][len(row["coordinates"]) // 2])[0]
            seg = existing.get(row["code"])
            if seg is None:
                new.append(RoadSegment(town_code=where, **row))
            else:
                for k, v in row.items():
                    setattr(seg, k, v)
                seg.town_code = where
        RoadSegment.objects.bulk_create(new, batch_size=500)
        if existing:
            RoadSegment.objects.bulk_update(list(existing.values()), [*rows[0].keys(), "town_code"], batch_size=500)
        audit.record("traffic.network_import", actor=actor,
                     detail={"created": len(new), "updated": len(existing)})
    return {"created": len(new), "updated": len(existing), "errors": []}


def _distance_m(lon, lat, coords) -> float:
    """Shortest distance (m) from a point to a polyline, in a local equirectangular plane."""
    kx = 111_320 * math.cos(math.radians(lat))
    ky = 110_540
    best = math.inf
    for (x0, y0), (x1, y1) in zip(coords, coords[1:], strict=False):
        ax, ay = (x0 - lon) * kx, (y0 - lat) * ky
        bx, by = (x1 - lon) * kx, (y1 - lat) * ky
        dx, dy = bx - ax, by - ay
        t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


def nearest_segment(lon: float, lat: float, *, max_m: float = 150.0) -> str | None:
    """Code of the segment nearest a point, within ``max_m`` (bounding-box prefilter on the index)."""
    d = max_m / 100_000 * 1.5
    near = RoadSegment.objects.filter(west__lte=lon + d, east__gte=lon - d, south__lte=lat + d,
                                      north__gte=lat - d).values_list("code", "coordinates")
    best = min(((_distance_m(lon, lat, c), code) for code, c in near), default=None)
    return best[1] if best is not None and best[0] <= max_m else None


def map_stream(segment_code: str, datastream_id: int, *, source: str = SegmentStream.Source.FLOATING,
               actor=None) -> dict:
    """Map a sensing speed datastream (km/h) onto a segment; a stream measures one segment."""
    seg = RoadSegment.objects.filter(code=segment_code).first()
    if seg is None:
        raise ApiError(404, "not-found", f"no segment {segment_code}", field="segment")
    info = sensing.datastream_info(datastream_id)
    if info is None:
        raise ApiError(404, "not-found", f"no datastream {datastream_id}", field="datastream")
    if info["property_code"] != SPEED_PROPERTY:
        raise ApiError(422, "invalid", f"datastream {datastream_id} does not measure {SPEED_PROPERTY}",
                       field="datastream")
    if source not in SegmentStream.Source.values:
        raise ApiError(422, "invalid", f"unknown source {source!r}", field="source")
    with transaction.atomic():
        row, created = SegmentStream.objects.update_or_create(datastream_id=datastream_id,
                                                             defaults={"segment": seg, "source": source})
        audit.record("traffic.stream_map", actor=actor, obj=seg,
                     detail={"datastream": datastream_id, "source": source})
    return {"segment": seg.code, "datastream_id": datastream_id, "source": source, "created": created}


def map_detectors(*, max_m: float = 150.0, actor=None) -> list[dict]:
    """Map every unmapped speed datastream to the segment nearest its position (fixed detectors)."""
    mapped = set(SegmentStream.objects.values_list("datastream_id", flat=True))
    out = []
    ids = [r.id for r in sensing.latest_values(property_code=SPEED_PROPERTY) if r.id not in mapped]
    for ds in sorted(sensing.datastreams_info(ids), key=lambda d: d["id"]):
        if ds["lon"] is None:
            continue
        code = nearest_segment(ds["lon"], ds["lat"], max_m=max_m)
        if code is not None:
            out.append(map_stream(code, ds["id"], source=SegmentStream.Source.DETECTOR, actor=actor))
    return out


def stream_map() -> dict[int, int]:
    """{datastream id: segment id} of every mapped speed stream."""
    return dict(SegmentStream.objects.values_list("datastream_id", "segment_id"))


def detector_streams() -> dict[int, int]:
    return dict(SegmentStream.objects.filter(source=SegmentStream.Source.DETECTOR)
                .values_list("datastream_id", "segment_id"))
