"""Validation of submitted data against a form document, on the server, with one error per field.

``validate(doc, data)`` returns ``(clean, errors)``; each error is ``FieldError(key, code, message)``
(codes: ``required``, ``not-applicable``, ``unknown``, ``invalid``). ``check(doc, data, prefix="data.")``
raises a 422 problem whose ``errors`` name each field at fault (``prefix`` + key). The rules are the
ones ``schema.json_schema`` writes down: a test holds the two together.
"""

import math
import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from smartcounty.foundation.cases.forms.document import Condition, Field, fields
from smartcounty.kernel.codes import CodeError, validate_resident_id, validate_uscc
from smartcounty.kernel.problems import ApiError

NON_BLANK = re.compile(r"\S")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
ID_NUMBER = re.compile(r"^[0-9]{17}[0-9X]$")
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
PHONE = re.compile(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")
FILE_NAME_MAX = 120


@dataclass(frozen=True)
class FieldError:
    key: str
    code: str
    message: str


def same(a, b) -> bool:
    """JSON equality (``true`` is not ``1``; ``1`` is ``1.0``)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def holds(cond: Condition | None, data: dict) -> bool:
    if cond is None:
        return True
    if cond.field not in data:
        return False
    if cond.op == "filled":
        return True
    return any(same(data[cond.field], v) for v in cond.values)


def visible(f: Field, data: dict) -> bool:
    return holds(f.show_if, data)


def required(f: Field, data: dict) -> bool:
    return visible(f, data) and (f.required or (f.required_if is not None and holds(f.required_if, data)))


def _is_number(v) -> bool:
    if isinstance(v, bool):
        return False
    return isinstance(v, int) or (isinstance(v, float) and math.isfinite(v))


def _string(v, f: Field) -> str | None:
    if not isinstance(v, str):
        return _("Enter text.")
    if not NON_BLANK.search(v):
        return _("Leave a blank field out, or fill it in.")
    return None


def _code_valid(v: str, pattern, validator) -> bool:
    if not pattern.match(v):
        return False
    try:
        validator(v)
    except CodeError:
        return False
    return True


def check_value(f: Field, v) -> str | None:
    """The message for a bad value of ``f`` (None: the value is good)."""
    t = f.type
    if t == "number":
        if not _is_number(v):
            return _("Enter a number.")
        if f.integer and isinstance(v, float) and not v.is_integer():
            return _("Enter a whole number.")
        if f.min is not None and v < f.min:
            return _("Enter at least %(n)s.") % {"n": f.min}
        if f.max is not None and v > f.max:
            return _("Enter at most %(n)s.") % {"n": f.max}
        return None
    if t == "choice":
        codes = {code for code, _label in f.options}
        if f.multiple:
            if not isinstance(v, list) or not v:
                return _("Choose one or more of the options.")
            if any(not isinstance(x, str) or x not in codes for x in v):
                return _("Choose among the options.")
            return None if len(set(v)) == len(v) else _("Choose each option once.")
        return None if isinstance(v, str) and v in codes else _("Choose one of the options.")
    if t == "place":
        if not isinstance(v, dict) or set(v) != {"lon", "lat"} or not _is_number(v["lon"]) \
                or not _is_number(v["lat"]):
            return _("Pick a place on the map.")
        lo = f.bbox or (-180, -90, 180, 90)
        if not (lo[0] <= v["lon"] <= lo[2] and lo[1] <= v["lat"] <= lo[3]):
            return _("The place is outside the area this form covers.")
        return None
    if t == "file":
        if not isinstance(v, dict) or set(v) != {"name", "content_type", "size"}:
            return _("Choose a file.")
        if not isinstance(v["name"], str) or not 1 <= len(v["name"]) <= FILE_NAME_MAX:
            return _("The file name is empty or longer than %(n)s characters.") % {"n": FILE_NAME_MAX}
        if not isinstance(v["content_type"], str) or v["content_type"] not in f.accept:
            return _("This kind of file is not accepted here; accepted: %(types)s.") % {
                "types": ", ".join(FILE_KINDS.get(a, a) for a in f.accept)}
        if not isinstance(v["size"], int) or isinstance(v["size"], bool) or v["size"] < 1:
            return _("The file is empty.")
        if v["size"] > f.max_bytes:
            return _("The file is larger than %(n)s.") % {"n": human_bytes(f.max_bytes)}
        return None
    message = _string(v, f)
    if message:
        return message
    if t == "text":
        return _("Enter at most %(n)s characters.") % {"n": f.max_length} if len(v) > f.max_length else None
    if t == "date":
        if not DATE.match(v):
            return _("Enter a date as YYYY-MM-DD.")
        try:
            date.fromisoformat(v)
        except ValueError:
            return _("This date does not exist.")
        return None
    if t == "id_number":
        return None if _code_valid(v, ID_NUMBER, validate_resident_id) else _(
            "This is not a valid resident ID number (18 characters, the last a digit or capital X).")
    if t == "credit_code":
        return None if _code_valid(v, CREDIT_CODE, validate_uscc) else _(
            "This is not a valid unified social credit code (18 characters).")
    if t == "phone":
        return None if PHONE.match(v) else _("Enter a mobile number (11 digits) or a landline with its area code.")
    raise AssertionError(t)


FILE_KINDS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "application/pdf": "PDF"}


def human_bytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"


def validate(doc, data) -> tuple[dict, list[FieldError]]:
    """The submission's values for the fields asked, and an error for every field at fault."""
    if not isinstance(data, dict):
        return {}, [FieldError("", "invalid", _("The form data are an object of field values."))]
    flist = fields(doc)
    keys = {f.key for f in flist}
    errors = [FieldError(k, "unknown", _("This form has no field %(key)s.") % {"key": str(k)[:40]})
              for k in data if k not in keys]
    clean = {}
    for f in flist:
        given = f.key in data
        if given and not visible(f, data):
            errors.append(FieldError(f.key, "not-applicable", _("This field does not apply to the answers given.")))
        elif not given:
            if required(f, data):
                errors.append(FieldError(f.key, "required", _("This field is required.")))
        else:
            message = check_value(f, data[f.key])
            if message:
                errors.append(FieldError(f.key, "invalid", message))
            else:
                clean[f.key] = data[f.key]
    return clean, errors


def problem_errors(errors: list[FieldError], prefix: str = "data.") -> list[dict]:
    return [{"field": f"{prefix}{e.key}" if e.key else prefix.rstrip("."), "in": "body", "type": e.code,
             "message": e.message} for e in errors]


def check(doc, data, *, prefix: str = "data.") -> dict:
    """The cleaned data, or a 422 problem naming every field at fault."""
    clean, errors = validate(doc, data)
    if errors:
        raise ApiError(422, "invalid", _("Some answers of the form need correcting."),
                       field=f"{prefix}{errors[0].key}" if errors[0].key else None,
                       errors=problem_errors(errors, prefix))
    return clean
