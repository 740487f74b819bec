"""Import of the enterprise registry from a CSV or XLSX file: every row checked first; one bad row and
nothing is written (the errors name each row and column); else all rows are created or updated at once.

The workbook reader and the upload limits are the catalog's (streaming, bounded inflation)."""

import csv
import io

from django.db import transaction
from django.utils.translation import gettext as _

from smartcounty.domains.economy.models import Enterprise
from smartcounty.domains.economy.services import registry
from smartcounty.foundation.catalog import services as catalog
from smartcounty.foundation.catalog.services import xlsx
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError

#: column heading (Chinese title or field name) -> field
HEADINGS = {
    "统一社会信用代码": "uscc", "企业名称": "name", "企业类型": "kind", "行业代码": "industry", "所属行业": "industry",
    "乡镇": "town", "所在乡镇": "town", "园区": "park", "所在园区": "park", "企业规模": "size", "联系人": "contact_name",
    "联系电话": "contact_phone", "地址": "address", "成立日期": "registered_on",
}
FIELDS = ("uscc", "name", "kind", "industry", "town", "park", "size", "contact_name", "contact_phone", "address",
          "registered_on")
TITLES = {"uscc": "统一社会信用代码", "name": "企业名称", "industry": "行业代码"}
REQUIRED = ("uscc", "name", "industry")
MAX_ERRORS = 200


def _file_error(message: str, row=None, column=None):
    return ApiError(422, "invalid-dataset", message, field="file",
                    errors=[{"row": row, "column": column or "", "message": message}])


def _csv_rows(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError:
            raise _file_error(_("the file is neither UTF-8 nor GB 18030 text")) from None
    if "\x00" in text:
        raise _file_error(_("the file contains a NUL character; it is not a CSV text"))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    n = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise _file_error(_("malformed CSV text"), row=n + 1) from None
        n += 1
        yield n, values


def rows_of(content: bytes, filename: str):
    """(row number, values) of the file's first table; the catalog's limits apply."""
    lim = catalog.upload_limits()
    if len(content) > lim.max_bytes:
        raise ApiError(413, "upload-limit", _("the file is larger than %(n)s bytes") % {"n": lim.max_bytes}, field="file")
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        def gen():
            try:
                yield from xlsx.read_rows(content, lim)
            except xlsx.WorkbookError as exc:
                raise _file_error(exc.detail, row=exc.row, column=exc.column) from None
        source = gen()
    elif name.endswith(".csv") or name.endswith(".txt"):
        source = _csv_rows(content)
    else:
        raise _file_error(_("use a CSV or XLSX file"))
    for number, values in source:
        if number > lim.max_rows + 1:
            raise ApiError(413, "upload-limit", _("more than %(n)s rows") % {"n": lim.max_rows}, field="file")
        if len(values) > lim.max_columns:
            raise ApiError(413, "upload-limit", _("more than %(n)s columns") % {"n": lim.max_columns}, field="file")
        yield number, values


def import_file(content: bytes, filename: str, *, actor=None) -> dict:
    """Check every row; write all or nothing. Returns {rows, created, updated, errors}."""
    rows = rows_of(content, filename)
    header = next(rows, None)
    if header is None:
        raise _file_error(_("the file is empty"))
    _n, titles = header
    columns = []
    for t in titles:
        key = str(t or "").strip()
        columns.append(HEADINGS.get(key) or (key if key in FIELDS else None))
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise _file_error(_("missing columns: %(c)s") % {"c": "、".join(str(TITLES[f]) for f in missing)}, row=1)
    towns, parks = registry._towns(), registry._parks()
    good: dict[str, tuple[int, dict]] = {}
    errors: list[dict] = []
    count = 0
    for number, values in rows:
        if not any(str(v).strip() for v in values if v is not None):
            continue
        count += 1
        raw = {}
        for col, value in zip(columns, values, strict=False):
            if col:
                raw[col] = value.strip() if isinstance(value, str) else value
        data, row_errors = registry.clean(raw, towns=towns, parks=parks)
        if not row_errors and data["uscc"] in good:
            row_errors = [("uscc", _("the same credit code is in row %(n)s") % {"n": good[data["uscc"]][0]})]
        for column, message in row_errors:
            if len(errors) < MAX_ERRORS:
                errors.append({"row": number, "column": column, "message": message})
        if not row_errors:
            good[data["uscc"]] = (number, data)
    if errors:
        return {"rows": count, "created": 0, "updated": 0, "errors": errors}
    if not good:
        raise _file_error(_("the file has no rows"))
    with transaction.atomic():
        existing = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=list(good))}
        new, changed = [], []
        fields = ["name", "kind", "industry", "town_code", "park_id", "size", "contact_name", "contact_phone",
                  "address", "registered_on", "source"]
        for uscc, (_n, data) in good.items():
            data = {**data, "source": "import"}
            if uscc in existing:
                e = existing[uscc]
                for f in fields:
                    setattr(e, f, data[f])
                changed.append(e)
            else:
                new.append(Enterprise(**data))
        Enterprise.objects.bulk_create(new, batch_size=1000)
        Enterprise.objects.bulk_update(changed, fields, batch_size=1000)
        audit.record("economy.import", actor=actor, object_type="economy.enterprise",
                     detail={"file": filename, "rows": count, "created": len(new), "updated": len(changed)})
    return {"rows": count, "created": len(new), "updated": len(changed), "errors": []}
