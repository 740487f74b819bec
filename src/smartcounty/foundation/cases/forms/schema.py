"""The JSON Schema (draft 2020-12) of a form's submission: what ``validation.validate`` accepts, written down
for clients (it is in the OpenAPI document). Checks a schema keyword cannot state are named ``format``\\ s:
``cn-resident-id`` (GB 11643 check character and birth date), ``cn-uscc`` (GB 32100 check characters),
``date`` (a real calendar day); a validator given format checkers for them accepts exactly what the server does.
"""

from smartcounty.foundation.cases.forms.document import Condition, Field, fields
from smartcounty.foundation.cases.forms.validation import CREDIT_CODE, DATE, FILE_NAME_MAX, ID_NUMBER, PHONE

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _string(**extra) -> dict:
    return {"type": "string", "minLength": 1, "pattern": r"\S", **extra}


def field_schema(f: Field) -> dict:
    t = f.type
    if t == "text":
        s = _string(maxLength=f.max_length)
    elif t == "number":
        s = {"type": "integer" if f.integer else "number"}
        if f.min is not None:
            s["minimum"] = f.min
        if f.max is not None:
            s["maximum"] = f.max
    elif t == "date":
        s = {"type": "string", "pattern": DATE.pattern, "format": "date"}
    elif t == "choice":
        codes = [code for code, _label in f.options]
        one = {"type": "string", "enum": codes}
        s = {"type": "array", "items": one, "minItems": 1, "uniqueItems": True} if f.multiple else one
        s["x-labels"] = dict(f.options)
    elif t == "id_number":
        s = {"type": "string", "pattern": ID_NUMBER.pattern, "format": "cn-resident-id"}
    elif t == "credit_code":
        s = {"type": "string", "pattern": CREDIT_CODE.pattern, "format": "cn-uscc"}
    elif t == "phone":
        s = {"type": "string", "pattern": PHONE.pattern}
    elif t == "place":
        lo = f.bbox or (-180, -90, 180, 90)
        s = {"type": "object", "required": ["lon", "lat"], "additionalProperties": False,
             "properties": {"lon": {"type": "number", "minimum": lo[0], "maximum": lo[2]},
                            "lat": {"type": "number", "minimum": lo[1], "maximum": lo[3]}}}
    elif t == "file":
        s = {"type": "object", "required": ["name", "content_type", "size"], "additionalProperties": False,
             "properties": {"name": {"type": "string", "minLength": 1, "maxLength": FILE_NAME_MAX},
                            "content_type": {"type": "string", "enum": list(f.accept)},
                            "size": {"type": "integer", "minimum": 1, "maximum": f.max_bytes}}}
    else:  # pragma: no cover - document.FIELD_TYPES lists every type above
        raise AssertionError(t)
    s["title"] = f.label
    if f.help:
        s["description"] = f.help
    s["x-field-type"] = t
    return s


def _holds(c: Condition) -> dict:
    if c.op == "filled":
        return {"required": [c.field]}
    return {"required": [c.field], "properties": {c.field: {"enum": list(c.values)}}}


def json_schema(doc, *, title: str = "") -> dict:
    flist = fields(doc)
    out = {"$schema": DIALECT, "type": "object", "additionalProperties": False,
           "properties": {f.key: field_schema(f) for f in flist}}
    if title:
        out["title"] = title
    always = [f.key for f in flist if f.required and f.show_if is None]
    if always:
        out["required"] = always
    rules = []
    for f in flist:
        if f.show_if is not None:
            rule = {"if": _holds(f.show_if), "else": {"not": {"required": [f.key]}}}
            if f.required:
                rule["then"] = {"required": [f.key]}
            rules.append(rule)
        if f.required_if is not None:
            cond = _holds(f.required_if)
            if f.show_if is not None:
                cond = {"allOf": [_holds(f.show_if), cond]}
            rules.append({"if": cond, "then": {"required": [f.key]}})
    if rules:
        out["allOf"] = rules
    return out
