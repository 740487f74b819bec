"""Datasets: parse CSV, XLSX, JSON and GeoJSON, validate against the information items, store a
new version all-or-nothing, pull from a URL on the update cycle, and let modules publish rows.

A bad file raises ``DatasetError`` naming the row (as the user sees it: for CSV and XLSX the
sheet row, header = row 1; for JSON and GeoJSON the record number from 1) and the column, and
the resource keeps serving its previous version. A file past the upload limits (bytes, inflated
bytes and compression ratio of a workbook, rows, columns, characters in a cell; see ``limits``)
raises ``UploadLimitError``; a file without rows is refused unless the caller passes
``allow_empty=True``, which the audit row records.
"""

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from shapely.geometry import shape

from smartcounty.foundation.catalog.models import (
    DataRow,
    DatasetVersion,
    InfoItem,
    OpenType,
    Resource,
    UpdateCycle,
)
from smartcounty.foundation.catalog.services import xlsx
from smartcounty.foundation.catalog.services.limits import FileError, Limits, UploadLimitError, limits
from smartcounty.kernel import audit, events, jsonparse, outbound
from smartcounty.kernel.problems import ApiError

FORMATS = ("csv", "xlsx", "json", "geojson")
KEEP_VERSIONS = 5
BATCH = 2000
_TRUE = {"true", "1", "yes", "y", "是", "t"}
_FALSE = {"false", "0", "no", "n", "否", "f"}


class DatasetError(FileError):
    """A dataset file that cannot be read as rows (422 ``invalid-dataset``)."""


class EmptyDatasetError(ApiError):
    def __init__(self):
        super().__init__(422, "empty-dataset", "the file has no data rows; a version without rows would empty the "
                         "resource (send allow_empty=true to do that on purpose)", field="file")


@dataclass
class Parsed:
    rows: list[dict]
    #: The user-facing row number of each parsed row.
    numbers: list[int]


def _coerce(item: InfoItem, value, row: int, column: str):
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if item.required:
            raise DatasetError("a value is required", row=row, column=column)
        return None
    t = item.data_type
    try:
        if t == InfoItem.DataType.STRING:
            if isinstance(value, (dict, list)):
                raise ValueError("text expected")
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return str(value).strip()
        if t == InfoItem.DataType.INTEGER:
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, float):
                if not value.is_integer():
                    raise ValueError
                return int(value)
            return int(str(value).strip().replace(",", ""))
        if t == InfoItem.DataType.NUMBER:
            if isinstance(value, bool):
                raise ValueError
            number = float(str(value).strip().replace(",", "")) if not isinstance(value, (int, float)) else float(value)
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError
            return number
        if t == InfoItem.DataType.BOOLEAN:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError
        if t == InfoItem.DataType.DATE:
            if isinstance(value, datetime):
                return value.date().isoformat()
            if isinstance(value, date):
                return value.isoformat()
            return date.fromisoformat(str(value).strip().replace("/", "-")).isoformat()
        if t == InfoItem.DataType.DATETIME:
            if isinstance(value, datetime):
                return value.isoformat()
            return datetime.fromisoformat(str(value).strip()).isoformat()
        if t == InfoItem.DataType.GEOMETRY:
            geo = json.loads(value) if isinstance(value, str) else value
            geom = shape(geo)
            if geom.is_empty:
                raise ValueError
            return geo
    except DatasetError:
        raise
    except (ValueError, TypeError, AttributeError, KeyError, json.JSONDecodeError, Exception):
        label = InfoItem.DataType(t).label
        raise DatasetError(f"{str(value)[:40]!r} is not a valid {label}", row=row, column=column) from None
    return value


def _header_map(resource_items: list[InfoItem], header: list, *, row: int = 1) -> list[InfoItem | None]:
    by_name = {}
    for item in resource_items:
        by_name[item.name] = item
        by_name.setdefault(item.title, item)
    mapped = []
    for n, col in enumerate(header, 1):
        col = str(col or "").strip().lstrip("\ufeff")
        if col == "":
            raise DatasetError("the header has an empty column name", row=row, column=f"#{n}")
        item = by_name.get(col)
        if item is None:
            raise DatasetError("this column is not an information item of the resource", row=row, column=col)
        if item in mapped:
            raise DatasetError("this column appears twice", row=row, column=col)
        mapped.append(item)
    missing = [i.name for i in resource_items if i.required and i not in mapped]
    if missing:
        raise DatasetError("a required column is missing", row=row, column=missing[0])
    return mapped


