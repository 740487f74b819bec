"""Coordinate helpers: WGS84 <-> GCJ-02 <-> BD-09, distances, range checks.

Pure maths, no domain knowledge. Every function takes and returns ``(lon, lat)`` in degrees,
the GeoJSON order. The platform stores WGS84 (treated as CGCS2000, see standards-cn.md §8);
GCJ-02 (Amap, Tencent) and BD-09 (Baidu) appear only at the edges (input from phones and
third-party maps, output to their map widgets).

GCJ-02 is the published open-source form of the offset: Krasovsky semi-major axis
``a = 6378245.0``, ``ee = 0.00669342162296594323``, offset polynomials centred on (105 E, 35 N),
no offset outside the box 72.004-137.8347 E, 0.8293-55.8271 N. GCJ-02 has no closed-form
inverse: ``gcj02_to_wgs84`` solves it iteratively to well under 0.5 m (the one-step inverse used
by many libraries is off by up to a few metres). BD-09 is a further closed-form offset of GCJ-02.
"""

import math
from enum import StrEnum

A = 6378245.0
EE = 0.00669342162296594323
X_PI = math.pi * 3000.0 / 180.0
EARTH_RADIUS_M = 6371008.8  # IUGG mean radius, for haversine distances

#: The box outside which GCJ-02 applies no offset.
CHINA_BOX = (72.004, 0.8293, 137.8347, 55.8271)

#: Angular tolerance of the iterative inverse: 1e-9 degrees is about 0.1 mm.
_INVERSE_TOLERANCE_DEG = 1e-9
_INVERSE_MAX_STEPS = 30


class CRS(StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


def check_lonlat(lon: float, lat: float) -> tuple[float, float]:
    """Return ``(lon, lat)`` as floats or raise ValueError when not a finite coordinate on Earth."""
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise ValueError("coordinates must be numbers") from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError("coordinates must be finite")
    if not -180.0 <= lon <= 180.0:
        raise ValueError("longitude must be within -180..180")
    if not -90.0 <= lat <= 90.0:
        raise ValueError("latitude must be within -90..90")
    return lon, lat


def out_of_china(lon: float, lat: float) -> bool:
    min_lon, min_lat, max_lon, max_lat = CHINA_BOX
    return not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat)


def _offset_lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _offset_lon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def _gcj_delta(lon: float, lat: float) -> tuple[float, float]:
    """The GCJ-02 offset (dlon, dlat) in degrees at a WGS84 point inside China."""
    dlat = _offset_lat(lon - 105.0, lat - 35.0)
    dlon = _offset_lon(lon - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _gcj_delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84_approx(lon: float, lat: float) -> tuple[float, float]:
    """One-step inverse (subtract the offset computed at the GCJ point): error up to a few metres."""
    if out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _gcj_delta(lon, lat)
    return lon - dlon, lat - dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Exact inverse of ``wgs84_to_gcj02`` by fixed-point iteration (the offset varies slowly, so
    each step shrinks the error by orders of magnitude); stops below about 0.1 mm."""
    if out_of_china(lon, lat):
        return lon, lat
    w_lon, w_lat = gcj02_to_wgs84_approx(lon, lat)
    for _ in range(_INVERSE_MAX_STEPS):
        g_lon, g_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = g_lon - lon, g_lat - lat
        if abs(e_lon) < _INVERSE_TOLERANCE_DEG and abs(e_lat) < _INVERSE_TOLERANCE_DEG:
            break
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
    return w_lon, w_lat


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS = {CRS.WGS84: lambda lon, lat: (lon, lat), CRS.GCJ02: gcj02_to_wgs84, CRS.BD09: bd09_to_wgs84}
_FROM_WGS = {CRS.WGS84: lambda lon, lat: (lon, lat), CRS.GCJ02: wgs84_to_gcj02, CRS.BD09: wgs84_to_bd09}


def convert(lon: float, lat: float, src: str | CRS, dst: str | CRS = CRS.WGS84) -> tuple[float, float]:
    """Convert between any two of ``wgs84``, ``gcj02``, ``bd09`` (ValueError on an unknown name)."""
    src, dst = CRS(src), CRS(dst)
    if src == dst:
        return lon, lat
    if {src, dst} == {CRS.GCJ02, CRS.BD09}:
        return gcj02_to_bd09(lon, lat) if dst == CRS.BD09 else bd09_to_gcj02(lon, lat)
    return _FROM_WGS[dst](*_TO_WGS[src](lon, lat))


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle (haversine) distance in metres on a sphere of the mean Earth radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
