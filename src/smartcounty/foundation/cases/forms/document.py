"""A form document and what can be wrong with it (``check_document``), with messages a person can act on.

``fields(doc)`` gives the fields as ``Field`` objects with every option resolved (code lists read,
defaults filled); validation, the JSON Schema and the renderer all work from them.
"""

import math
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from smartcounty.foundation.cases.files import ALLOWED, MAX_BYTES
from smartcounty.foundation.cases.forms import codelists

FIELD_TYPES = ("text", "number", "date", "choice", "id_number", "credit_code", "phone", "place", "file")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CODE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
MAX_FIELDS = 100
MAX_TEXT = 5000
DEFAULT_TEXT = 200
COMMON = {"key", "type", "label", "label_en", "help", "required", "show_if", "required_if"}
EXTRA = {"text": {"max_length", "multiline"}, "number": {"min", "max", "integer"},
         "choice": {"options", "code_list", "multiple"}, "place": {"bbox"}, "file": {"accept", "max_bytes"}}
#: The values a condition may compare with, per type of the field it looks at.
COMPARABLE = ("text", "number", "date", "choice", "phone")


class FormError(ValueError):
    """A form document that cannot be used; ``issues`` says why."""

    def __init__(self, issues):
        super().__init__("; ".join(f"{i.path}: {i.message}" for i in issues))
        self.issues = issues


@dataclass(frozen=True)
class Issue:
    path: str
    message: str


@dataclass(frozen=True)
class Condition:
    field: str
    op: str  # "equals", "in" or "filled"
    values: tuple = ()


@dataclass(frozen=True)
class Field:
    key: str
    type: str
    label: str
    label_en: str = ""
    help: str = ""
    required: bool = False
    show_if: Condition | None = None
    required_if: Condition | None = None
    max_length: int = DEFAULT_TEXT
    multiline: bool = False
    min: float | None = None
    max: float | None = None
    integer: bool = False
    options: tuple[tuple[str, str], ...] = ()
    code_list: str = ""
    multiple: bool = False
    bbox: tuple[float, float, float, float] | None = None
    accept: tuple[str, ...] = field(default_factory=lambda: tuple(ALLOWED))
    max_bytes: int = MAX_BYTES


def _is_number(v) -> bool:
    if isinstance(v, bool):
        return False
    return isinstance(v, int) or (isinstance(v, float) and math.isfinite(v))


def _whole(v) -> bool:
    return isinstance(v, int) or v.is_integer()


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _condition(raw, path, earlier: dict, issues: list) -> Condition | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("field"), str):
        issues.append(Issue(path, _("A condition is {\"field\": key, and one of equals, in or filled}.")))
        return None
    ops = [op for op in ("equals", "in", "filled") if op in raw]
    if len(ops) != 1 or set(raw) - {"field", *ops}:
        issues.append(Issue(path, _("A condition names one field and exactly one of equals, in or filled.")))
        return None
    other = earlier.get(raw["field"])
    if other is None:
        issues.append(Issue(f"{path}.field", _("The condition's field %(key)s is not a field before this one.")
                            % {"key": str(raw["field"])[:40]}))
        return None
    op = ops[0]
    if op == "filled":
        if raw["filled"] is not True:
            issues.append(Issue(f"{path}.filled", _("filled can only be true.")))
            return None
        return Condition(other["key"], "filled")
    if other["type"] not in COMPARABLE or other.get("multiple"):
        issues.append(Issue(path, _("Only a text, number, date, phone or single choice field can be compared; "
                                    "use filled for %(key)s.") % {"key": other["key"]}))
        return None
    values = [raw["equals"]] if op == "equals" else raw["in"]
    if not isinstance(values, list) or not values:
        issues.append(Issue(f"{path}.in", _("in needs a non-empty list of values.")))
        return None
    for v in values:
        ok = _is_number(v) if other["type"] == "number" else isinstance(v, str) and v != ""
        if ok and other["type"] == "choice":
            ok = v in {code for code, _label in other["options"]}
        if not ok:
            issues.append(Issue(f"{path}.{op}", _("%(value)s is not a possible value of %(key)s.")
                                % {"value": str(v)[:40], "key": other["key"]}))
            return None
    return Condition(other["key"], op, tuple(values))


