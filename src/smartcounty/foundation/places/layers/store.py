"""Import a layer file as a new version: read, convert to lon/lat, validate, index, in batches.

The version is ``importing`` while it is written (readers only ever see ``ready`` versions) and its ``done``
counter moves after each batch, for the page that polls it and the command that prints it. A refused file
(a broken ring without ``repair``, a wrong coordinate system, a zip bomb, ...) leaves a ``failed`` version
with the reason and the feature number, and none of its features. The previous version stays current until
the new one is ready, and stays readable after.
"""

import logging

import shapely
from django.db import transaction
from django.utils import timezone

from smartcounty.foundation.places.layers import crs as crsmod
from smartcounty.foundation.places.layers import index, readers
from smartcounty.foundation.places.models import Layer, LayerCell, LayerFeature, LayerVersion

log = logging.getLogger(__name__)
BATCH = 2000
NAME_KEYS = ("name", "NAME", "Name", "名称", "mc", "MC", "dlmc", "DLMC", "title")
_POLYGONAL = ("Polygon", "MultiPolygon")


class ImportRefused(ValueError):
    def __init__(self, detail: str, number: int | None = None):
        super().__init__(detail if number is None else f"第{number}个要素：{detail}")
        self.detail, self.number = detail, number


def polygonal_part(geom):
    if geom.geom_type in _POLYGONAL:
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in _POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def clean(geom, number: int, *, repair: bool, warnings: list):
    """A valid 2-D geometry, or ImportRefused naming the feature. ``repair``: ``make_valid`` instead."""
    if geom is None or geom.is_empty:
        raise ImportRefused("几何为空", number)
    geom = shapely.force_2d(geom)
    crsmod.check_lonlat_bounds(geom, number)
    if geom.is_valid:
        return geom
    reason = shapely.is_valid_reason(geom)
    if not repair:
        raise ImportRefused(f"几何无效（{reason}）：可选择“自动修复”后重新导入", number)
    fixed = shapely.make_valid(geom)
    if geom.geom_type in _POLYGONAL:
        fixed = polygonal_part(fixed)
    if fixed.is_empty:
        raise ImportRefused(f"几何无效且无法修复（{reason}）", number)
    if len(warnings) < 100:
        warnings.append(f"第{number}个要素几何无效（{reason}），已自动修复")
    return fixed


def _name(props: dict) -> str:
    for key in NAME_KEYS:
        value = props.get(key)
        if value not in (None, ""):
            return str(value)[:200]
    return ""


def _write(version_id: int, batch: list) -> None:
    with transaction.atomic():
        made = LayerFeature.objects.bulk_create([f for f, _ in batch])
        rows = []
        for feature, (level, cells) in zip(made, (c for _, c in batch), strict=True):
            rows.extend(LayerCell(version_id=version_id, level=level, cx=x, cy=y, feature_id=feature.pk)
                        for x, y in cells)
        LayerCell.objects.bulk_create(rows, batch_size=5000)


def discard(version_id: int) -> None:
    LayerCell.objects.filter(version_id=version_id).delete()
    LayerFeature.objects.filter(version_id=version_id).delete()


def run(version: LayerVersion, path, name: str, *, crs: str | None = None, progress=None) -> LayerVersion:
    """Import the file into ``version`` (already created, status queued). Returns the version, ready or failed."""
    warnings: list = []
    levels: set = set()
    bounds = [None, None, None, None]
    done = 0
    source = None
    try:
        source = readers.open_source(path, name, crs=crs)
        warnings.extend(source.warnings)
        limit = readers.archive.limits().max_features
        LayerVersion.objects.filter(pk=version.pk).update(
            status=LayerVersion.Status.IMPORTING, total=source.total, source_format=source.format,
            source_crs=source.crs.label[:120])
        batch = []
        for number, geom, props in source.features:
            if number > limit:
                raise ImportRefused(f"要素超过{limit}个")
            geom = clean(source.crs.to_lonlat(geom), number, repair=version.repair, warnings=warnings)
            w, s, e, n = geom.bounds
            cell = index.cells(w, s, e, n)
            levels.add(cell[0])
            bounds = [w if bounds[0] is None else min(bounds[0], w), s if bounds[1] is None else min(bounds[1], s),
                      e if bounds[2] is None else max(bounds[2], e), n if bounds[3] is None else max(bounds[3], n)]
            batch.append((LayerFeature(version_id=version.pk, number=number, geom_type=geom.geom_type,
                                       wkb=shapely.to_wkb(geom), name=_name(props), properties=props,
                                       min_lon=w, min_lat=s, max_lon=e, max_lat=n), cell))
            if len(batch) >= BATCH:
                _write(version.pk, batch)
                done += len(batch)
                batch = []
                LayerVersion.objects.filter(pk=version.pk).update(done=done)
                if progress:
                    progress(done, source.total)
        if batch:
            _write(version.pk, batch)
            done += len(batch)
        if done == 0:
            raise ImportRefused("文件里没有要素")
    except (readers.LayerFileError, ImportRefused, crsmod.CRSRefused) as exc:
        discard(version.pk)
        number = getattr(exc, "number", None)
        LayerVersion.objects.filter(pk=version.pk).update(
            status=LayerVersion.Status.FAILED, error=str(exc), warnings=warnings, done=done,
            finished_at=timezone.now())
        version.refresh_from_db()
        version.failed_number = number
        return version
    except Exception:
        log.exception("layer import %s failed", version.pk)
        discard(version.pk)
        LayerVersion.objects.filter(pk=version.pk).update(
            status=LayerVersion.Status.FAILED, error="导入时发生内部错误", finished_at=timezone.now())
        raise
    finally:
        if source is not None:
            source.close()
    with transaction.atomic():
        LayerVersion.objects.filter(pk=version.pk).update(
            status=LayerVersion.Status.READY, done=done, feature_count=done, levels=sorted(levels),
            warnings=warnings, min_lon=bounds[0], min_lat=bounds[1], max_lon=bounds[2], max_lat=bounds[3],
            finished_at=timezone.now())
        Layer.objects.filter(pk=version.layer_id).update(current_version_id=version.pk)
    if progress:
        progress(done, source.total)
    version.refresh_from_db()
    version.failed_number = None
    return version
