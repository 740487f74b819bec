"""Layer operations behind ``places.services`` (which other modules call): plain data out, never models."""

import threading
import uuid
from pathlib import Path

import orjson
import shapely
from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Max
from shapely.geometry import shape

from smartcounty.foundation.places.layers import crs as crsmod
from smartcounty.foundation.places.layers import query, readers, store
from smartcounty.foundation.places.models import Layer, LayerVersion
from smartcounty.foundation.places.schemas import Layer as LayerOut
from smartcounty.foundation.places.schemas import LayerVersion as VersionOut
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError

SYNC_BYTES = 5 * 1024 * 1024  # smaller uploads are imported in the request; larger ones in a thread


def _bbox(o):
    return None if o is None or o.min_lon is None else [o.min_lon, o.min_lat, o.max_lon, o.max_lat]


def layer_out(layer: Layer) -> LayerOut:
    v = layer.current_version
    return LayerOut(key=layer.key, name=layer.name, description=layer.description, public=layer.public,
                    is_demo=layer.is_demo, organisation_id=layer.organisation_id, style=layer.style or {},
                    version=v.number if v else None, version_id=v.pk if v else None,
                    feature_count=v.feature_count if v else 0, bbox=_bbox(v))


def version_out(v: LayerVersion, layer_key: str, current_id: int | None) -> VersionOut:
    return VersionOut(id=v.pk, layer_key=layer_key, number=v.number, status=v.status, source_format=v.source_format,
                      source_name=v.source_name, source_crs=v.source_crs, repair=v.repair, warnings=v.warnings or [],
                      error=v.error, done=v.done, total=v.total, feature_count=v.feature_count, bbox=_bbox(v),
                      current=v.pk == current_id, created_at=v.created_at.isoformat(),
                      finished_at=v.finished_at.isoformat() if v.finished_at else None)


def get(key: str) -> Layer:
    layer = Layer.objects.select_related("current_version").filter(key=str(key)).first()
    if layer is None:
        raise ApiError(404, "not-found", f"没有图层“{key}”", field="key")
    return layer


def version_of(layer: Layer, number: int | None) -> LayerVersion:
    if number is None:
        if layer.current_version is None:
            raise ApiError(404, "not-found", f"图层“{layer.name}”还没有导入数据", field="version")
        return layer.current_version
    v = LayerVersion.objects.filter(layer=layer, number=number, status=LayerVersion.Status.READY).first()
    if v is None:
        raise ApiError(404, "not-found", f"图层“{layer.name}”没有可读的第{number}版", field="version")
    return v


def new_version(layer: Layer, filename: str, *, repair: bool, actor_id: int | None) -> LayerVersion:
    try:
        readers.guess_format(filename)  # refuse an unknown format before anything is stored
    except readers.LayerFileError as exc:
        raise ApiError(422, "invalid", str(exc), field="file") from None
    with transaction.atomic():
        Layer.objects.select_for_update().filter(pk=layer.pk).first()
        number = (LayerVersion.objects.filter(layer=layer).aggregate(n=Max("number"))["n"] or 0) + 1
        return LayerVersion.objects.create(layer=layer, number=number, source_format=readers.guess_format(filename),
                                           source_name=Path(filename).name[:200], repair=repair,
                                           created_by_id=actor_id)


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "layers" / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_upload(chunks, filename: str) -> Path:
    """Write an upload to the data folder in chunks, refusing it past the size limit."""
    limit = readers.archive.limits().max_bytes
    path = upload_dir() / f"{uuid.uuid4().hex}{Path(filename).suffix.lower()[:8]}"
    size = 0
    with open(path, "wb") as fh:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                fh.close()
                path.unlink(missing_ok=True)
                raise ApiError(413, "upload-limit", f"文件超过上限{limit}字节", field="file")
            fh.write(chunk)
    return path