def _options(raw: dict, path: str, issues: list) -> tuple:
    if ("options" in raw) == ("code_list" in raw):
        issues.append(Issue(path, _("A choice field has either options or a code_list.")))
        return ()
    if "code_list" in raw:
        name = raw["code_list"]
        items = codelists.items(name) if isinstance(name, str) else ()
        if not items:
            issues.append(Issue(f"{path}.code_list", _("%(name)s is not a code list; known: %(known)s.")
                                % {"name": str(name)[:40], "known": ", ".join(codelists.names())}))
        return items
    opts = raw["options"]
    if not isinstance(opts, list) or not opts:
        issues.append(Issue(f"{path}.options", _("options is a non-empty list of {\"value\", \"label\"}.")))
        return ()
    out, seen = [], set()
    for j, o in enumerate(opts):
        p = f"{path}.options.{j}"
        if not isinstance(o, dict) or set(o) - {"value", "label"} or not isinstance(o.get("value"), str) \
                or not CODE.match(o["value"]) or not _text(o.get("label")):
            issues.append(Issue(p, _("An option has a value (letters, digits, _ . -, at most 40) and a label.")))
            continue
        if o["value"] in seen:
            issues.append(Issue(f"{p}.value", _("The value %(value)s is given twice.") % {"value": o["value"]}))
            continue
        seen.add(o["value"])
        out.append((o["value"], o["label"].strip()))
    return tuple(out)


def _number(raw, name, path, issues, *, lo=None, hi=None, integer=False):
    v = raw.get(name)
    if v is None:
        return None
    if not _is_number(v) or (integer and not _whole(v)) or (lo is not None and v < lo) \
            or (hi is not None and v > hi):
        bounds = f" [{lo}, {hi}]" if lo is not None and hi is not None else ""
        issues.append(Issue(f"{path}.{name}", _("%(name)s must be a number%(bounds)s.")
                            % {"name": name, "bounds": bounds}))
        return None
    return int(v) if integer else v


def _typed(raw: dict, path: str, issues: list) -> dict:
    kind, out = raw["type"], {}
    for flag in ("multiline", "integer", "multiple"):
        if flag in raw:
            if not isinstance(raw[flag], bool):
                issues.append(Issue(f"{path}.{flag}", _("%(name)s is true or false.") % {"name": flag}))
            else:
                out[flag] = raw[flag]
    if kind == "text":
        n = _number(raw, "max_length", path, issues, lo=1, hi=MAX_TEXT, integer=True)
        if n is not None:
            out["max_length"] = n
    elif kind == "number":
        out["min"] = _number(raw, "min", path, issues)
        out["max"] = _number(raw, "max", path, issues)
        if out["min"] is not None and out["max"] is not None and out["min"] > out["max"]:
            issues.append(Issue(f"{path}.max", _("max is below min.")))
        if out.get("integer"):
            for b in ("min", "max"):
                if out[b] is not None and not _whole(out[b]):
                    issues.append(Issue(f"{path}.{b}", _("The bounds of a whole number are whole numbers.")))
    elif kind == "choice":
        out["options"] = _options(raw, path, issues)
        if "code_list" in raw and isinstance(raw["code_list"], str):
            out["code_list"] = raw["code_list"]
    elif kind == "place" and "bbox" in raw:
        b = raw["bbox"]
        if not (isinstance(b, list) and len(b) == 4 and all(_is_number(x) for x in b)
                and -180 <= b[0] < b[2] <= 180 and -90 <= b[1] < b[3] <= 90):
            issues.append(Issue(f"{path}.bbox", _("bbox is [min_lon, min_lat, max_lon, max_lat] in degrees.")))
        else:
            out["bbox"] = tuple(b)
    elif kind == "file":
        if "accept" in raw:
            acc = raw["accept"]
            if not isinstance(acc, list) or not acc or any(a not in ALLOWED for a in acc) or len(set(acc)) != len(acc):
                issues.append(Issue(f"{path}.accept", _("accept lists file types among: %(types)s.")
                                    % {"types": ", ".join(ALLOWED)}))
            else:
                out["accept"] = tuple(acc)
        n = _number(raw, "max_bytes", path, issues, lo=1, hi=MAX_BYTES, integer=True)
        if n is not None:
            out["max_bytes"] = n
    return out


