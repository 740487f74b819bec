"""Open data: the personal-data detector and opening a resource to the public, registered apps with
keys and rate limits, usage counters, downloads in CSV, JSON, XLSX and GeoJSON."""

import csv
import hashlib
import io
import json
import math
import re
import secrets
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from smartcounty.foundation.catalog.models import App, AppWindow, DataRow, InfoItem, OpenType, Resource, Usage
from smartcounty.kernel import audit, events, masking
from smartcounty.kernel.problems import ApiError

APP_KEY_PREFIX = "od_"
DETECT_SAMPLE = 500
DETECT_SHARE = 0.6
_NAME_HINTS = {
    "id_number": ("身份证", "证件号", "id_card", "idcard", "id_number", "idno", "sfz"),
    "phone": ("电话", "手机", "联系方式", "phone", "mobile", "tel"),
    "name": ("姓名", "联系人", "法人代表", "法定代表人", "负责人", "person_name", "contact_name", "fullname"),
    "address": ("住址", "家庭地址", "居住地", "户籍地", "home_address", "residence"),
}
_VALUE_TESTS = (("id_number", masking.looks_like_id_number), ("phone", masking.looks_like_phone),
                ("name", masking.looks_like_name), ("address", masking.looks_like_address))


def detect_personal(items: list[InfoItem], rows: list[dict]) -> dict[str, str]:
    """Columns that look personal, by their name or by most of their sampled values: {column: kind}."""
    found = {}
    sample = rows[:DETECT_SAMPLE]
    for item in items:
        if item.data_type != InfoItem.DataType.STRING:
            continue
        label = f"{item.name} {item.title}".lower()
        for kind, hints in _NAME_HINTS.items():
            if any(h in label for h in hints):
                found[item.name] = kind
                break
        if item.name in found:
            continue
        values = [str(r.get(item.name)) for r in sample if r.get(item.name) not in (None, "")]
        if not values:
            continue
        for kind, test in _VALUE_TESTS:
            if sum(1 for v in values if test(v)) >= DETECT_SHARE * len(values):
                found[item.name] = kind
                break
    return found


def undeclared_personal_columns(resource: Resource, rows: list[dict] | None = None) -> dict[str, str]:
    """Personal-looking columns that are not declared personal (so would be published unmasked)."""
    items = list(resource.items.all())
    if rows is None:
        version = resource.current_version
        rows = list(DataRow.objects.filter(version=version).order_by("number")
                    .values_list("data", flat=True)[:DETECT_SAMPLE]) if version else []
    flagged = detect_personal(items, rows)
    declared = {i.name for i in items if i.personal}
    return {k: v for k, v in flagged.items() if k not in declared}