def run_import(version: LayerVersion, path: Path, *, crs: str | None, actor, progress=None,
               keep_file: bool = False) -> LayerVersion:
    try:
        version = store.run(version, path, version.source_name or path.name, crs=crs, progress=progress)
    finally:
        if not keep_file:
            Path(path).unlink(missing_ok=True)
    audit.record("places.layer_import", actor=actor, object_type="places.layerversion", object_id=str(version.pk),
                 detail={"layer_id": version.layer_id, "number": version.number, "status": version.status,
                         "features": version.feature_count, "error": version.error[:200]})
    return version


def start_import(version: LayerVersion, path: Path, *, crs: str | None, actor) -> None:
    def work():
        close_old_connections()
        try:
            run_import(version, path, crs=crs, actor=actor)
        finally:
            close_old_connections()

    threading.Thread(target=work, name=f"layer-import-{version.pk}", daemon=True).start()


def shape_of(geometry) -> shapely.Geometry:
    """A validated lon/lat polygon from a GeoJSON geometry (a parcel)."""
    if isinstance(geometry, (str, bytes)):
        try:
            geometry = orjson.loads(geometry)
        except orjson.JSONDecodeError:
            raise ApiError(422, "invalid", "地块不是有效的GeoJSON", field="geometry") from None
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if isinstance(geometry, dict) and geometry.get("type") == "FeatureCollection":
        parts = [f.get("geometry") for f in geometry.get("features") or [] if isinstance(f, dict)]
        geometry = {"type": "GeometryCollection", "geometries": [p for p in parts if p]}
    if not isinstance(geometry, dict):
        raise ApiError(422, "invalid", "缺少地块几何", field="geometry")
    try:
        geom = shape(geometry)
    except Exception:  # noqa: BLE001 - shapely raises several types for malformed coordinates
        raise ApiError(422, "invalid", "地块坐标格式错误", field="geometry") from None
    geom = store.polygonal_part(geom) if geom.geom_type not in ("Polygon", "MultiPolygon") else geom
    if geom.is_empty:
        raise ApiError(422, "invalid", "地块必须是面（Polygon或MultiPolygon）", field="geometry")
    try:
        crsmod.check_lonlat_bounds(geom, 1)
    except crsmod.CRSRefused as exc:
        raise ApiError(422, "invalid", str(exc), field="geometry") from None
    if not geom.is_valid:
        raise ApiError(422, "invalid", f"地块几何无效（{shapely.is_valid_reason(geom)}），请检查边界是否自相交",
                       field="geometry")
    return geom


def read_shapes(path: Path, filename: str, *, crs: str | None = None) -> dict:
    """The polygons of an uploaded file merged into one lon/lat GeoJSON geometry (a parcel upload)."""
    try:
        source = readers.open_source(path, filename, crs=crs)
    except readers.LayerFileError as exc:
        raise ApiError(422, "invalid", str(exc), field="file") from None
    parts = []
    try:
        for number, geom, _props in source.features:
            if number > 1000:
                raise ApiError(422, "invalid", "地块文件的要素超过1000个", field="file")
            parts.append(store.clean(source.crs.to_lonlat(geom), number, repair=False, warnings=[]))
    except (readers.LayerFileError, store.ImportRefused, crsmod.CRSRefused) as exc:
        raise ApiError(422, "invalid", str(exc), field="file") from None
    finally:
        source.close()
    merged = store.polygonal_part(shapely.union_all(parts)) if parts else shapely.Polygon()
    if merged.is_empty:
        raise ApiError(422, "invalid", "文件里没有面要素", field="file")
    return orjson.loads(shapely.to_geojson(merged))


def overlaps(layer: Layer, parcel, number: int | None = None) -> dict:
    v = version_of(layer, number)
    found = query.overlaps(v, parcel)
    union = found.pop("overlap_geometry")
    found["overlap_geometry"] = orjson.loads(shapely.to_geojson(union)) if not union.is_empty else None
    found.update(layer_key=layer.key, layer_name=layer.name, version=v.number)
    return found
