"""One renderer for every page that asks a form (the resident portal, the staff window): the HTML of the
fields with their labels, help and errors, and ``collect``, the data of a posted page form.

Inputs are named ``<prefix><key>`` (a place: ``<prefix><key>.lon`` and ``.lat``). Conditions are written on
each field as ``data-show-*`` attributes; ``cases/forms.js`` hides and shows fields as answers change, and
``collect`` drops the answers of fields whose condition does not hold, so a page without script works the
same. The values and messages reach the page through the template's autoescaping only.
"""

import json

from django.template.loader import render_to_string
from django.utils.translation import get_language

from smartcounty.foundation.cases.files import sniff
from smartcounty.foundation.cases.forms.document import fields
from smartcounty.foundation.cases.forms.validation import (
    FILE_KINDS,
    FILE_NAME_MAX,
    FieldError,
    human_bytes,
    visible,
)

PREFIX = "f_"


def _number(raw: str):
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        value = float(raw)
    except ValueError:
        return raw  # left as typed: validation says it is not a number
    return value if value == value and value not in (float("inf"), float("-inf")) else raw


def describe_upload(upload) -> dict:
    """A file field's value made from an upload: its name, the type read from its first bytes, its size."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    name = (upload.name or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][-FILE_NAME_MAX:]
    return {"name": name, "content_type": sniff(head, name) or "application/octet-stream", "size": upload.size}


def collect(doc, post, files=None, *, prefix: str = PREFIX) -> tuple[dict, dict]:
    """``(data, uploads)`` from a posted page form: blank inputs left out, numbers and places parsed, files
    described by their sniffed type and size (``uploads``: key -> the uploaded file), hidden fields dropped."""
    data, uploads = {}, {}
    for f in fields(doc):
        name = prefix + f.key
        if f.type == "file":
            upload = (files or {}).get(name)
            if upload is not None:
                data[f.key], uploads[f.key] = describe_upload(upload), upload
        elif f.type == "place":
            lon, lat = (post.get(f"{name}.lon", "").strip(), post.get(f"{name}.lat", "").strip())
            if lon or lat:
                data[f.key] = {"lon": _number(lon), "lat": _number(lat)}
        elif f.type == "choice" and f.multiple:
            picked = [v for v in post.getlist(name) if v]
            if picked:
                data[f.key] = picked
        else:
            raw = post.get(name, "").strip()
            if raw:
                if f.type == "number":
                    raw = _number(raw)
                elif f.type in ("id_number", "credit_code"):
                    raw = raw.upper()
                data[f.key] = raw
        if f.key in data and not visible(f, data):
            data.pop(f.key)
            uploads.pop(f.key, None)
    return data, uploads


def _shown(value, f) -> str:
    if value is None:
        return ""
    if f.type == "place" and isinstance(value, dict):
        return value
    return value if isinstance(value, list) else str(value)


def rows(doc, values=None, errors=None, *, prefix: str = PREFIX) -> list[dict]:
    values = values or {}
    by_key = {}
    for e in errors or ():
        if isinstance(e, FieldError):
            by_key.setdefault(e.key, e.message)
    english = (get_language() or "").startswith("en")
    out = []
    for f in fields(doc):
        value = values.get(f.key)
        cond = f.show_if
        out.append({
            "f": f, "name": prefix + f.key, "id": f"id_{prefix}{f.key}",
            "label": (f.label_en or f.label) if english else f.label,
            "value": _shown(value, f), "error": by_key.get(f.key, ""),
            "required": f.required, "required_if": f.required_if,
            "show_field": prefix + cond.field if cond else "", "show_op": cond.op if cond else "",
            "show_values": json.dumps([str(v) for v in cond.values], ensure_ascii=False) if cond else "",
            "accept": ",".join(f.accept), "kinds": ", ".join(FILE_KINDS.get(a, a) for a in f.accept),
            "max_size": human_bytes(f.max_bytes),
        })
    return out


def render_form(doc, values=None, errors=None, *, prefix: str = PREFIX, tile_url: str = "") -> str:
    """The fields of ``doc`` as HTML (put them inside a ``<form method=post enctype=multipart/form-data>``)."""
    return render_to_string("cases/forms/fields.html", {"rows": rows(doc, values, errors, prefix=prefix),
                                                        "tile_url": tile_url,
                                                        "general": [e.message for e in errors or () if not e.key]})
