"""Forms as data: a form document (JSON) with typed fields, checked, rendered and validated here.

A form document is a dict ``{"fields": [field, ...]}``; each field is a dict with

- ``key``: the name in the submitted data (``^[a-z][a-z0-9_]{0,39}$``), unique in the form;
- ``type``: one of ``FIELD_TYPES`` (text, number, date, choice, id_number, credit_code, phone, place, file);
- ``label`` (Chinese, required), ``label_en`` and ``help`` (optional);
- ``required`` (bool); ``show_if`` and ``required_if``: a condition on an earlier field,
  ``{"field": key, "equals": value}``, ``{"field": key, "in": [values]}`` or ``{"field": key, "filled": true}``.
  A field with ``show_if`` is asked (and may be given) only while its condition holds; ``required_if``
  makes it required while that condition holds;
- per type: text ``max_length`` (default 200, at most 5,000) and ``multiline``; number ``min``, ``max``,
  ``integer``; choice ``options`` (``[{"value", "label"}]``) or ``code_list`` (see ``codelists``) and
  ``multiple``; place ``bbox`` (``[min_lon, min_lat, max_lon, max_lat]``); file ``accept`` (content
  types among ``cases.files.ALLOWED``) and ``max_bytes`` (at most ``cases.files.MAX_BYTES``).

A workflow definition carries its forms as ``forms``: a dict of named form documents. ``apply`` is the form
a filer fills in to start a case (its answers are the case's ``data``); a form named after a transition's
key is asked when that step is taken. ``validate_forms(forms)`` checks them all (``(path, message)`` pairs,
the path starting with the form's name), ``filing_form(case_type)`` gives the ``apply`` form of a case type.

Submitted data: a dict keyed by field key; a blank value is not a value (leave the key out). Values:
text, date (``YYYY-MM-DD``), choice code (a list when ``multiple``), ID number (GB 11643, capital X),
credit code (GB 32100), phone (mobile ``1[3-9]`` and 9 digits, or landline ``0`` area code, optional
``-``, 7-8 digits) are strings; number a JSON number; place ``{"lon", "lat"}``; file
``{"name", "content_type", "size"}`` as made by the server from an upload (the content type read from
the file's first bytes).

- ``document.check_document(doc)``: what is wrong with a form document (a list of ``Issue``, each with
  the path of the part at fault and a message a person can act on);
- ``validation.validate(doc, data)``: the cleaned data and the per-field errors of a submission;
- ``schema.json_schema(doc)``: the JSON Schema (2020-12) of a submission, which accepts exactly what
  ``validate`` accepts (tests check it with the ``jsonschema`` library);
- ``render.render_form(doc, values, errors)`` and ``render.collect(doc, POST, FILES)``: the HTML of the
  form for any page (resident portal, staff window) and the data of a posted page form.
"""

FILING = "apply"
NAME_MAX = 40


def validate_forms(forms) -> list[tuple[str, str]]:
    """What is wrong with a definition's forms (a dict of named form documents), as (path, message) pairs."""
    from django.utils.translation import gettext as _

    from smartcounty.foundation.cases.forms.document import KEY, check_document

    if not isinstance(forms, dict):
        return [("", _("The forms are an object: a form document under each name (apply: the filing form)."))]
    out = []
    for name, doc in forms.items():
        if not isinstance(name, str) or not KEY.match(name):
            out.append((str(name)[:NAME_MAX], _("A form's name is a small letter, then small letters, digits or _.")))
            continue
        out.extend((f"{name}.{i.path}" if i.path else name, i.message) for i in check_document(doc))
    return out


def filing_form(case_type) -> dict | None:
    """The form a filer fills in to start a case of ``case_type`` (a ``CaseType``), if it has one."""
    forms = getattr(case_type, "forms", None) or {}
    return forms.get(FILING)
