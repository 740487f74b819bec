"""Import of special equipment from a CSV file (UTF-8 or GB 18030): every row is checked first, and one bad
row means nothing is written (the errors name each row and column); else all rows go in at once."""

import csv
import io
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from smartcounty.domains.market.models import Equipment, Kind, Unit
from smartcounty.domains.market.services import equipment as eqs
from smartcounty.kernel import audit, codes
from smartcounty.kernel.problems import ApiError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_ERRORS = 200
#: heading -> field
HEADINGS = {"设备种类": "kind", "设备注册代码": "registration_code", "设备名称": "name",
            "使用单位统一社会信用代码": "unit_uscc", "使用单位名称": "unit_name", "乡镇": "town",
            "地址": "address", "投入使用日期": "first_use", "上次定期检验日期": "last_inspection",
            "上次自行检测日期": "last_self_test"}
TITLES = {v: k for k, v in HEADINGS.items()}
REQUIRED = ("kind", "registration_code", "name", "unit_uscc", "unit_name", "first_use")
KIND_BY_NAME = {"电梯": Kind.ELEVATOR, "锅炉": Kind.BOILER, "压力容器": Kind.PRESSURE_VESSEL, "起重机械": Kind.LIFTING,
                "场（厂）内专用机动车辆": Kind.FIELD_VEHICLE, "场(厂)内专用机动车辆": Kind.FIELD_VEHICLE,
                "场车": Kind.FIELD_VEHICLE, "客运索道": Kind.ROPEWAY, "大型游乐设施": Kind.AMUSEMENT}


def _file_error(message: str, row=None):
    return ApiError(422, "invalid-file", message, field="file", errors=[{"row": row, "column": "", "message": message}])


