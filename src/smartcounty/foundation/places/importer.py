"""Import town or grid polygons from GeoJSON: validate every feature first, then write all or nothing.

A town feature: ``properties.code`` a 9-digit township code of this county (``name``,
``name_en`` optional for a town that exists, ``name`` required for a new one). A grid feature:
``properties.code`` a valid 14-digit grid code of this county whose town exists, and a ``name``.
Geometry: a valid Polygon or MultiPolygon in WGS84/CGCS2000 lon/lat degrees.

Any bad feature makes the whole import fail with a list of (feature index, code, reason); nothing
is written. Imported geometry is official (``is_demo_geometry=False``). Importing grids removes the
demo grids the file does not contain; ``replace=True`` removes every grid the file does not contain.
"""

import json

import shapely
from django.db import transaction
from shapely.geometry import shape

from smartcounty.foundation.places.models import Division, Grid
from smartcounty.foundation.places.schemas import ImportProblem, ImportResult
from smartcounty.kernel import audit, codes

LEVELS = ("town", "grid")
MAX_FEATURES = 100_000


class ImportFailed(Exception):
    def __init__(self, problems: list[ImportProblem]):
        super().__init__("; ".join(f"feature {p.index}: {p.reason}" for p in problems[:5]))
        self.problems = problems


def _county() -> str:
    from smartcounty.foundation.places.services import county_code

    return county_code()


def check_geometry(geometry) -> dict:
    """Return the geometry as clean 2-D GeoJSON or raise ValueError saying what is wrong."""
    if not isinstance(geometry, dict):
        raise ValueError("geometry is missing")
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"geometry type must be Polygon or MultiPolygon, not {geometry.get('type')!r}")
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise ValueError(f"geometry coordinates are malformed ({exc})") from None
    if geom.is_empty:
        raise ValueError("geometry is empty")
    west, south, east, north = geom.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise ValueError("coordinates are outside lon -180..180 / lat -90..90 (lon, lat order expected)")
    if not geom.is_valid:
        raise ValueError(f"geometry is not valid: {shapely.is_valid_reason(geom)}")
    return json.loads(shapely.to_geojson(shapely.force_2d(geom)))


def _load(data) -> list:
    if isinstance(data, (bytes, str)):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ImportFailed([ImportProblem(index=-1, reason=f"not JSON: {exc}")]) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ImportFailed([ImportProblem(index=-1, reason="not a GeoJSON FeatureCollection")])
    features = data["features"]
    if not features:
        raise ImportFailed([ImportProblem(index=-1, reason="the FeatureCollection has no features")])
    if len(features) > MAX_FEATURES:
        raise ImportFailed([ImportProblem(index=-1, reason=f"more than {MAX_FEATURES} features")])
    return features


def _validate(features: list, level: str) -> tuple[list[dict], list[ImportProblem]]:
    county = _county()
    known_towns = set(Division.objects.filter(level=Division.Level.TOWNSHIP).values_list("code", flat=True))
    file_towns = set()
    rows, problems, seen = [], [], set()
    for i, feature in enumerate(features):
        code = None
        try:
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                raise ValueError("not a GeoJSON Feature")
            props = feature.get("properties") or {}
            if not isinstance(props, dict):
                raise ValueError("properties must be an object")
            code = str(props.get("code") or "").strip() or None
            if code is None:
                raise ValueError("properties.code is missing")
            if code in seen:
                raise ValueError("code appears twice in the file")
            seen.add(code)
            name = str(props.get("name") or "").strip()
            limit = 60 if level == "town" else 80
            if len(name) > limit:
                raise ValueError(f"name is longer than {limit} characters")
            row = {"code": code, "name": name}
            if level == "town":
                parsed = codes.validate_division_code(code)
                if parsed.level != "township" or parsed.parent != county:
                    raise ValueError(f"not a town or street code of county {county}")
                if code not in known_towns and not name:
                    raise ValueError("a new town needs properties.name")
                row["name_en"] = str(props.get("name_en") or "").strip()[:80]
                row["kind"] = codes.township_kind(code)
                file_towns.add(code)
            else:
                parsed = codes.validate_grid_code(code)
                if parsed.county != county:
                    raise ValueError(f"grid code is not in county {county}")
                if parsed.town not in known_towns:
                    raise ValueError(f"town {parsed.town} does not exist")
                if not name:
                    raise ValueError("properties.name is missing")
                row["town_code"], row["community_code"] = parsed.town, parsed.community
            row["geometry"] = check_geometry(feature.get("geometry"))
            rows.append(row)
        except (ValueError, codes.CodeError) as exc:
            problems.append(ImportProblem(index=i, code=code, reason=str(exc)))
    return rows, problems


def refresh_county_geometry() -> None:
    """The county's shape is the union of its towns' shapes (demo if any town is demo)."""
    county = Division.objects.filter(code=_county()).first()
    if county is None:
        return
    towns = list(Division.objects.filter(level=Division.Level.TOWNSHIP, geometry__isnull=False)
                 .values_list("geometry", "is_demo_geometry"))
    if not towns:
        return
    union = shapely.union_all([shape(g) for g, _ in towns])
    county.set_geometry(json.loads(shapely.to_geojson(union)), demo=any(demo for _, demo in towns))
    county.save()


def import_geojson(data, level: str, *, replace: bool = False, actor=None) -> ImportResult:
    from smartcounty.foundation.places.services import announce

    if level not in LEVELS:
        raise ImportFailed([ImportProblem(index=-1, reason=f"level must be one of {', '.join(LEVELS)}")])
    rows, problems = _validate(_load(data), level)
    if problems:
        raise ImportFailed(problems)
    result = ImportResult(level=level, codes=[r["code"] for r in rows])
    with transaction.atomic():
        if level == "town":
            county = Division.objects.get(code=_county())
            existing = {d.code: d for d in Division.objects.filter(code__in=result.codes)}
            for row in rows:
                d = existing.get(row["code"]) or Division(code=row["code"], parent=county, level=Division.Level.TOWNSHIP,
                                                          kind=row["kind"])
                if row["name"]:
                    d.name = row["name"]
                if row["name_en"]:
                    d.name_en = row["name_en"]
                d.set_geometry(row["geometry"], demo=False)
                d.save()
                result.updated += row["code"] in existing
                result.created += row["code"] not in existing
            refresh_county_geometry()
        else:
            existing = {g.code: g for g in Grid.objects.filter(code__in=result.codes)}
            for row in rows:
                g = existing.get(row["code"]) or Grid(code=row["code"])
                g.name, g.town_code, g.community_code = row["name"], row["town_code"], row["community_code"]
                g.set_geometry(row["geometry"], demo=False)
                g.save()
                result.updated += row["code"] in existing
                result.created += row["code"] not in existing
            stale = Grid.objects.exclude(code__in=result.codes)
            if not replace:
                stale = stale.filter(is_demo_geometry=True)
            result.deleted = stale.count()
            stale.delete()
        audit.record("places.import", actor=actor, object_type=f"places.{level}",
                     detail={"level": level, "created": result.created, "updated": result.updated,
                             "deleted": result.deleted, "replace": replace, "features": len(rows)})
        announce(level, result.codes, "import")
    return result

