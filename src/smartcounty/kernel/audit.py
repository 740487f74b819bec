"""The audit log: ``record()`` appends a hash-chained row; ``verify()`` finds the first broken link.

Each row's hash is sha256 over the previous row's hash and a canonical JSON of the row, so a
changed, inserted or removed row breaks the chain at that point. Appends are serialised: on
PostgreSQL by a transaction-scoped advisory lock, on SQLite by its single writer (IMMEDIATE
transactions, see settings). A row is written in the caller's transaction: the act and its audit
row commit or roll back together.

Without an ``ip`` from the caller, a row made while serving a request takes the client's address
as ``kernel.net`` resolves it (``X-Forwarded-For`` only from a trusted proxy).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction

from smartcounty.kernel.context_vars import current_request
from smartcounty.kernel.models import AuditEntry
from smartcounty.kernel.net import request_address

GENESIS = "0" * 64
_PG_LOCK_KEY = 371525_0001


def _canonical(entry: AuditEntry) -> str:
    body = [
        entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        entry.actor_id,
        entry.actor,
        entry.organisation_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.detail,
        entry.ip,
    ]
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def compute_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256((prev_hash + _canonical(entry)).encode()).hexdigest()


def _request_facts(*, need_ip: bool = True):
    """The served request's client address (when ``need_ip``; behind a trusted proxy, the client
    it forwarded) and signed-in user; (None, None) outside a request."""
    request = current_request.get()
    if request is None:
        return None, None
    ip = (request_address(request) or None) if need_ip else None
    user = getattr(request, "user", None)
    return ip, (user if user is not None and user.is_authenticated else None)


def record(action: str, *, actor=None, obj=None, object_type: str = "", object_id="", organisation_id=None,
           detail: dict | None = None, ip: str | None = None) -> AuditEntry:
    """Append one audit row. ``actor`` is a user (or None for the system); ``obj`` a model instance."""
    req_ip, req_user = _request_facts(need_ip=not ip)
    actor = actor if actor is not None else req_user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    if organisation_id is None and actor is not None:
        organisation_id = getattr(actor, "organisation_id", None)
    entry = AuditEntry(
        at=datetime.now(UTC),
        actor_id=getattr(actor, "pk", None),
        actor=getattr(actor, "username", "") if actor is not None else "system",
        organisation_id=organisation_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        detail=json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
        ip=ip or req_ip,
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry.prev_hash = last or GENESIS
        entry.hash = compute_hash(entry.prev_hash, entry)
        entry.save(force_insert=True)
    return entry


@dataclass
class VerifyResult:
    checked: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify(chunk: int = 5000, progress=None) -> VerifyResult:
    """Walk the chain in id order; stop at the first row whose link or hash does not hold."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:chunk])
        if not rows:
            return VerifyResult(checked)
        for row in rows:
            if row.prev_hash != prev:
                return VerifyResult(checked, row.id, "previous-hash link does not match the row before it")
            if compute_hash(prev, row) != row.hash:
                return VerifyResult(checked, row.id, "row content does not match its hash")
            prev = row.hash
            checked += 1
            last_id = row.id
        if progress:
            progress(checked)
