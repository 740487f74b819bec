"""The event hash chain: each event's hash is SHA-256 over the previous event's hash and the event's own
canonical JSON, so a changed, removed or reordered record breaks the chain from there on (``verify``)."""

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction

from smartcounty.domains.traceability.models import Batch, Event

GENESIS = "0" * 64
_PG_LOCK = 0x7472616365  # "trace"


def canonical(ev: Event, batch_code: str) -> str:
    return json.dumps({
        "batch": batch_code, "kind": ev.kind, "stage": ev.stage, "time": ev.time.isoformat(timespec="microseconds"),
        "who": ev.who, "place": ev.place, "lon": ev.lon, "lat": ev.lat, "readings": ev.readings, "inputs": ev.inputs,
        "outputs": ev.outputs, "result": ev.result, "note": ev.note,
    }, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(prev_hash: str, ev: Event, batch_code: str) -> str:
    return hashlib.sha256((prev_hash + canonical(ev, batch_code)).encode("utf-8")).hexdigest()


def append(events: list[tuple[Event, str]]) -> None:
    """Chain and store events (each with its batch's code), in order, inside the caller's transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK])
        prev = Event.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
        for ev, code in events:
            ev.prev_hash = prev
            ev.hash = prev = digest(prev, ev, code)
        Event.objects.bulk_create([ev for ev, _c in events])


@dataclass
class Verified:
    checked: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify(chunk: int = 5000) -> Verified:
    """Walk the whole chain in id order; the first event whose link or hash does not hold is reported."""
    prev, checked, last_id = GENESIS, 0, 0
    codes: dict[int, str] = {}
    while True:
        rows = list(Event.objects.filter(id__gt=last_id).order_by("id")[:chunk])
        if not rows:
            return Verified(checked)
        missing = {r.batch_id for r in rows} - codes.keys()
        if missing:
            codes.update(Batch.objects.filter(id__in=missing).values_list("id", "code"))
        for ev in rows:
            if ev.prev_hash != prev:
                return Verified(checked, ev.id, "the link to the previous event is broken")
            if digest(prev, ev, codes[ev.batch_id]) != ev.hash:
                return Verified(checked, ev.id, "the record was changed after it was written")
            prev, last_id = ev.hash, ev.id
            checked += 1
