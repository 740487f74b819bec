"""Read a layer file (GeoJSON, zipped Shapefile, KML/KMZ) as numbered features, streaming where the format allows.

``open_source(path, name, crs=None)`` returns a ``Source``: the format, the coordinate system found (or the
one the caller named, which a file without ``.prj`` needs), the number of features when the format says it
up front, and an iterator of ``(number, shapely geometry in the file's CRS, properties)``; numbers count
from 1 in file order. Reading problems raise ``LayerFileError`` (with the feature number when there is one).
"""

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import shapefile
import shapely
from defusedxml import ElementTree
from shapely.geometry import shape

from smartcounty.foundation.places.layers import archive
from smartcounty.foundation.places.layers import crs as crsmod

FORMATS = ("geojson", "shapefile", "kml")


class LayerFileError(ValueError):
    def __init__(self, detail: str, number: int | None = None):
        super().__init__(detail if number is None else f"第{number}个要素：{detail}")
        self.detail, self.number = detail, number


@dataclass
class Source:
    format: str
    crs: crsmod.SourceCRS
    total: int | None
    features: Iterator
    warnings: list = field(default_factory=list)
    cleanup: object = None

    def close(self):
        if self.cleanup is not None:
            self.cleanup.cleanup()
            self.cleanup = None


def guess_format(name: str) -> str:
    low = (name or "").lower()
    if low.endswith((".geojson", ".json")):
        return "geojson"
    if low.endswith((".kml", ".kmz")):
        return "kml"
    if low.endswith(".zip"):
        return "shapefile"
    raise LayerFileError("文件格式不受支持：请上传GeoJSON（.geojson/.json）、Shapefile（.zip）或KML（.kml/.kmz）")


def _chosen(crs_text: str | None, source: str):
    try:
        return crsmod.detect(crs_text, source=source)
    except crsmod.CRSRefused as exc:
        raise LayerFileError(str(exc)) from None


def open_source(path: Path, name: str, *, crs: str | None = None, lim: archive.Limits | None = None) -> Source:
    fmt = guess_format(name)
    lim = lim or archive.limits()
    size = Path(path).stat().st_size
    if size > lim.max_bytes:
        raise LayerFileError(f"文件有{size}字节，超过上限{lim.max_bytes}字节")
    if fmt == "geojson":
        return _geojson(Path(path).read_bytes(), crs)
    tmp = tempfile.TemporaryDirectory(prefix="sc-layer-")
    try:
        if fmt == "kml":
            if name.lower().endswith(".kmz"):
                members = archive.extract(Path(path), Path(tmp.name), lim)
                kml = next((p for n, p in members.items() if n.endswith(".kml")), None)
                if kml is None:
                    raise LayerFileError("KMZ压缩包里没有.kml文件")
                data = kml.read_bytes()
            else:
                data = Path(path).read_bytes()
            src = _kml(data)
        else:
            src = _shapefile(archive.extract(Path(path), Path(tmp.name), lim), crs)
    except archive.ArchiveRefused as exc:
        tmp.cleanup()
        raise LayerFileError(str(exc)) from None
    except BaseException:
        tmp.cleanup()
        raise
    src.cleanup = tmp
    return src


# --- GeoJSON ---------------------------------------------------------------------------------------


def _geojson(content: bytes, crs: str | None) -> Source:
    try:
        data = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise LayerFileError(f"GeoJSON无法解析（{exc}）") from None
    if not isinstance(data, dict):
        raise LayerFileError("GeoJSON应是一个对象（FeatureCollection、Feature或几何）")
    declared = None
    member = data.get("crs")
    if isinstance(member, dict):
        declared = (member.get("properties") or {}).get("name") or (member.get("properties") or {}).get("href")
    source_crs = _chosen(crs or declared, "GeoJSON")
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise LayerFileError("FeatureCollection缺少features数组")
    elif kind == "Feature":
        features = [data]
    elif kind in ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                  "GeometryCollection"):
        features = [{"type": "Feature", "geometry": data, "properties": {}}]
    else:
        raise LayerFileError(f"GeoJSON的type“{kind}”不受支持")

    def rows():
        for n, f in enumerate(features, start=1):
            if not isinstance(f, dict) or not isinstance(f.get("geometry"), dict):
                raise LayerFileError("缺少几何（geometry）", n)
            try:
                geom = shape(f["geometry"])
            except Exception as exc:  # shapely raises several types for malformed coordinates
                raise LayerFileError(f"坐标格式错误（{exc}）", n) from None
            props = f.get("properties") if isinstance(f.get("properties"), dict) else {}
            yield n, geom, props

    return Source("geojson", source_crs, len(features), rows(),
                  [source_crs.warning] if source_crs.warning else [])


# --- Shapefile -------------------------------------------------------------------------------------


def _member(members: dict, suffix: str):
    return next((p for n, p in sorted(members.items()) if n.endswith(suffix)), None)