def _check(doc) -> tuple[list[Field], list[Issue]]:
    issues: list[Issue] = []
    if not isinstance(doc, dict) or set(doc) - {"fields"} or not isinstance(doc.get("fields"), list):
        return [], [Issue("", _("A form is {\"fields\": [...]}."))]
    raw_fields = doc["fields"]
    if len(raw_fields) > MAX_FIELDS:
        issues.append(Issue("fields", _("A form has at most %(n)s fields.") % {"n": MAX_FIELDS}))
    out, earlier = [], {}
    for i, raw in enumerate(raw_fields[:MAX_FIELDS]):
        path = f"fields.{i}"
        if not isinstance(raw, dict):
            issues.append(Issue(path, _("A field is an object with key, type and label.")))
            continue
        key, kind = raw.get("key"), raw.get("type")
        if not isinstance(key, str) or not KEY.match(key):
            issues.append(Issue(f"{path}.key", _("A key is a small letter, then small letters, digits or _ "
                                                 "(at most 40).")))
            continue
        if key in earlier:
            issues.append(Issue(f"{path}.key", _("The key %(key)s is used twice.") % {"key": key}))
            continue
        if kind not in FIELD_TYPES:
            issues.append(Issue(f"{path}.type", _("%(type)s is not a field type; the types are: %(types)s.")
                                % {"type": str(kind)[:20], "types": ", ".join(FIELD_TYPES)}))
            continue
        n_before = len(issues)
        unknown = sorted(set(raw) - COMMON - EXTRA.get(kind, set()))
        if unknown:
            issues.append(Issue(f"{path}.{unknown[0]}", _("A %(type)s field has no setting %(name)s.")
                                % {"type": kind, "name": unknown[0][:40]}))
        if not _text(raw.get("label")) or len(raw["label"]) > 100:
            issues.append(Issue(f"{path}.label", _("Every field needs a label of at most 100 characters.")))
        for name in ("label_en", "help"):
            if name in raw and (not isinstance(raw[name], str) or len(raw[name]) > 500):
                issues.append(Issue(f"{path}.{name}", _("%(name)s is text of at most 500 characters.")
                                    % {"name": name}))
        if "required" in raw and not isinstance(raw["required"], bool):
            issues.append(Issue(f"{path}.required", _("required is true or false.")))
        typed = _typed(raw, path, issues)
        show = _condition(raw["show_if"], f"{path}.show_if", earlier, issues) if "show_if" in raw else None
        req = _condition(raw["required_if"], f"{path}.required_if", earlier, issues) if "required_if" in raw else None
        if req is not None and raw.get("required"):
            issues.append(Issue(f"{path}.required_if", _("A field that is always required needs no required_if.")))
        earlier[key] = {"key": key, "type": kind, "multiple": typed.get("multiple", False),
                        "options": typed.get("options", ())}
        if len(issues) == n_before:
            out.append(Field(key=key, type=kind, label=raw["label"].strip(), label_en=raw.get("label_en", ""),
                             help=raw.get("help", ""), required=raw.get("required", False), show_if=show,
                             required_if=req, **typed))
    if not issues and not out:
        issues.append(Issue("fields", _("A form needs at least one field.")))
    return out, issues


def check_document(doc) -> list[Issue]:
    """Everything wrong with a form document (empty when it can be used)."""
    return _check(doc)[1]


def fields(doc) -> list[Field]:
    """The fields of a valid form document; ``FormError`` when it is not valid."""
    out, issues = _check(doc)
    if issues:
        raise FormError(issues)
    return out
