"""Traceability services: the only part (with ``schemas``) other modules import.

Batches: ``create_batch`` (生产/收购, producer by credit code or ID number), ``record`` (store, transport, sell),
``transform`` (split, merge, process), ``inspect``, ``recall`` (every downstream batch). Reads: ``traced(code,
direction)``, ``epcis_document``, ``qr_svg``. Integrity: ``verify`` walks the event hash chain.
"""

import segno

from smartcounty.domains.traceability.services.batches import (  # noqa: F401
    EPCIS_TYPES,
    KIND_NAMES,
    STAGE_NAMES,
    create_batch,
    inspect,
    may,
    recall,
    record,
    require,
    supervisor_id,
    transform,
)
from smartcounty.domains.traceability.services.chain import verify  # noqa: F401
from smartcounty.domains.traceability.services.trace import reach  # noqa: F401
from smartcounty.domains.traceability.services.views import batch_out, epcis_document, traced  # noqa: F401


def public_path(code: str) -> str:
    return f"/traceability/t/{code}/"


def qr_svg(code: str, base_url: str = "") -> str:
    """The QR code (SVG text) a label carries: the public page of the batch's code."""
    return segno.make(base_url.rstrip("/") + public_path(code), error="m").svg_inline(scale=4)


def batch_org(code: str) -> int | None:
    from smartcounty.domains.traceability.models import Batch

    rows = list(Batch.objects.filter(code=str(code or "").strip().upper()).values_list("organisation_id", flat=True))
    if not rows:
        from smartcounty.kernel.problems import ApiError

        raise ApiError(404, "not-found")
    return rows[0]


def batches(*, organisation_id=None, all_orgs: bool = False, q: str = ""):
    """Batches of an organisation (or all), newest first, as plain dicts (a lazy page for the paginator)."""
    from smartcounty.domains.traceability.models import Batch

    qs = Batch.objects.all() if all_orgs else Batch.objects.filter(organisation_id=organisation_id)
    if q:
        qs = qs.filter(code=q.strip().upper()) | qs.filter(product__contains=q.strip())
    return _Page(qs.order_by("-id"))


class _Page:
    def __init__(self, qs):
        self.qs = qs

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, s):
        rows = [batch_out(b) for b in (self.qs[s] if isinstance(s, slice) else [self.qs[s]])]
        return rows if isinstance(s, slice) else rows[0]