def _check_cell(value, lim: Limits, row: int, column: str):
    """Every text value of a file: within the cell limit, and no NUL character (never stored)."""
    if isinstance(value, str):
        if len(value) > lim.max_cell_chars:
            raise UploadLimitError(f"a cell is longer than {lim.max_cell_chars} characters", limit="max_cell_chars",
                                   value=len(value), row=row, column=column)
        if "\x00" in value:
            raise DatasetError("the value contains a NUL character (\\0)", row=row, column=column)


def _tabular(items: list[InfoItem], records, lim: Limits) -> Parsed:
    """``records``: ``(row_number, values)`` pairs, the header first."""
    records = iter(records)
    try:
        first_row, header = next(records)
    except StopIteration:
        raise DatasetError("the file is empty") from None
    header = list(header)
    if len(header) > lim.max_columns:
        raise UploadLimitError(f"the header has more than {lim.max_columns} columns", limit="max_columns",
                               value=len(header), row=first_row)
    for n, col in enumerate(header, 1):
        _check_cell(col, lim, first_row, f"#{n}")
    mapped = _header_map(items, header, row=first_row)
    rows, numbers = [], []
    for offset, values in records:
        values = list(values)
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if len(values) > len(mapped) and any(v not in (None, "") for v in values[len(mapped):]):
            raise DatasetError(f"the row has {len(values)} values but the header {len(mapped)} columns",
                               row=offset, column=f"#{len(mapped) + 1}")
        data = {}
        for item, value in zip(mapped, values + [None] * (len(mapped) - len(values)), strict=False):
            _check_cell(value, lim, offset, item.name)
            data[item.name] = _coerce(item, value, offset, item.name)
        for item in items:
            if item not in mapped:
                data[item.name] = None
        rows.append(data)
        numbers.append(offset)
        if len(rows) > lim.max_rows:
            raise UploadLimitError(f"more than {lim.max_rows} rows", limit="max_rows", value=len(rows), row=offset)
    return Parsed(rows, numbers)


def _records(items: list[InfoItem], records: list, *, what: str = "record", lim: Limits | None = None) -> Parsed:
    lim = lim or limits()
    if len(records) > lim.max_rows:
        raise UploadLimitError(f"more than {lim.max_rows} {what}s", limit="max_rows", value=len(records))
    names = {i.name: i for i in items}
    titles = {i.title: i for i in items}
    rows, numbers = [], []
    for n, rec in enumerate(records, 1):
        if not isinstance(rec, dict):
            raise DatasetError(f"each {what} must be an object", row=n)
        data = {}
        for key, value in rec.items():
            item = names.get(key) or titles.get(key)
            if item is None:
                raise DatasetError("this field is not an information item of the resource", row=n, column=str(key))
            _check_cell(value, lim, n, item.name)
            data[item.name] = _coerce(item, value, n, item.name)
        for item in items:
            if item.name not in data:
                data[item.name] = _coerce(item, None, n, item.name)
        rows.append(data)
        numbers.append(n)
    return Parsed(rows, numbers)


