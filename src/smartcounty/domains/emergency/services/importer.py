"""Import of resources, shelters and stock movements from a CSV or XLSX file (the catalog's streaming workbook
reader and upload limits). Every row is checked first; one bad row and nothing is written, the errors naming
each row and column. A stock file is applied line by line in one transaction: a line that would take a balance
below zero rolls the whole file back, and its row is named."""

import csv
import io
import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from smartcounty.domains.emergency import catalogue
from smartcounty.domains.emergency.models import Item, Resource, Shelter, StockMove
from smartcounty.domains.emergency.services import ledger
from smartcounty.domains.emergency.services.resources import CLASS_NAMES, KIND_NAMES, STATUS_NAMES
from smartcounty.foundation.catalog import services as catalog
from smartcounty.foundation.catalog.services import xlsx
from smartcounty.foundation.places import services as places
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError

MAX_ERRORS = 200
RESOURCE_HEADINGS = {"类型": "kind", "编码": "code", "名称": "name", "经度": "lon", "纬度": "lat", "乡镇": "town",
                     "地址": "address", "状态": "status", "数量": "quantity", "人数": "quantity",
                     "专长": "skills", "领域": "skills", "联系人": "contact_name", "联系电话": "contact_phone",
                     "避难场所类别": "shelter_class", "有效避难面积": "effective_area_m2", "服务半径": "service_radius_m",
                     "可容纳人数": "capacity"}
STOCK_HEADINGS = {"仓库编码": "depot", "物资编码": "item", "物资名称": "item_name", "单位": "unit", "类型": "kind",
                  "数量": "quantity", "备注": "note"}
KIND_BY_NAME = {**{v: k for k, v in KIND_NAMES.items()}, "避难场所": "shelter"}
STATUS_BY_NAME = {v: k for k, v in STATUS_NAMES.items()}
CLASS_BY_NAME = {v: k for k, v in CLASS_NAMES.items()}
MOVE_BY_NAME = {"入库": StockMove.Kind.IN, "出库": StockMove.Kind.OUT, "盘点": StockMove.Kind.COUNT}


def _file_error(message: str, row=None, column=""):
    return ApiError(422, "invalid-file", message, field="file", errors=[{"row": row, "column": column,
                                                                         "message": message}])


def _csv_rows(content: bytes):
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _file_error(_("the file is neither UTF-8 nor GB 18030 text"))
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
    lim = catalog.upload_limits()
    if len(content) > lim.max_bytes:
        raise ApiError(413, "upload-limit", _("the file is larger than %(n)s bytes") % {"n": lim.max_bytes}, field="file")
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        def gen():
            try:
                yield from xlsx.read_rows(content, lim)
            except xlsx.WorkbookError as exc:
                raise _file_error(exc.detail, row=exc.row, column=exc.column or "") from None
        source = gen()
    elif name.endswith((".csv", ".txt")):
        source = _csv_rows(content)
    else:
        raise _file_error(_("use a CSV or XLSX file"))
    for number, values in source:
        if number > lim.max_rows + 1:
            raise ApiError(413, "upload-limit", _("more than %(n)s rows") % {"n": lim.max_rows}, field="file")
        yield number, [("" if v is None else str(v).strip()) for v in values]


def _table(content: bytes, filename: str, headings: dict, required: tuple):
    rows = rows_of(content, filename)
    head = next(rows, None)
    if head is None:
        raise _file_error(_("the file is empty"))
    columns = [headings.get(t, t if t in headings.values() else None) for t in head[1]]
    titles = {}
    for t, f in headings.items():
        titles.setdefault(f, t)
    missing = [titles[f] for f in required if f not in columns]
    if missing:
        raise _file_error(_("missing columns: %(c)s") % {"c": "、".join(missing)}, row=1)
    out = []
    for number, values in rows:
        if not any(values):
            continue
        out.append((number, {c: v for c, v in zip(columns, values, strict=False) if c}))
    if not out:
        raise _file_error(_("the file has no rows"))
    return out, titles


