"""Nearest resources and covering shelters by straight-line (great-circle) distance.

A bounding box around the point is read first through the (lat, lon) indexes, then the exact haversine distance
decides. For the k nearest of a kind the box grows (doubling) until it holds k resources within its half-width:
anything outside the box is farther than that, so those k are the nearest. Shelters cover the point when it lies
within their service radius; the box is as wide as the largest radius."""

import math

from django.db.models import Count, ExpressionWrapper, F, FloatField, Max

from smartcounty.domains.emergency.models import Resource, Shelter
from smartcounty.kernel.geo import EARTH_RADIUS_M, distance_m

FIRST_RADIUS_M = 1_000
LAST_RADIUS_M = 160_000
RESOURCE_FIELDS = ("id", "kind", "code", "name", "lon", "lat", "status", "quantity", "skills", "town_code",
                   "organisation_id")
SHELTER_FIELDS = ("id", "code", "name", "shelter_class", "lon", "lat", "capacity", "occupied", "service_radius_m",
                  "effective_area_m2", "town_code")


def box(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """(west, south, east, north) holding every point within ``radius_m`` of (lon, lat) on the sphere: the
    spherical cap's exact bounds (latitude ± r/R; longitude ± asin(sin(r/R) / cos(lat))), a hair wider."""
    ang = radius_m / EARTH_RADIUS_M
    dlat = math.degrees(ang)
    x = math.sin(ang) / max(math.cos(math.radians(lat)), 1e-12)
    dlon = 180.0 if x >= 1 or abs(lat) + dlat >= 90 else math.degrees(math.asin(x))
    pad = 1e-9
    return lon - dlon - pad, lat - dlat - pad, lon + dlon + pad, lat + dlat + pad


def _in_box(qs, b):
    w, s, e, n = b
    return qs.filter(lat__gte=s, lat__lte=n, lon__gte=w, lon__lte=e)


def _flat2(lon: float, lat: float):
    """The squared equirectangular distance in m² from (lon, lat), as a database expression (plain arithmetic,
    the same on SQLite and PostgreSQL): within a few kilometres it differs from the haversine distance by well
    under 1 %, so it only sorts rows into surely inside, surely outside, and a thin band decided exactly."""
    kx = math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(lat))
    ky = math.radians(1) * EARTH_RADIUS_M
    dx = (F("lon") - lon) * kx
    dy = (F("lat") - lat) * ky
    return ExpressionWrapper(dx * dx + dy * dy, output_field=FloatField())


def _band(radius_m: float) -> float:
    return 0.01 * radius_m + 10.0


def count_within(lon: float, lat: float, radius_m: float, kinds, base) -> dict[str, int]:
    """Resources of each kind within ``radius_m`` (great-circle): counted in the database for the rows surely
    inside, the rows of a thin band around the circle read and decided by the exact haversine distance."""
    qs = _in_box(base, box(lon, lat, radius_m)).filter(kind__in=kinds).annotate(d2=_flat2(lon, lat))
    inner, outer = (radius_m - _band(radius_m)) ** 2, (radius_m + _band(radius_m)) ** 2
    counts = dict.fromkeys(kinds, 0)
    if radius_m > _band(radius_m):
        for r in qs.filter(d2__lte=inner).order_by().values("kind").annotate(n=Count("id")):
            counts[r["kind"]] = r["n"]
    low = inner if radius_m > _band(radius_m) else -1.0
    for r in qs.filter(d2__gt=low, d2__lte=outer).values("kind", "lon", "lat"):
        if distance_m(lon, lat, r["lon"], r["lat"]) <= radius_m:
            counts[r["kind"]] += 1
    return counts


def nearest(lon: float, lat: float, *, kinds=None, k: int = 5, within_m: float = 5_000,
            ready_only: bool = False) -> dict:
    """{kind: {"nearest": [rows with distance_m, nearest first, at most k], "within": count within
    ``within_m``}} for each kind (all kinds by default)."""
    kinds = list(kinds or Resource.Kind.values)
    base = Resource.objects.all()
    if ready_only:
        base = base.filter(status=Resource.Status.READY)
    found: dict[str, list] = {kd: [] for kd in kinds}
    radius = FIRST_RADIUS_M
    todo = list(kinds)
    while todo:
        qs = _in_box(base, box(lon, lat, radius))
        qs = qs.filter(kind=todo[0]) if len(todo) == 1 else qs.filter(kind__in=todo)
        rows: dict[str, list] = {kd: [] for kd in todo}
        for r in qs.values(*RESOURCE_FIELDS):
            r["distance_m"] = round(distance_m(lon, lat, r["lon"], r["lat"]))
            if r["distance_m"] <= radius:
                rows[r["kind"]].append(r)
        left = []
        for kd in todo:
            rs = sorted(rows[kd], key=lambda r: (r["distance_m"], r["id"]))
            if len(rs) >= k or radius >= LAST_RADIUS_M:
                found[kd] = rs[:k]
            else:
                left.append(kd)
        todo, radius = left, radius * 2
    counted = count_within(lon, lat, within_m, kinds, base)
    return {kd: {"nearest": found[kd], "within": counted[kd]} for kd in kinds}


def max_service_radius() -> int:
    return Shelter.objects.aggregate(m=Max("service_radius_m"))["m"] or 0


def covering_shelters(lon: float, lat: float, *, radius_m: float = 0, free_only: bool = True,
                      reach_m: int | None = None) -> list[dict]:
    """Shelters whose service radius reaches the affected area (a circle of ``radius_m`` around the point), with
    free places, nearest first. ``reach_m``: the largest service radius (asked once when not given)."""
    reach = (max_service_radius() if reach_m is None else reach_m) + radius_m
    if reach <= 0:
        return []
    out = []
    for s in _in_box(Shelter.objects.all(), box(lon, lat, reach)).values(*SHELTER_FIELDS):
        d = distance_m(lon, lat, s["lon"], s["lat"])
        free = s["capacity"] - s["occupied"]
        if d <= s["service_radius_m"] + radius_m and (free > 0 or not free_only):
            out.append({**s, "distance_m": round(d), "free": free})
    out.sort(key=lambda s: (s["distance_m"], s["id"]))
    return out


def bbox_only(lon: float, lat: float, radius_m: float) -> int:
    """The plain bounding-box query the benchmark measures beside: resources in the box, counted."""
    return _in_box(Resource.objects.all(), box(lon, lat, radius_m)).count()
