"""Filing a case through the cases API: who may file which type, and what they may send with it.

A case type says who may file it (``CaseType.filed_by``) and which ``data`` keys a filer may give
(``CaseType.fields``), or the type has a filing form (``forms.filing_form``) that checks ``data`` and its
uploads instead; the grid code must be one of the county's grids. Modules that file cases
through their own checks (citymgmt reports, a grid worker's events) call ``engine.create_case``.
"""

import json
import math

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from smartcounty.foundation.cases import forms
from smartcounty.foundation.cases.engine import ADMIN_ROLE, case_type, create_case
from smartcounty.foundation.cases.files import add_attachment
from smartcounty.foundation.cases.forms import validation as forms_validation
from smartcounty.foundation.cases.forms.document import fields as form_fields
from smartcounty.foundation.cases.forms.render import describe_upload
from smartcounty.foundation.cases.schemas import MAX_DATA_BYTES, CaseType, DataField
from smartcounty.kernel.problems import ApiError

_URL = URLValidator(schemes=["http", "https"])


def may_file(user, ct: CaseType) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or getattr(user, "role", "") == ADMIN_ROLE:
        return True
    return "*" in ct.filed_by or getattr(user, "role", "") in ct.filed_by


def check_data_size(data: dict, field: str = "data") -> None:
    """Refuse ``data`` larger than ``MAX_DATA_BYTES`` as compact JSON."""
    size = len(json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode())
    if size > MAX_DATA_BYTES:
        raise ApiError(422, "invalid", _("The data are larger than %(limit)s bytes.") % {"limit": MAX_DATA_BYTES},
                       field=field)


def is_web_url(value) -> bool:
    """An absolute http or https URL (never ``javascript:``, ``data:`` or ``file:``)."""
    try:
        _URL(str(value))
    except ValidationError:
        return False
    return True


def _value(name: str, spec: DataField, value):
    field = f"data.{name}"
    if spec.kind in ("text", "url", "choice"):
        if not isinstance(value, str):
            raise ApiError(422, "invalid", _("%(field)s must be text.") % {"field": field}, field=field)
        if spec.kind != "choice" and len(value) > spec.max_length:
            raise ApiError(422, "invalid", _("%(field)s is longer than %(limit)s characters.")
                           % {"field": field, "limit": spec.max_length}, field=field)
        if spec.kind == "url" and value and not is_web_url(value):
            raise ApiError(422, "invalid", _("%(field)s must be an http or https URL.") % {"field": field},
                           field=field)
        if spec.kind == "choice" and value not in spec.choices:
            raise ApiError(422, "invalid", _("%(field)s must be one of: %(choices)s.")
                           % {"field": field, "choices": ", ".join(spec.choices)}, field=field)
        return value
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise ApiError(422, "invalid", _("%(field)s must be true or false.") % {"field": field}, field=field)
        return value
    ok = isinstance(value, int) if spec.kind == "int" else isinstance(value, (int, float)) and math.isfinite(value)
    if not ok or isinstance(value, bool):
        raise ApiError(422, "invalid", _("%(field)s must be a number.") % {"field": field}, field=field)
    return value


def clean_data(ct: CaseType, data: dict) -> dict:
    """``data`` checked against the type's declared fields: known keys, values of their kind, bounded size."""
    check_data_size(data)
    unknown = sorted(set(data) - set(ct.fields))
    if unknown:
        raise ApiError(422, "invalid", _("%(type)s cases take no data field %(name)s.")
                       % {"type": ct.key, "name": unknown[0]}, field=f"data.{unknown[0]}")
    return {name: _value(name, ct.fields[name], value) for name, value in data.items()}


def grid_known(code: str) -> bool:
    try:
        from smartcounty.foundation.places import services as places
    except ImportError:  # places not installed in this deployment: nothing to check against
        return True
    return places.grid(code) is not None


def file_case(user, case_type_key: str, *, title: str, category: str = "", description: str = "", lon=None,
              lat=None, grid_code: str = "", address: str = "", data: dict | None = None, source: str = "api",
              uploads: dict | None = None):
    """A case filed by ``user`` through the API, after the type's checks (see the module's docstring)."""
    ct = case_type(case_type_key)
    if not may_file(user, ct):
        raise ApiError(403, "forbidden", _("You may not file %(type)s cases.") % {"type": ct.key}, field="case_type")
    form = forms.filing_form(ct)
    if form is not None:
        clean = clean_form_data(form, dict(data or {}), uploads or {})
    else:
        clean = clean_data(ct, dict(data or {}))
    if grid_code and not grid_known(grid_code):
        raise ApiError(422, "invalid", _("%(code)s is not a grid of the county.") % {"code": grid_code[:20]},
                       field="grid_code")
    with transaction.atomic():
        case = create_case(case_type_key, title=title, category=category, description=description, lon=lon,
                           lat=lat, grid_code=grid_code, address=address, data=clean, reporter=user, source=source,
                           actor=user)
        for key in sorted(uploads or {}):
            add_attachment(case.pk, uploads[key], actor=user)
    return case


def clean_form_data(form: dict, data: dict, uploads: dict) -> dict:
    """``data`` checked by the type's filing form. A file field's value is made here from its upload (type read
    from the first bytes, size), never taken from the caller; a value sent for it without an upload is refused."""
    check_data_size(data)
    files = {f.key for f in form_fields(form) if f.type == "file"}
    sent = sorted(k for k in files if k in data)
    if sent:
        raise ApiError(422, "invalid", _("Send the file %(key)s as an upload, not as data.") % {"key": sent[0]},
                       field=f"data.{sent[0]}")
    unknown = sorted(set(uploads) - files)
    if unknown:
        raise ApiError(422, "invalid", _("This form has no file field %(key)s.") % {"key": unknown[0][:40]},
                       field=unknown[0][:40])
    data.update({k: describe_upload(u) for k, u in uploads.items()})
    return forms_validation.check(form, data)
