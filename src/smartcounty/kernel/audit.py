"""The audit log: ``record()`` appends a hash-chained row; ``verify()`` finds the first broken link.

Each row's hash is HMAC-SHA256, under a key kept outside the database (``kernel.audit_anchor``),
over the previous row's hash and a canonical JSON of the row, so a changed, inserted or removed row
breaks the chain at that point, and re-hashing it needs the key. Rows made before the chain was
keyed (``keyed=False``, plain sha256) are accepted only as a run at its start. Checkpoints of the
head, appended to a file after commit, catch the newest rows being deleted or the chain rewritten. Appends are serialised: on
PostgreSQL by a transaction-scoped advisory lock, on SQLite by its single writer (IMMEDIATE
transactions, see settings). A row is written in the caller's transaction: the act and its audit
row commit or roll back together.

Without an ``ip`` from the caller, a row made while serving a request takes the client's address
as ``kernel.net`` resolves it (``X-Forwarded-For`` only from a trusted proxy).
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction

from smartcounty.kernel import audit_anchor
from smartcounty.kernel.context_vars import current_request
from smartcounty.kernel.models import AuditEntry
from smartcounty.kernel.net import request_address

GENESIS = "0" * 64
_PG_LOCK_KEY = 371525_0001
log = logging.getLogger(__name__)


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


def compute_hash(prev_hash: str, entry: AuditEntry, key: bytes | None = None) -> str:
    """The row's hash: keyed rows HMAC-SHA256 under ``key`` (the configured one by default),
    legacy rows plain sha256."""
    text = prev_hash + _canonical(entry)
    if not entry.keyed:
        return hashlib.sha256(text.encode()).hexdigest()
    return audit_anchor.mac(key or audit_anchor.key(), text)


def _checkpoint_after_commit(entry: AuditEntry) -> None:
    try:
        audit_anchor.after_commit(entry.id, entry.hash)
    except OSError:  # the act is committed; a lost checkpoint only weakens the anchor until the next one
        log.exception("audit checkpoint not written")


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
        keyed=True,
    )
    key = audit_anchor.key()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry.prev_hash = last or GENESIS
        entry.hash = compute_hash(entry.prev_hash, entry, key)
        entry.save(force_insert=True)
        transaction.on_commit(lambda: _checkpoint_after_commit(entry))
    return entry


@dataclass
class VerifyResult:
    checked: int
    broken_id: int | None = None
    reason: str = ""
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_id is None and not self.reason


def verify(chunk: int = 5000, progress=None, checkpoint: bool = True) -> VerifyResult:
    """Walk the chain in id order; stop at the first row whose link or hash does not hold. Then check
    every checkpoint against the row it names. An intact chain gets a fresh checkpoint of its head
    (unless ``checkpoint`` is False)."""
    key = audit_anchor.key()
    marks, bad_lines = audit_anchor.read_checkpoints()
    wanted = {m.id for m in marks}
    seen: dict[int, str] = {}
    prev = GENESIS
    checked = 0
    last_id = 0
    keyed_seen = False
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:chunk])
        if not rows:
            break
        for row in rows:
            if row.prev_hash != prev:
                return VerifyResult(checked, row.id, "previous-hash link does not match the row before it")
            if keyed_seen and not row.keyed:
                return VerifyResult(checked, row.id, "an unkeyed row follows keyed rows")
            if not hmac.compare_digest(compute_hash(prev, row, key), row.hash):
                return VerifyResult(checked, row.id, "row content does not match its hash"
                                    + (" (keyed: wrong key or re-hashed without it)" if row.keyed else ""))
            keyed_seen = keyed_seen or row.keyed
            if row.id in wanted:
                seen[row.id] = row.hash
            prev = row.hash
            checked += 1
            last_id = row.id
        if progress:
            progress(checked)
    if bad_lines:
        return VerifyResult(checked, None, f"checkpoint file has unreadable lines: {bad_lines[:5]}", len(marks))
    for mark in marks:
        if mark.id not in seen:
            why = "rows were deleted from the end" if mark.id > last_id else "the row is missing"
            return VerifyResult(checked, mark.id, f"{mark} names a row that does not exist: {why}", len(marks))
        if not mark.matches(key, seen[mark.id]):
            return VerifyResult(checked, mark.id, f"{mark} does not match the row: the chain was rewritten "
                                "(or the line forged)", len(marks))
    if checkpoint and checked:
        audit_anchor.write_checkpoint(last_id, prev, key_bytes=key)
    return VerifyResult(checked, checkpoints=len(marks))