def _number(raw: dict, field: str, errors: list, *, kind=float, required=False, lo=None, hi=None):
    v = raw.get(field, "")
    if v == "":
        if required:
            errors.append((field, _("required")))
        return None
    try:
        n = kind(float(v)) if kind is int else float(v)
    except ValueError:
        errors.append((field, _("not a number")))
        return None
    if (lo is not None and n < lo) or (hi is not None and n > hi):
        errors.append((field, _("out of range")))
        return None
    return n


def _clean_resource(raw: dict, towns: dict) -> tuple[dict, list]:
    errors: list = []
    kind = KIND_BY_NAME.get(raw.get("kind", ""), raw.get("kind", ""))
    if kind not in KIND_NAMES and kind != "shelter":
        errors.append(("kind", _("unknown kind of resource")))
    for f in ("code", "name"):
        if not raw.get(f):
            errors.append((f, _("required")))
    if len(raw.get("code", "")) > 32:
        errors.append(("code", _("longer than 32 characters")))
    lon = _number(raw, "lon", errors, required=True, lo=73, hi=136)
    lat = _number(raw, "lat", errors, required=True, lo=3, hi=54)
    town = raw.get("town", "")
    town = towns.get(town, town)
    if town and town not in towns.values():
        errors.append(("town", _("unknown town")))
    d = {"kind": kind, "code": raw.get("code", ""), "name": raw.get("name", "")[:120], "lon": lon, "lat": lat,
         "town_code": town, "address": raw.get("address", "")[:200], "contact_name": raw.get("contact_name", "")[:40],
         "contact_phone": raw.get("contact_phone", "")[:20]}
    if kind == "shelter":
        cls = CLASS_BY_NAME.get(raw.get("shelter_class", ""), raw.get("shelter_class", ""))
        if cls not in catalogue.SHELTER_CLASSES:
            errors.append(("shelter_class", _("unknown shelter class")))
            return d, errors
        area = _number(raw, "effective_area_m2", errors, kind=int, required=True, lo=1, hi=10**8)
        radius = _number(raw, "service_radius_m", errors, kind=int, lo=1, hi=catalogue.SHELTER_CLASSES[cls][3])
        cap = _number(raw, "capacity", errors, kind=int, lo=0, hi=10**7)
        if area is not None:
            most = catalogue.shelter_capacity(cls, area)
            if cap is not None and cap > most:
                errors.append(("capacity", _("at most %(n)s persons for this area and class") % {"n": most}))
            cap = most if cap is None else cap
        d.update(shelter_class=cls, effective_area_m2=area, capacity=cap,
                 service_radius_m=radius or catalogue.SHELTER_CLASSES[cls][3])
    else:
        status = STATUS_BY_NAME.get(raw.get("status", ""), raw.get("status", "") or "ready")
        if status not in STATUS_NAMES:
            errors.append(("status", _("unknown status")))
        q = _number(raw, "quantity", errors, kind=int, lo=0, hi=10**6)
        d.update(status=status, quantity=0 if kind == "depot" else (1 if q is None else q),
                 skills=raw.get("skills", "")[:200])
    return d, errors