@transaction.atomic
def open_resource(resource: Resource, *, actor=None) -> Resource:
    """Open a resource's data to the public: it must be unconditionally shared, have data, and no
    column that looks personal may be left undeclared (declared personal columns are masked)."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if resource.sharing_type != "unconditional":
        raise ApiError(409, "conflict", "only unconditionally shared resources can be opened", field="sharing_type")
    if resource.current_version_id is None:
        raise ApiError(409, "conflict", "load data before opening the resource", field="current_version")
    flagged = undeclared_personal_columns(resource)
    if flagged:
        errors = [{"field": col, "in": "data", "type": "personal-data", "message": kind} for col, kind in flagged.items()]
        raise ApiError(409, "personal-data", "columns look like personal data: " +
                       ", ".join(f"{c} ({k})" for c, k in flagged.items()), field=next(iter(flagged)), errors=errors)
    resource.open_type = OpenType.OPEN
    resource.save(update_fields=["open_type", "modified_at"])
    from smartcounty.foundation.catalog.services.resources import index_resource

    index_resource(resource)
    audit.record("catalog.resource_open", actor=actor, obj=resource, organisation_id=resource.provider_org_id,
                 detail={"code": resource.code})
    events.publish("catalog.resource_opened", {"code": resource.code})
    return resource


# -- registered apps ----------------------------------------------------------------------------

def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def register_app(owner, name: str, *, per_minute: int = 60) -> tuple[App, str]:
    """Register an app; the key is returned once, only its digest is kept."""
    if not (name or "").strip():
        raise ApiError(422, "invalid", "an app needs a name", field="name")
    if not 1 <= per_minute <= 600:
        raise ApiError(422, "invalid", "1 to 600 requests per minute", field="per_minute")
    prefix = secrets.token_hex(4)
    secret = f"{APP_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(24)}"
    with transaction.atomic():
        app = App.objects.create(owner=owner, name=name.strip()[:100], prefix=prefix, digest=_digest(secret),
                                 per_minute=per_minute)
        audit.record("catalog.app_register", actor=owner, obj=app, detail={"name": app.name, "per_minute": per_minute})
    return app, secret


def app_for_key(secret: str) -> App | None:
    if not secret or not secret.startswith(APP_KEY_PREFIX):
        return None
    return App.objects.filter(digest=_digest(secret), revoked_at__isnull=True).first()


def rate_window_s() -> int:
    """Length of the rate-limit window in seconds: a minute (``per_minute``); tests shorten it with
    the setting ``SMARTCOUNTY_CATALOG_RATE_WINDOW_S``."""
    return max(1, int(getattr(settings, "SMARTCOUNTY_CATALOG_RATE_WINDOW_S", 60)))


def check_rate(app: App, *, now: float | None = None) -> None:
    """Fixed window per app (a minute), counted in the database (shared by every worker). A refused
    call raises 429 with ``Retry-After``: the whole seconds until the next window opens, when a call
    passes again (RFC 9110 §10.2.3, RFC 6585 §4)."""
    now = time.time() if now is None else now
    window_s = rate_window_s()
    minute = int(now // window_s)
    with transaction.atomic():
        updated = AppWindow.objects.filter(app=app, minute=minute, calls__lt=app.per_minute).update(calls=F("calls") + 1)
        if updated:
            return
        if AppWindow.objects.filter(app=app, minute=minute).exists():
            retry_after = max(1, math.ceil((minute + 1) * window_s - now))
            raise ApiError(429, "rate-limited", f"{app.per_minute} requests per minute",
                           headers={"Retry-After": str(retry_after)})
        try:
            with transaction.atomic():
                AppWindow.objects.create(app=app, minute=minute, calls=1)
        except IntegrityError:
            return check_rate(app, now=now)
        AppWindow.objects.filter(app=app, minute__lt=minute - 60).delete()


# -- usage --------------------------------------------------------------------------------------

USAGE_KINDS = ("views", "downloads", "api_calls")


def count(resource: Resource, kind: str, n: int = 1) -> None:
    if kind not in USAGE_KINDS:
        raise ValueError(kind)
    day = timezone.localdate()
    with transaction.atomic():
        if Usage.objects.filter(resource=resource, day=day).update(**{kind: F(kind) + n}):
            return
        try:
            with transaction.atomic():
                Usage.objects.create(resource=resource, day=day, **{kind: n})
        except IntegrityError:
            Usage.objects.filter(resource=resource, day=day).update(**{kind: F(kind) + n})


def usage_totals(resource: Resource) -> dict:
    from django.db.models import Sum

    totals = Usage.objects.filter(resource=resource).aggregate(views=Sum("views"), downloads=Sum("downloads"),
                                                               api_calls=Sum("api_calls"))
    return {k: totals[k] or 0 for k in USAGE_KINDS}


# -- downloads ----------------------------------------------------------------------------------

EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "geojson": "application/geo+json"}


def export_formats(resource: Resource) -> list[str]:
    spatial = resource.items.filter(data_type=InfoItem.DataType.GEOMETRY).exists()
    return [f for f in EXPORT_FORMATS if f != "geojson" or spatial]


def public_rows(resource: Resource):
    """Every row of the current version, masked for the public (an iterator; no audit: open data).
    Downloads take no filters, sort or search: the file is the same for everyone."""
    from smartcounty.foundation.catalog.services.reads import access_for, row_masker

    access = access_for(resource, org_id=None, public=True)
    names, masks = access.fields, access.masks
    version = resource.current_version
    if version is None:
        return names, iter(())
    qs = DataRow.objects.filter(version=version).order_by("number").values_list("data", flat=True)
    apply = row_masker(names, masks)
    return names, (apply(d) for d in qs.iterator(chunk_size=2000))


#: Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def cell_text(value) -> str:
    """A value as the text of a CSV or XLSX cell: objects as JSON, and text a spreadsheet would take
    for a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) prefixed with ``'``, unless it is
    a plain number literal (``-5``, ``+3.2``). Numbers are written as they are."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER_RE.fullmatch(text):
        return "'" + text
    return text


def export(resource: Resource, fmt: str) -> bytes:
    if resource.open_type != OpenType.OPEN:
        raise ApiError(403, "forbidden", "the data of this resource is not open to the public")
    if fmt not in export_formats(resource):
        raise ApiError(404, "not-found", f"no {fmt} download for this resource")
    names, rows = public_rows(resource)
    items = {i.name: i for i in resource.items.all()}
    geo = [n for n in names if items[n].data_type == InfoItem.DataType.GEOMETRY]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow([cell_text(n) for n in names])
        for row in rows:
            writer.writerow(["" if row[n] is None else cell_text(row[n]) for n in names])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    if fmt == "json":
        return json.dumps({"resource": resource.code, "name": resource.name, "fields": names,
                           "records": list(rows)}, ensure_ascii=False).encode()
    if fmt == "geojson":
        key = geo[0]
        features = [{"type": "Feature", "geometry": row.get(key),
                     "properties": {n: row[n] for n in names if n != key}} for row in rows]
        return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(resource.code.replace("/", "-")[:31])

    def cell(value):
        if not isinstance(value, (str, dict, list)):
            return value
        # Text is always written as text (data type "s"): openpyxl would make "=..." a formula.
        out = WriteOnlyCell(sheet, value=cell_text(value))
        out.data_type = "s"
        return out

    sheet.append([cell(n) for n in names])
    for row in rows:
        sheet.append([cell(row[n]) for n in names])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
