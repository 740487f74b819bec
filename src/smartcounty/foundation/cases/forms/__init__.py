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