def import_resources(content: bytes, filename: str = "", *, actor=None) -> dict:
    """Resources and shelters, all or nothing. Returns {rows, created, errors}."""
    rows, titles = _table(content, filename, RESOURCE_HEADINGS, ("kind", "code", "name", "lon", "lat"))
    towns = {t.name: t.code for t in places.towns()}
    good, errors, seen = [], [], {}

    def err(number, field, message):
        if len(errors) < MAX_ERRORS:
            errors.append({"row": number, "column": titles.get(field, field), "message": str(message)})

    for number, raw in rows:
        d, row_errors = _clean_resource(raw, towns)
        if d["code"] in seen:
            row_errors.append(("code", _("the same code is in row %(n)s") % {"n": seen[d["code"]]}))
        seen.setdefault(d["code"], number)
        for f, m in row_errors:
            err(number, f, m)
        if not row_errors:
            good.append((number, d))
    codes = [d["code"] for _n, d in good]
    taken = set(Resource.objects.filter(code__in=codes).values_list("code", flat=True)) | set(
        Shelter.objects.filter(code__in=codes).values_list("code", flat=True))
    for number, d in good:
        if d["code"] in taken:
            err(number, "code", _("the code %(c)s is taken") % {"c": d["code"]})
    if errors:
        return {"rows": len(rows), "created": 0, "errors": errors}
    with transaction.atomic():
        res = [Resource(**{k: v for k, v in d.items()}) for _n, d in good if d["kind"] != "shelter"]
        shel = [Shelter(**{k: v for k, v in d.items() if k != "kind"}) for _n, d in good if d["kind"] == "shelter"]
        Resource.objects.bulk_create(res, batch_size=1000)
        Shelter.objects.bulk_create(shel, batch_size=1000)
        audit.record("emergency.import", actor=actor, object_type="emergency.resource",
                     detail={"file": filename[:100], "resources": len(res), "shelters": len(shel)})
    return {"rows": len(rows), "created": len(good), "errors": []}


def import_stock(content: bytes, filename: str = "", *, actor=None) -> dict:
    """Stock movements (入库, 出库, 盘点), all or nothing; a line that would make a balance negative rolls the file
    back and is named with its row. Returns {rows, applied, errors}."""
    rows, titles = _table(content, filename, STOCK_HEADINGS, ("depot", "item", "kind", "quantity"))
    depots = {r.code: r for r in Resource.objects.filter(kind="depot", code__in={raw.get("depot", "")
                                                                                for _n, raw in rows})}
    items = {i.code: i for i in Item.objects.filter(code__in={raw.get("item", "") for _n, raw in rows})}
    lines, errors, new_items = [], [], {}

    def err(number, field, message):
        if len(errors) < MAX_ERRORS:
            errors.append({"row": number, "column": titles.get(field, field), "message": str(message)})

    for number, raw in rows:
        row_errors: list = []
        depot = depots.get(raw.get("depot", ""))
        if depot is None:
            row_errors.append(("depot", _("no supply depot with this code")))
        code = raw.get("item", "")
        item = items.get(code) or new_items.get(code)
        if item is None:
            if code and raw.get("item_name") and raw.get("unit"):
                item = new_items[code] = Item(code=code[:32], name=raw["item_name"][:80], unit=raw["unit"][:12])
            else:
                row_errors.append(("item", _("unknown item; give its name and unit to add it")))
        kind = MOVE_BY_NAME.get(raw.get("kind", ""), raw.get("kind", ""))
        if kind not in (StockMove.Kind.IN, StockMove.Kind.OUT, StockMove.Kind.COUNT):
            row_errors.append(("kind", _("入库, 出库 or 盘点")))
        q = _number(raw, "quantity", row_errors, kind=int, required=True, lo=0 if kind == "count" else 1,
                    hi=ledger.MAX_QUANTITY)
        for f, m in row_errors:
            err(number, f, m)
        if not row_errors:
            lines.append({"row": number, "depot": depot, "item": item, "kind": kind, "quantity": q,
                          "note": raw.get("note", "")[:200]})
    if errors:
        return {"rows": len(rows), "applied": 0, "errors": errors}
    ref = "F" + uuid.uuid4().hex[:16]
    try:
        with transaction.atomic():
            for it in new_items.values():
                it.save()
            for line in lines:
                try:
                    ledger.apply_lines([line], actor=actor, reference=ref)
                except ApiError as exc:
                    raise _RowFailed(line["row"], str(exc.detail or exc.code)) from None
            audit.record("emergency.import_stock", actor=actor, object_type="emergency.stock",
                         detail={"file": filename[:100], "lines": len(lines), "reference": ref})
    except _RowFailed as f:
        return {"rows": len(rows), "applied": 0,
                "errors": [{"row": f.row, "column": titles["quantity"], "message": f.message}]}
    return {"rows": len(rows), "applied": len(lines), "errors": [], "reference": ref}


class _RowFailed(Exception):
    def __init__(self, row: int, message: str):
        super().__init__(message)
        self.row, self.message = row, message