def _csv_records(text: str):
    """``(row_number, values)`` of a CSV text, strictly: a quote that is never closed, or text after
    a closing quote, is an error naming the line where the row starts (rows are never merged)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number, line = 0, 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = ("a quoted field opened in this row is never closed" if "unexpected end of data" in str(exc)
                      else f"malformed CSV ({exc}, line {reader.line_num})")
            raise DatasetError(f"line {line}: {reason}", row=number + 1) from None
        number += 1
        line = reader.line_num + 1
        yield number, values


def parse(resource: Resource, content: bytes, fmt: str) -> Parsed:
    """Parse and validate ``content`` (``fmt`` one of FORMATS) against the resource's items."""
    items = list(resource.items.all())
    lim = limits()
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in FORMATS:
        raise DatasetError(f"unsupported format {fmt!r}; use one of {', '.join(FORMATS)}")
    if len(content) > lim.max_bytes:
        raise UploadLimitError(f"the file is larger than {lim.max_bytes} bytes", limit="max_bytes",
                               value=len(content))
    if fmt == "csv":
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError:
                raise DatasetError("the file is neither UTF-8 nor GB 18030 text") from None
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise DatasetError(f"line {line}: the file contains a NUL character (\\0); it is not a CSV text")
        return _tabular(items, _csv_records(text), lim)
    if fmt == "xlsx":
        try:
            return _tabular(items, xlsx.read_rows(content, lim), lim)
        except xlsx.WorkbookError as exc:
            raise DatasetError(exc.detail, row=exc.row, column=exc.column) from None
    try:
        doc = jsonparse.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, jsonparse.JsonError) as exc:
        raise DatasetError(f"the file is not valid JSON: {exc}") from None
    if fmt == "geojson" or (isinstance(doc, dict) and doc.get("type") == "FeatureCollection"):
        if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
            raise DatasetError("a GeoJSON file must be a FeatureCollection")
        geo_items = [i for i in items if i.data_type == InfoItem.DataType.GEOMETRY]
        if not geo_items:
            raise DatasetError("the resource has no geometry information item for GeoJSON")
        records = []
        for n, feature in enumerate(doc.get("features") or [], 1):
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                raise DatasetError("each entry must be a GeoJSON Feature", row=n)
            props = dict(feature.get("properties") or {})
            props[geo_items[0].name] = feature.get("geometry")
            records.append(props)
        return _records(items, records, what="feature", lim=lim)
    if isinstance(doc, dict) and isinstance(doc.get("records"), list):
        doc = doc["records"]
    if not isinstance(doc, list):
        raise DatasetError("a JSON dataset is a list of objects (or {\"records\": [...]})")
    return _records(items, doc, lim=lim)


def _store(resource: Resource, parsed: Parsed, *, source: str, fmt: str = "", filename: str = "", sha: str = "",
           actor=None, note: str = "", allow_empty: bool = False) -> DatasetVersion:
    from smartcounty.foundation.catalog.services.opendata import undeclared_personal_columns

    if not parsed.rows and not allow_empty:
        raise EmptyDatasetError()
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        if locked.open_type == OpenType.OPEN:
            flagged = undeclared_personal_columns(locked, parsed.rows)
            if flagged:
                column, kind = next(iter(flagged.items()))
                raise DatasetError(f"this column of an open resource looks like personal data ({kind}); declare it "
                                   "personal in the information items or remove it", column=column)
        last = locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
        is_spatial = any(i.data_type == InfoItem.DataType.GEOMETRY for i in locked.items.all())
        version = DatasetVersion.objects.create(
            resource=locked, number=last + 1, source=source, file_format=fmt, filename=filename[:200], sha256=sha,
            row_count=len(parsed.rows), is_spatial=is_spatial, note=note[:200], created_by=actor)
        for start in range(0, len(parsed.rows), BATCH):
            DataRow.objects.bulk_create([DataRow(version=version, number=start + i + 1, data=row)
                                         for i, row in enumerate(parsed.rows[start:start + BATCH])])
        Resource.objects.filter(pk=locked.pk).update(current_version=version, modified_at=timezone.now())
        old = list(locked.versions.order_by("-number").values_list("id", flat=True)[KEEP_VERSIONS:])
        if old:
            DataRow.objects.filter(version_id__in=old).delete()
        audit.record("catalog.dataset_load", actor=actor, obj=locked, organisation_id=locked.provider_org_id,
                     detail={"code": locked.code, "version": version.number, "rows": version.row_count,
                             "source": source, "format": fmt, "sha256": sha,
                             **({"empty": True} if not parsed.rows else {})})
        events.publish("catalog.dataset_published", {"code": locked.code, "version": version.number,
                                                     "rows": version.row_count})
    resource.current_version = version
    return version