def _shapefile(members: dict, crs: str | None) -> Source:
    shp, shx, dbf = _member(members, ".shp"), _member(members, ".shx"), _member(members, ".dbf")
    if shp is None:
        raise LayerFileError("压缩包里没有.shp文件")
    if dbf is None:
        raise LayerFileError("压缩包里没有.dbf属性文件")
    prj, cpg = _member(members, ".prj"), _member(members, ".cpg")
    if crs:
        source_crs = _chosen(crs, "所选")
    elif prj is None:
        raise LayerFileError("压缩包里没有.prj文件，无法确定坐标系：请补上.prj，或在导入时指定坐标系")
    else:
        source_crs = _chosen(prj.read_text(encoding="latin-1", errors="replace"), ".prj文件")
    encoding = "utf-8"
    if cpg is not None:
        encoding = cpg.read_text(encoding="ascii", errors="ignore").strip() or "utf-8"
        if encoding.isdigit():  # code pages such as 936 (GBK)
            encoding = {"936": "gbk", "65001": "utf-8"}.get(encoding, "cp" + encoding)
    try:
        reader = shapefile.Reader(shp=open(shp, "rb"), shx=open(shx, "rb") if shx else None, dbf=open(dbf, "rb"),
                                  encoding=encoding)
    except (shapefile.ShapefileException, LookupError, OSError, ValueError) as exc:
        raise LayerFileError(f"Shapefile无法读取（{exc}）") from None
    names = [f[0] for f in reader.fields[1:]]

    def rows():
        try:
            for n, rec in enumerate(reader.iterShapeRecords(), start=1):
                if rec.shape.shapeType == shapefile.NULL:
                    raise LayerFileError("几何为空（NULL shape）", n)
                try:
                    geom = shape(rec.shape.__geo_interface__)
                except Exception as exc:  # noqa: BLE001 - pyshp/shapely raise several types
                    raise LayerFileError(f"几何无法读取（{exc}）", n) from None
                props = {}
                for key, value in zip(names, rec.record, strict=False):
                    props[key] = value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
                yield n, geom, props
        except UnicodeDecodeError:
            raise LayerFileError(f"属性表不是{encoding}编码：请在.cpg文件里写明编码（如GBK）") from None
        except shapefile.ShapefileException as exc:
            raise LayerFileError(f"Shapefile无法读取（{exc}）") from None
        finally:
            reader.close()

    return Source("shapefile", source_crs, len(reader), rows(),
                  [source_crs.warning] if source_crs.warning else [])


# --- KML ---------------------------------------------------------------------------------------------

_NS = "{http://www.opengis.net/kml/2.2}"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _coords(text: str | None, number: int) -> list[tuple[float, float]]:
    out = []
    for token in (text or "").split():
        parts = token.split(",")
        try:
            out.append((float(parts[0]), float(parts[1])))
        except (IndexError, ValueError):
            raise LayerFileError(f"KML坐标“{token[:40]}”格式错误", number) from None
    return out


def _kml_geometry(el, number: int):
    kind = _local(el.tag)
    if kind == "Point":
        pts = _coords(_text(el, "coordinates"), number)
        return shapely.Point(pts[0]) if pts else None
    if kind == "LineString":
        return shapely.LineString(_coords(_text(el, "coordinates"), number))
    if kind == "Polygon":
        outer = [c for c in el.iter() if _local(c.tag) == "outerBoundaryIs"]
        inner = [c for c in el.iter() if _local(c.tag) == "innerBoundaryIs"]
        if not outer:
            raise LayerFileError("KML多边形缺少外环", number)
        shell = _coords(_text(outer[0], "coordinates"), number)
        holes = [_coords(_text(i, "coordinates"), number) for i in inner]
        return shapely.Polygon(shell, holes)
    if kind == "MultiGeometry":
        parts = [_kml_geometry(c, number) for c in el if _local(c.tag) in _GEOMS]
        parts = [p for p in parts if p is not None]
        return shapely.GeometryCollection(parts) if parts else None
    return None


_GEOMS = ("Point", "LineString", "Polygon", "MultiGeometry")


def _text(el, name: str) -> str | None:
    for c in el.iter():
        if _local(c.tag) == name:
            return c.text
    return None


def _simplify_collection(geom):
    """A MultiGeometry of polygons only (or lines only, points only) becomes the Multi* type."""
    if geom is None or geom.geom_type != "GeometryCollection":
        return geom
    kinds = {g.geom_type for g in geom.geoms}
    if kinds <= {"Polygon", "MultiPolygon"}:
        return shapely.MultiPolygon([p for g in geom.geoms for p in getattr(g, "geoms", [g])])
    if kinds <= {"LineString"}:
        return shapely.MultiLineString(list(geom.geoms))
    if kinds <= {"Point"}:
        return shapely.MultiPoint(list(geom.geoms))
    return geom


def _kml(content: bytes) -> Source:
    try:
        root = ElementTree.fromstring(content, forbid_dtd=True)
    except ElementTree.ParseError as exc:
        raise LayerFileError(f"KML无法解析（{exc}）") from None
    except Exception as exc:  # defusedxml's DTD/entity refusals
        raise LayerFileError(f"KML含有不允许的声明（{type(exc).__name__}）") from None
    placemarks = [p for p in root.iter() if _local(p.tag) == "Placemark"]

    def rows():
        for n, pm in enumerate(placemarks, start=1):
            geom_el = next((c for c in pm if _local(c.tag) in _GEOMS), None)
            if geom_el is None:
                raise LayerFileError("地标（Placemark）没有几何", n)
            try:
                geom = _simplify_collection(_kml_geometry(geom_el, n))
            except (ValueError, shapely.errors.GEOSException) as exc:
                if isinstance(exc, LayerFileError):
                    raise
                raise LayerFileError(f"几何无法读取（{exc}）", n) from None
            if geom is None:
                raise LayerFileError("地标（Placemark）没有几何", n)
            props = {}
            for c in pm:
                tag = _local(c.tag)
                if tag in ("name", "description") and c.text:
                    props[tag] = c.text.strip()
                elif tag == "ExtendedData":
                    for d in c.iter():
                        if _local(d.tag) == "Data" and d.get("name"):
                            props[d.get("name")] = (_text(d, "value") or "").strip()
                        elif _local(d.tag) == "SimpleData" and d.get("name"):
                            props[d.get("name")] = (d.text or "").strip()
            yield n, geom, props

    return Source("kml", crsmod.WGS84, len(placemarks), rows())