def _text(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise ApiError(413, "upload-limit", _("the file is larger than %(n)s bytes") % {"n": MAX_BYTES}, field="file")
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
    return text


def _date(value: str, field: str, errors: list, required: bool = False) -> date | None:
    if not value:
        if required:
            errors.append((field, _("required")))
        return None
    try:
        return date.fromisoformat(value.replace("/", "-"))
    except ValueError:
        errors.append((field, _("not a date (YYYY-MM-DD)")))
        return None


def clean(raw: dict, towns: dict[str, str], on: date) -> tuple[dict, list]:
    errors: list[tuple[str, str]] = []
    for f in REQUIRED:
        if not raw.get(f):
            errors.append((f, _("required")))
    kind = KIND_BY_NAME.get(raw.get("kind", ""), raw.get("kind", ""))
    if raw.get("kind") and kind not in eqs.KIND_NAMES:
        errors.append(("kind", _("unknown kind of equipment")))
    code = raw.get("registration_code", "")
    if len(code) > 24:
        errors.append(("registration_code", _("longer than 24 characters")))
    uscc = raw.get("unit_uscc", "").upper()
    if uscc:
        try:
            uscc = codes.validate_uscc(uscc).code
        except codes.CodeError:
            errors.append(("unit_uscc", eqs.USCC_MESSAGE()))
    town = raw.get("town", "")
    town = towns.get(town, town)
    if town and town not in towns.values():
        errors.append(("town", _("unknown town")))
    first_use = _date(raw.get("first_use", ""), "first_use", errors, required=False)
    if first_use and first_use > on:
        errors.append(("first_use", _("in the future")))
    last_i = _date(raw.get("last_inspection", ""), "last_inspection", errors)
    last_s = _date(raw.get("last_self_test", ""), "last_self_test", errors)
    for f, d in (("last_inspection", last_i), ("last_self_test", last_s)):
        if d and (d > on or (first_use and d < first_use)):
            errors.append((f, _("outside first use to today")))
    if last_s and kind != Kind.ELEVATOR:
        errors.append(("last_self_test", _("only elevators have self-tests")))
    return ({"kind": kind, "registration_code": code, "name": raw.get("name", "")[:120], "unit_uscc": uscc,
             "unit_name": raw.get("unit_name", "")[:120], "town_code": town, "address": raw.get("address", "")[:200],
             "first_use": first_use, "last_inspection": last_i, "last_self_test": last_s}, errors)


def import_csv(content: bytes, filename: str = "", *, actor=None) -> dict:
    """Check every row; write all or nothing. Returns {rows, created, errors}."""
    reader = csv.reader(io.StringIO(_text(content), newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error:
        raise _file_error(_("malformed CSV text"), row=1) from None
    if not header:
        raise _file_error(_("the file is empty"))
    columns = [HEADINGS.get(str(t).strip(), str(t).strip() if str(t).strip() in TITLES else None) for t in header]
    missing = [TITLES[f] for f in REQUIRED if f not in columns]
    if missing:
        raise _file_error(_("missing columns: %(c)s") % {"c": "、".join(missing)}, row=1)
    towns = {t.name: t.code for t in eqs.places.towns()}
    on = eqs.today()
    good, errors, seen, count, number = [], [], {}, 0, 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error:
            raise _file_error(_("malformed CSV text"), row=number + 1) from None
        number += 1
        if number > MAX_ROWS + 1:
            raise ApiError(413, "upload-limit", _("more than %(n)s rows") % {"n": MAX_ROWS}, field="file")
        if not any(v.strip() for v in values):
            continue
        count += 1
        raw = {c: v.strip() for c, v in zip(columns, values, strict=False) if c}
        data, row_errors = clean(raw, towns, on)
        code = data["registration_code"]
        if code and code in seen:
            row_errors.append(("registration_code", _("the same code is in row %(n)s") % {"n": seen[code]}))
        seen.setdefault(code, number)
        for column, message in row_errors:
            if len(errors) < MAX_ERRORS:
                errors.append({"row": number, "column": TITLES.get(column, column), "message": str(message)})
        if not row_errors:
            good.append((number, data))
    taken = set(Equipment.objects.filter(registration_code__in=[d["registration_code"] for _n, d in good])
                .values_list("registration_code", flat=True))
    for number, d in good:
        if d["registration_code"] in taken and len(errors) < MAX_ERRORS:
            errors.append({"row": number, "column": TITLES["registration_code"],
                           "message": _("registration code %(c)s is taken") % {"c": d["registration_code"]}})
    if errors:
        return {"rows": count, "created": 0, "errors": errors}
    if not good:
        raise _file_error(_("the file has no rows"))
    table = eqs.interval_table()
    with transaction.atomic():
        units = {u.uscc: u for u in Unit.objects.filter(uscc__in={d["unit_uscc"] for _n, d in good})}
        new_units = {}
        for _n, d in good:
            if d["unit_uscc"] not in units and d["unit_uscc"] not in new_units:
                new_units[d["unit_uscc"]] = Unit(uscc=d["unit_uscc"], name=d["unit_name"], town_code=d["town_code"])
        Unit.objects.bulk_create(list(new_units.values()))
        units.update({u.uscc: u for u in Unit.objects.filter(uscc__in=list(new_units))})
        rows = []
        for _n, d in good:
            due = eqs.next_due(d["kind"], d["first_use"], d["last_inspection"], d["last_self_test"], table)
            rows.append(Equipment(kind=d["kind"], registration_code=d["registration_code"], name=d["name"],
                                  unit=units[d["unit_uscc"]], town_code=d["town_code"], address=d["address"],
                                  first_use=d["first_use"], last_inspection=d["last_inspection"],
                                  last_self_test=d["last_self_test"], next_due=due.on, next_task=due.task))
        Equipment.objects.bulk_create(rows, batch_size=1000)
        audit.record("market.import", actor=actor, object_type="market.equipment",
                     detail={"file": filename[:100], "rows": count, "created": len(rows)})
    return {"rows": count, "created": len(rows), "errors": []}