def load_file(resource: Resource, content: bytes, *, filename: str, fmt: str | None = None, actor=None,
              source: str = DatasetVersion.Source.UPLOAD, allow_empty: bool = False) -> DatasetVersion:
    """Validate an uploaded file and make it the current version; on any fault nothing changes.
    A file without data rows is refused unless ``allow_empty`` (then the audit row says so)."""
    fmt = (fmt or (filename.rsplit(".", 1)[-1] if "." in filename else "")).lower()
    parsed = parse(resource, content, fmt)
    return _store(resource, parsed, source=source, fmt=fmt, filename=filename,
                  sha=hashlib.sha256(content).hexdigest(), actor=actor, allow_empty=allow_empty)


def publish_dataset(resource_code: str, rows: list[dict], *, actor=None, note: str = "",
                    allow_empty: bool = False) -> DatasetVersion:
    """For modules: replace a resource's data with ``rows`` (dicts keyed by field name), validated
    like an upload. Returns the new version. The resource must exist in the catalog (see
    ``ensure_registered_resources`` for resources modules declare in ``reg.catalog_resources``).
    No rows is refused unless ``allow_empty``."""
    from smartcounty.foundation.catalog.services.resources import get_resource

    resource = get_resource(resource_code)
    parsed = _records(list(resource.items.all()), list(rows))
    return _store(resource, parsed, source=DatasetVersion.Source.SERVICE, fmt="json", actor=actor, note=note,
                  allow_empty=allow_empty)


CYCLE_PERIOD = {
    UpdateCycle.REALTIME: timedelta(minutes=5), UpdateCycle.HOURLY: timedelta(hours=1),
    UpdateCycle.DAILY: timedelta(days=1), UpdateCycle.WEEKLY: timedelta(days=7),
    UpdateCycle.MONTHLY: timedelta(days=30), UpdateCycle.QUARTERLY: timedelta(days=91),
    UpdateCycle.YEARLY: timedelta(days=365), UpdateCycle.IRREGULAR: timedelta(days=1),
}


def pull_due(now: datetime | None = None):
    now = now or timezone.now()
    due = []
    for res in Resource.objects.exclude(source_url="").only("id", "source_url", "update_cycle", "last_pulled_at"):
        if res.last_pulled_at is None or res.last_pulled_at + CYCLE_PERIOD[res.update_cycle] <= now:
            due.append(res)
    return due


def pull(resource: Resource, *, timeout: float | None = None, max_bytes: int | None = None) -> DatasetVersion | None:
    """Fetch ``resource.source_url`` through the kernel's guarded client (public addresses or
    ``SMARTCOUNTY_OUTBOUND_ALLOW`` only); load it when its content changed. Faults are kept in ``pull_error``."""
    url = resource.source_url
    now = timezone.now()
    try:
        resp = outbound.get(url, timeout=timeout, max_bytes=max_bytes, headers={"User-Agent": "smartcounty-catalog"})
        content, ctype = resp.body, resp.content_type()
        fmt = _guess_format(url, ctype)
        sha = hashlib.sha256(content).hexdigest()
        current = resource.current_version
        if current is not None and current.sha256 == sha:
            Resource.objects.filter(pk=resource.pk).update(last_pulled_at=now, pull_error="")
            return None
        parsed = parse(resource, content, fmt)
        version = _store(resource, parsed, source=DatasetVersion.Source.URL, fmt=fmt, filename=url.rsplit("/", 1)[-1],
                         sha=sha)
        Resource.objects.filter(pk=resource.pk).update(last_pulled_at=now, pull_error="")
        return version
    except (outbound.OutboundError, OSError, ApiError) as exc:
        Resource.objects.filter(pk=resource.pk).update(last_pulled_at=now, pull_error=str(exc)[:1000])
        return None


def _guess_format(url: str, content_type: str) -> str:
    ext = url.split("?", 1)[0].rsplit(".", 1)[-1].lower()
    if ext in FORMATS:
        return ext
    return {"text/csv": "csv", "application/json": "json", "application/geo+json": "geojson",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}.get(content_type, "csv")
