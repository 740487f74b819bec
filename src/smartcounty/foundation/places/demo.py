"""Guan County demo geometry: made-up town areas and grids, plainly labelled as demo.

The county has no official boundary file here, so the demo tiles the estimated bounding box
(``data.ESTIMATED_BBOX``): a Voronoi diagram of 18 seed points (the three streets close to the
county seat, the fifteen towns and townships on a jittered lattice) clipped to the box gives the
town areas; 0.02° cells intersected with each town give the grids (slivers under a fifth of a cell
are merged into their longest-bordering neighbour in the same town). Everything is deterministic
(a fixed random seed) and snapped to 1e-6° so that shared edges stay shared. Every generated row
has ``is_demo_geometry=True`` and grid names end in （演示）; importing GeoJSON replaces them.
"""

import json
import math
import random

import shapely
import shapely.geometry
from django.db import transaction
from shapely.geometry import MultiPoint, Point, box

from smartcounty.foundation.places import data
from smartcounty.foundation.places.models import Division, Grid
from smartcounty.kernel import codes

CELL_DEG = 0.02
PRECISION = 1e-6
SLIVER_SHARE = 0.2
GRIDS_PER_COMMUNITY = 10
DEMO_GRID_SUFFIX = "（演示）"


def _polygonal(geom):
    """Keep only the polygon parts of an intersection result."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def seeds() -> dict[str, Point]:
    """One seed point per town code, deterministic."""
    rng = random.Random(371525)
    west, south, east, north = data.ESTIMATED_BBOX
    sx, sy = data.SEAT
    out = {}
    streets = [t for t in data.TOWNS if codes.township_kind(t[0]) == "subdistrict"]
    others = [t for t in data.TOWNS if codes.township_kind(t[0]) != "subdistrict"]
    for n, (code, *_rest) in enumerate(streets):
        angle = 2 * math.pi * n / len(streets) + 0.4
        out[code] = Point(sx + 0.02 * math.cos(angle), sy + 0.015 * math.sin(angle))
    cols, rows = 5, 3
    dx, dy = (east - west) / cols, (north - south) / rows
    for n, (code, *_rest) in enumerate(others):
        col, row = n % cols, n // cols
        x = west + (col + 0.5 + rng.uniform(-0.3, 0.3)) * dx
        y = north - (row + 0.5 + rng.uniform(-0.3, 0.3)) * dy
        if math.hypot(x - sx, y - sy) < 0.06:  # keep clear of the streets around the seat
            x += 0.06 if x >= sx else -0.06
        out[code] = Point(x, y)
    return out


def town_shapes() -> dict[str, shapely.Geometry]:
    area = box(*data.ESTIMATED_BBOX)
    points = seeds()
    cells = shapely.voronoi_polygons(MultiPoint(list(points.values())), extend_to=area)
    out = {}
    for cell in cells.geoms:
        code = next(c for c, p in points.items() if cell.contains(p))
        out[code] = shapely.set_precision(cell.intersection(area), PRECISION)
    return out


def grid_shapes(towns: dict[str, shapely.Geometry]) -> list[tuple[str, str, shapely.Geometry]]:
    """(grid code, community code, polygon) for every demo grid, by code."""
    west, south, east, north = data.ESTIMATED_BBOX
    cols, rows = math.ceil(round((east - west) / CELL_DEG, 9)), math.ceil(round((north - south) / CELL_DEG, 9))
    cells = [box(west + i * CELL_DEG, south + j * CELL_DEG, min(east, west + (i + 1) * CELL_DEG),
                 min(north, south + (j + 1) * CELL_DEG)) for j in range(rows) for i in range(cols)]
    full = CELL_DEG * CELL_DEG
    out = []
    for town_code in sorted(towns):
        town = towns[town_code]
        pieces = [_polygonal(shapely.set_precision(c.intersection(town), PRECISION)) for c in cells if c.intersects(town)]
        pieces = [p for p in pieces if not p.is_empty and p.area > 0]
        pieces = _merge_slivers(pieces, SLIVER_SHARE * full)
        pieces.sort(key=lambda p: (-round(p.centroid.y, 6), round(p.centroid.x, 6)))
        for n, piece in enumerate(pieces):
            community = f"{town_code}{n // GRIDS_PER_COMMUNITY + 1:03d}"
            out.append((codes.make_grid_code(community, n % GRIDS_PER_COMMUNITY + 1), community, piece))
    return out


def _merge_slivers(pieces: list, min_area: float) -> list:
    """Merge pieces smaller than ``min_area`` into the neighbour they share the longest edge with."""
    pieces = list(pieces)
    merged = True
    while merged:
        merged = False
        for small in sorted(pieces, key=lambda p: p.area):
            if small.area >= min_area:
                break
            others = [p for p in pieces if p is not small]
            shared = [(small.boundary.intersection(p.boundary).length, i) for i, p in enumerate(others)]
            length, best = max(shared, default=(0, -1))
            if length <= 0:
                continue  # an island: it stays a grid of its own
            union = _polygonal(shapely.set_precision(others[best].union(small), PRECISION))
            pieces = [p for i, p in enumerate(others) if i != best] + [union]
            merged = True
            break
    return pieces


def _geojson(geom) -> dict:
    return json.loads(shapely.to_geojson(geom))


def ensure_divisions() -> tuple[Division, int]:
    """Create or update the county and its 18 towns/streets (codes and names only). Returns
    (county, number of rows created)."""
    code, name, name_en = data.COUNTY
    county, created = Division.objects.get_or_create(
        code=code, defaults={"level": Division.Level.COUNTY, "kind": Division.Kind.COUNTY, "name": name,
                             "name_en": name_en})
    made = int(created)
    for code, name, name_en in data.TOWNS:
        _, created = Division.objects.update_or_create(
            code=code, defaults={"parent": county, "level": Division.Level.TOWNSHIP, "kind": codes.township_kind(code),
                                 "name": name, "name_en": name_en})
        made += int(created)
    return county, made


def load(stdout=None) -> dict:
    """Idempotent: creates what is missing, never overwrites imported (non-demo) geometry."""
    from smartcounty.foundation.places.importer import refresh_county_geometry
    from smartcounty.foundation.places.services import announce

    def say(msg):
        if stdout is not None:
            stdout.write(msg)

    with transaction.atomic():
        _county, made = ensure_divisions()
        shapes = town_shapes()
        names = {code: name for code, name, _ in data.TOWNS}
        towns_set = 0
        for d in Division.objects.filter(code__in=list(shapes)):
            if d.geometry is None:
                d.set_geometry(_geojson(shapes[d.code]), demo=True)
                d.save()
                towns_set += 1
        refresh_county_geometry()
        real_grid_towns = set(Grid.objects.filter(is_demo_geometry=False).values_list("town_code", flat=True))
        demo_towns = set(Division.objects.filter(level=Division.Level.TOWNSHIP, is_demo_geometry=True)
                         .values_list("code", flat=True))
        existing = set(Grid.objects.values_list("code", flat=True))
        new = []
        for code, community, geom in grid_shapes(shapes):
            town_code = code[:9]
            if code in existing or town_code in real_grid_towns or town_code not in demo_towns:
                continue
            g = Grid(code=code, town_code=town_code, community_code=community,
                     name=f"{names[town_code]}第{int(code[9:12]):02d}片区{int(code[12:]):02d}号网格{DEMO_GRID_SUFFIX}")
            g.set_geometry(_geojson(geom), demo=True)
            new.append(g)
        Grid.objects.bulk_create(new, batch_size=500)
        villages = ensure_demo_villages()
        if made or towns_set or new or villages:
            announce("grid" if new else "town", [g.code for g in new] or [c for c, *_ in data.TOWNS], "demo")
    say(f"  places: {made} divisions created, {towns_set} demo town shapes, {len(new)} demo grids created, "
        f"{villages} demo villages/communities created")
    return {"divisions_created": made, "town_shapes": towns_set, "grids_created": len(new),
            "villages_created": villages}


def ensure_demo_villages() -> int:
    """Villages (村) and communities (社区) of the demo: one per demo grid community code (12 digits: town 9 +
    3), its area the union of its grids, named plainly as demo (``第01村（演示）``); in a street (街道) a
    community, in a town or township a village. Codes follow the demo grids' numbering (001, 002, ...), not the
    statistical rule (001-199 residents' committees, 200-399 villagers' committees): real villages and
    communities come with real grids. Existing divisions are left as they are. Returns rows created."""
    from collections import defaultdict

    towns = {d.code: d for d in Division.objects.filter(level=Division.Level.TOWNSHIP)}
    existing = set(Division.objects.filter(level=Division.Level.VILLAGE).values_list("code", flat=True))
    parts = defaultdict(list)
    for community, geometry in Grid.objects.filter(is_demo_geometry=True).values_list("community_code", "geometry"):
        if community not in existing and community[:9] in towns and geometry:
            parts[community].append(shapely.geometry.shape(geometry))
    new = []
    for community in sorted(parts):
        town = towns[community[:9]]
        street = codes.township_kind(town.code) == "subdistrict"
        n = int(community[9:])
        d = Division(code=community, parent=town, level=Division.Level.VILLAGE,
                     kind=Division.Kind.COMMUNITY if street else Division.Kind.VILLAGE,
                     name=f"{town.name}第{n:02d}{'社区' if street else '村'}{DEMO_GRID_SUFFIX}",
                     name_en=f"{town.name_en} demo {'community' if street else 'village'} {n}")
        d.set_geometry(_geojson(shapely.set_precision(shapely.union_all(parts[community]), PRECISION)), demo=True)
        new.append(d)
    Division.objects.bulk_create(new, batch_size=200)
    return len(new)
