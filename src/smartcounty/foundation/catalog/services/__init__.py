"""The catalog's services: the only part of the catalog other modules import (with ``schemas``).

For modules:
- ``publish_dataset(resource_code, rows, actor=None, note="", allow_empty=False)``: replace a resource's data
  (no rows is refused unless ``allow_empty``).
- ``ensure_registered_resources()``: create the resources modules declared in
  ``reg.catalog_resources`` (entries are ``schemas.ResourceSpec``); the demo and the scheduler call it.
- ``publish_registered(code, rows)``: a module's live data into its declared resource (created when
  missing, opened once it has data when the spec says open).
- ``indicators()``: completeness per organisation, requests answered on time, per-domain figures.
- ``read_rows(resource, org_id=..., actor=...)``: the audited, masked data read.
Events: ``catalog.resource_changed``, ``catalog.dataset_published``, ``catalog.resource_opened``,
``catalog.request_submitted``, ``catalog.request_decided``, ``catalog.request_overdue``,
``catalog.grant_revoked`` (payloads in ``schemas.py``).
"""

import logging

from smartcounty.foundation.catalog.services.datasets import (  # noqa: F401
    DatasetError,
    EmptyDatasetError,
    load_file,
    parse,
    publish_dataset,
    pull,
    pull_due,
)
from smartcounty.foundation.catalog.services.indicators import (  # noqa: F401
    completeness,
    indicators,
    per_domain,
    requests_on_time,
)
from smartcounty.foundation.catalog.services.limits import UploadLimitError  # noqa: F401
from smartcounty.foundation.catalog.services.limits import limits as upload_limits  # noqa: F401
from smartcounty.foundation.catalog.services.opendata import (  # noqa: F401
    app_for_key,
    check_rate,
    count,
    detect_personal,
    export,
    export_formats,
    open_resource,
    register_app,
    undeclared_personal_columns,
    usage_totals,
)
from smartcounty.foundation.catalog.services.resources import (  # noqa: F401
    create_resource,
    get_resource,
    index_resource,
    query_terms,
    search,
    tokens,
    update_resource,
)
from smartcounty.foundation.catalog.services.sharing import (  # noqa: F401
    access_for,
    active_grant,
    add_working_days,
    decide_request,
    escalate_overdue,
    pending_for_provider,
    read_rows,
    reads_of,
    record_refused_read,
    requests_for,
    revoke_grant,
    submit_request,
)

log = logging.getLogger("smartcounty.catalog")


def ensure_registered_resources(*, actor=None) -> list[str]:
    """Create every resource declared in ``registry.catalog_resources`` that is missing; return their codes."""
    from smartcounty.foundation.accounts import services as accounts
    from smartcounty.foundation.catalog.models import Resource
    from smartcounty.kernel import registry

    created = []
    for code, spec in registry.catalog_resources.items():
        if Resource.objects.filter(code=code).exists():
            continue
        org = accounts.organisation(spec.provider)
        if org is None:
            log.warning("catalog resource %s: provider organisation %r does not exist", code, spec.provider)
            continue
        data = spec.model_dump(exclude={"provider", "items"})
        create_resource({**data, "code": code}, [i.model_dump() for i in spec.items], provider_org_id=org.id,
                        actor=actor)
        created.append(code)
    return created


def publish_registered(code: str, rows: list[dict], *, note: str = ""):
    """For modules: replace the data of a resource the module declared in ``reg.catalog_resources`` with
    ``rows``: the resource is created when missing, and opened to the public once it has data when its spec
    says ``open_type="open"`` (``open_resource`` checks it for personal data). No rows: nothing changes
    (returns None); else the new ``DatasetVersion``."""
    from smartcounty.foundation.catalog.models import Resource
    from smartcounty.kernel import registry

    spec = registry.catalog_resources.get(code)
    if not rows:
        return None
    if not Resource.objects.filter(code=code).exists():
        ensure_registered_resources()
    version = publish_dataset(code, rows, note=note or "module")
    resource = get_resource(code)
    if spec.open_type == "open" and resource.open_type != "open":
        open_resource(resource)
    return version


def run_scheduler(stop, *, interval: float = 60.0) -> None:
    """Background service: pull URL-fed datasets when their cycle is due; escalate late requests.
    Runs a round at once, then one every ``interval`` seconds until ``stop`` is set."""
    from django.db import close_old_connections

    try:
        ensure_registered_resources()
    except Exception:
        log.exception("catalog: creating the modules' declared resources failed")
    while True:
        try:
            for resource in pull_due():
                pull(resource)
            escalate_overdue()
        except Exception:
            log.exception("catalog scheduler round failed")
        finally:
            close_old_connections()
        if stop.wait(interval):
            return
