"""The forms of every case type in the OpenAPI document: ``CaseForm_<type>_<form>`` component schemas,
read each time the document is built (definitions are data and change without a release)."""

import logging

from smartcounty.foundation.cases.forms.document import check_document
from smartcounty.foundation.cases.forms.schema import json_schema

log = logging.getLogger("smartcounty.cases")


def schema_name(case_type_key: str, form: str) -> str:
    return f"CaseForm_{case_type_key}_{form}"


def all_case_types() -> dict:
    from smartcounty.foundation.cases import services

    listing = getattr(services, "case_types", None)
    if listing is not None:
        return dict(listing())
    from smartcounty.kernel import registry

    return dict(registry.case_types.items())


def component_schemas() -> dict:
    out = {}
    for key, ct in all_case_types().items():
        for name, doc in (getattr(ct, "forms", None) or {}).items():
            if check_document(doc):
                log.warning("form %s of %s is not valid; left out of the OpenAPI document", name, key)
                continue
            schema = json_schema(doc, title=f"{ct.title} · {name}")
            schema.pop("$schema", None)  # OpenAPI 3.1's dialect is 2020-12 already
            out[schema_name(key, name)] = schema
    return out
