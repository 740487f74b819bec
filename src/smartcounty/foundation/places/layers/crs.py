"""Coordinate systems of imported layers, and the equal-area projection areas are measured in.

Layers are stored in lon/lat degrees on WGS84/CGCS2000 (the two differ by centimetres: treated as one, as
everywhere on the platform). A file's CRS is read from its ``.prj`` (Shapefile), its ``crs`` member (GeoJSON
of 2008) or is WGS84 by definition (KML, RFC 7946 GeoJSON). Accepted:

- geographic WGS84 (EPSG:4326, OGC CRS84) and CGCS2000 (EPSG:4490): stored as they are;
- projected systems on those datums (e.g. CGCS2000 3-degree Gauss-Kruger, EPSG:4547 for 114°E,
  or Web Mercator): reprojected to lon/lat with pyproj;
- GCJ-02 (the offset of Chinese web maps; it has no EPSG code, so only by the name ``GCJ-02``/``GCJ02``):
  converted to WGS84 with ``kernel.geo`` and *warned* (the conversion is accurate to about a metre).

Refused: other datums (Beijing 1954, Xian 1980, ...): without the official transformation parameters a
conversion would be off by up to 100 m, so the file has to be converted by whoever holds them.
"""

from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from smartcounty.kernel import geo

#: Albers equal-area conic for China (standard parallels 25°N and 47°N, central meridian 105°E, CGCS2000
#: ellipsoid = GRS 80): areas in m² anywhere in the country without a zone choice.
EQUAL_AREA = CRS.from_proj4("+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +ellps=GRS80 "
                            "+units=m +no_defs")
GEOGRAPHIC = CRS.from_epsg(4490)
_OK_DATUMS = ("World Geodetic System 1984", "China 2000", "China Geodetic Coordinate System 2000")
GCJ_NAMES = ("gcj02", "gcj-02", "gcj_02", "gcj 02")


class CRSRefused(ValueError):
    pass


@dataclass(frozen=True)
class SourceCRS:
    """What a file's coordinates are in, and how to bring them to lon/lat."""

    label: str
    kind: str  # "lonlat", "projected", "gcj02"
    crs: CRS | None = None
    warning: str = ""

    def to_lonlat(self, geom):
        if self.kind == "lonlat":
            return geom
        if self.kind == "gcj02":
            return shapely.transform(geom, _gcj_to_wgs84)
        transformer = Transformer.from_crs(self.crs, GEOGRAPHIC, always_xy=True)
        return shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


WGS84 = SourceCRS("WGS 84 (EPSG:4326)", "lonlat")


def _gcj_to_wgs84(xy):
    return np.array([geo.gcj02_to_wgs84(float(x), float(y)) for x, y in xy]).reshape(-1, 2)


def _is_gcj(text: str) -> bool:
    low = text.lower()
    return any(name in low for name in GCJ_NAMES)


def detect(text: str | None, *, source: str) -> SourceCRS:
    """A CRS from a WKT (``.prj``), an EPSG/OGC name (GeoJSON ``crs``) or a user's choice. ``None``: WGS84."""
    if text is None or not str(text).strip():
        return WGS84
    text = str(text).strip()
    if _is_gcj(text):
        return SourceCRS("GCJ-02", "gcj02", warning="坐标为GCJ-02（火星坐标），已转换为WGS84/CGCS2000，精度约1米")
    try:
        crs = CRS.from_user_input(text)
    except CRSError:
        raise CRSRefused(f"{source}的坐标系无法识别：{text[:80]}") from None
    datum = crs.geodetic_crs.datum.name if crs.geodetic_crs else ""
    if not any(ok in datum for ok in _OK_DATUMS) and "2000" not in datum:
        raise CRSRefused(f"{source}的坐标系“{crs.name}”（基准“{datum}”）不受支持：请先转换为WGS84或CGCS2000")
    label = crs.name + (f" (EPSG:{crs.to_epsg()})" if crs.to_epsg() else "")
    if crs.is_geographic:
        # EPSG:4326/4490 list latitude first; files in the wild (GeoJSON, Shapefile) still give lon, lat.
        return SourceCRS(label, "lonlat", crs)
    return SourceCRS(label, "projected", crs)


def check_lonlat_bounds(geom, number: int) -> None:
    west, south, east, north = geom.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise CRSRefused(f"第{number}个要素的坐标超出经纬度范围（经度-180～180，纬度-90～90）：坐标系不对？")


_to_equal_area = Transformer.from_crs(GEOGRAPHIC, EQUAL_AREA, always_xy=True)


def projected(geom):
    """The lon/lat geometry on the equal-area projection (metres)."""
    return shapely.transform(geom, lambda xy: np.column_stack(_to_equal_area.transform(xy[:, 0], xy[:, 1])))


def area_m2(geom) -> float:
    """Area of a lon/lat geometry in square metres (Albers equal-area)."""
    if geom.is_empty:
        return 0.0
    return float(projected(geom).area)
