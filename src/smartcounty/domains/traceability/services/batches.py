"""Batches and their events: create (生产/收购), store, transport, process, split, merge, sell, inspect, recall;
the chain of one product from farm to shop; who may do what."""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcounty.domains.economy import services as economy
from smartcounty.domains.traceability.models import Batch, Event, Link, Stage
from smartcounty.domains.traceability.services import chain, trace
from smartcounty.foundation.accounts import services as accounts
from smartcounty.kernel import audit, authz, codes
from smartcounty.kernel.problems import ApiError

SUPERVISOR_SETTING = "SMARTCOUNTY_TRACE_SUPERVISOR"
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U
STAGE_NAMES = dict(Stage.choices)
KIND_NAMES = dict(Event.Kind.choices)
#: the EPCIS 2.0 event type of each kind of event
EPCIS_TYPES = {"create": "ObjectEvent", "inspect": "ObjectEvent", "store": "ObjectEvent", "transport": "ObjectEvent",
               "sell": "TransactionEvent", "recall": "ObjectEvent", "process": "TransformationEvent",
               "split": "TransformationEvent", "merge": "TransformationEvent"}
#: what a plain event may say about a batch's stage
EVENT_STAGES = {"store": Stage.STORAGE, "transport": Stage.TRANSPORT, "sell": Stage.SALE}


def supervisor_id() -> int | None:
    org = accounts.organisation(getattr(settings, SUPERVISOR_SETTING, "market-regulation"))
    return org.id if org else None


def may(user, verb: str, batch_org: int | None) -> bool:
    """The one rule: a batch's own organisation records on it; the supervising organisation (市场监管局)
    and the batch's organisation may view, inspect and recall."""
    code = f"traceability.{verb}"
    return authz.user_has_perm(user, code, batch_org if batch_org is not None else -1) or (
        verb != "record" and authz.user_has_perm(user, code, supervisor_id() or -1))


def require(user, verb: str, batch_org: int | None) -> None:
    if user is None:
        raise ApiError(401, "not-authenticated")
    if not may(user, verb, batch_org):
        raise ApiError(403, "forbidden")


def new_code() -> str:
    return "GX" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(14))


def producer(kind: str, code: str, name: str = "") -> tuple[str, str, str]:
    """(kind, canonical code, name) of a producer by credit code (企业) or resident ID number (个人)."""
    if kind == "uscc":
        try:
            cc = codes.validate_uscc(code).code
        except codes.CodeError as exc:
            raise ApiError(422, "invalid", _("the credit code is not valid: %(r)s") % {"r": exc},
                           field="producer_code") from None
        known = economy.enterprise_by_uscc(cc)
        return kind, cc, (known.name if known else name)
    if kind == "id":
        try:
            rid = codes.validate_resident_id(code)
        except codes.CodeError as exc:
            raise ApiError(422, "invalid", _("the ID number is not valid: %(r)s") % {"r": exc},
                           field="producer_code") from None
        return kind, rid.number, name
    raise ApiError(422, "invalid", _("a producer is identified by credit code or ID number"), field="producer_kind")


def _event(batch: Batch, kind: str, *, who: str, when: datetime | None = None, place: str = "", lon=None, lat=None,
           readings=None, inputs=(), outputs=(), result: str = "", note: str = "", stage: str | None = None) -> Event:
    return Event(batch=batch, kind=kind, stage=stage or batch.stage, time=when or timezone.now(), who=who[:120],
                 place=place[:120], lon=lon, lat=lat, readings=_readings(readings), inputs=list(inputs),
                 outputs=list(outputs), result=result, note=note[:200])


def _readings(readings) -> list:
    out = []
    for r in readings or ():
        try:
            out.append({"type": str(r["type"])[:40], "value": float(r["value"]), "uom": str(r.get("uom", ""))[:12]})
        except (KeyError, TypeError, ValueError):
            raise ApiError(422, "invalid", _("a sensor reading has a type, a number and a unit"),
                           field="readings") from None
    return out


def _who(actor, fallback: str = "") -> str:
    if actor is None:
        return fallback or "system"
    org = accounts.organisation_by_id(actor.organisation_id) if getattr(actor, "organisation_id", None) else None
    return f"{org.name if org else ''} {getattr(actor, 'display_name', '') or actor.username}".strip()


@transaction.atomic
def create_batch(*, product: str, quantity: float, unit: str = "kg", stage: str = "production", producer_kind: str,
                 producer_code: str, producer_name: str = "", origin: str = "", organisation_id=None, actor=None,
                 who: str = "", when=None, place: str = "", lon=None, lat=None, readings=None) -> Batch:
    """A new batch at 生产 (a harvest) or 收购 (a purchase from a producer)."""
    if stage not in (Stage.PRODUCTION, Stage.PURCHASE):
        raise ApiError(422, "invalid", _("a batch starts at production or purchase"), field="stage")
    if not quantity or quantity <= 0:
        raise ApiError(422, "invalid", _("the quantity must be positive"), field="quantity")
    kind, pcode, pname = producer(producer_kind, producer_code, producer_name)
    if not pname:
        raise ApiError(422, "invalid", _("the producer's name is required"), field="producer_name")
    now = when or timezone.now()
    b = Batch.objects.create(code=new_code(), product=product[:80], quantity=quantity, unit=unit, stage=stage,
                             producer_kind=kind, producer_code=pcode, producer_name=pname[:120], origin=origin[:120],
                             organisation_id=organisation_id, created_at=now)
    chain.append([(_event(b, "create", who=who or _who(actor, pname), when=now, place=place or origin, lon=lon,
                          lat=lat, readings=readings), b.code)])
    if actor is not None:
        audit.record("traceability.create", actor=actor, obj=b, organisation_id=organisation_id,
                     detail={"code": b.code})
    return b


def _batch(code_or_id) -> Batch:
    """The batch (read again, locked for the transaction) of a code, an id or a stale instance."""
    if isinstance(code_or_id, Batch):
        code_or_id = code_or_id.pk
    qs = Batch.objects.select_for_update()
    b = qs.filter(pk=code_or_id).first() if isinstance(code_or_id, int) else qs.filter(code=code_or_id).first()
    if b is None:
        raise ApiError(404, "not-found")
    return b


@transaction.atomic
def record(batch, kind: str, *, actor=None, who: str = "", when=None, place: str = "", lon=None, lat=None,
           readings=None, note: str = "") -> Event:
    """A plain event on a batch: store (储存), transport (运输) or sell; the batch moves to that stage."""
    b = _batch(batch)
    if kind not in EVENT_STAGES:
        raise ApiError(422, "invalid", _("kind is store, transport or sell"), field="kind")
    if b.recalled_at:
        raise ApiError(409, "conflict", _("the batch has been recalled"))
    b.stage = EVENT_STAGES[kind]
    b.save(update_fields=["stage"])
    ev = _event(b, kind, who=who or _who(actor), when=when, place=place, lon=lon, lat=lat, readings=readings,
                note=note)
    chain.append([(ev, b.code)])
    return ev


@transaction.atomic
def transform(inputs: list, outputs: list[dict], *, kind: str, actor=None, who: str = "", when=None,
              place: str = "", readings=None, organisation_id=None, stage: str | None = None) -> list[Batch]:
    """Split one batch into several (``split``), merge several into one (``merge``) or process inputs into
    products (``process``, 加工). ``outputs``: [{"product", "quantity", "unit"}]. The output batches keep
    the producer of the (first) input; split and merge keep the quantity. ``stage``: where the outputs are
    (a merge at a buyer's is 收购, ``purchase``); by default 加工 for processing, else the input's stage."""
    if kind not in ("split", "merge", "process"):
        raise ApiError(422, "invalid", _("kind is split, merge or process"), field="kind")
    ins = [_batch(b) for b in inputs]
    if not ins or not outputs:
        raise ApiError(422, "invalid", _("inputs and outputs are required"), field="inputs")
    if kind == "split" and (len(ins) != 1 or len(outputs) < 2):
        raise ApiError(422, "invalid", _("a split makes two or more batches of one"), field="outputs")
    if kind == "merge" and (len(ins) < 2 or len(outputs) != 1):
        raise ApiError(422, "invalid", _("a merge makes one batch of two or more"), field="inputs")
    if len({b.pk for b in ins}) != len(ins):
        raise ApiError(422, "invalid", _("an input is given twice"), field="inputs")
    if any(b.recalled_at for b in ins):
        raise ApiError(409, "conflict", _("the batch has been recalled"))
    total_in = sum(b.quantity for b in ins)
    total_out = sum(float(o.get("quantity") or 0) for o in outputs)
    if any(float(o.get("quantity") or 0) <= 0 for o in outputs):
        raise ApiError(422, "invalid", _("the quantity must be positive"), field="outputs")
    if kind in ("split", "merge") and abs(total_out - total_in) > 1e-6 * max(total_in, 1):
        raise ApiError(422, "invalid", _("a split or merge keeps the quantity"), field="outputs")
    if kind == "process" and total_out > total_in * 1.000001 and len({b.unit for b in ins} | {
            o.get("unit", ins[0].unit) for o in outputs}) == 1:
        raise ApiError(422, "invalid", _("processing cannot make more than went in"), field="outputs")
    now = when or timezone.now()
    first = ins[0]
    if stage is not None and stage not in STAGE_NAMES:
        raise ApiError(422, "invalid", _("unknown stage"), field="stage")
    stage = stage or (Stage.PROCESSING if kind == "process" else first.stage)
    outs = []
    for o in outputs:
        outs.append(Batch.objects.create(
            code=new_code(), product=str(o.get("product") or first.product)[:80], quantity=float(o["quantity"]),
            unit=o.get("unit") or first.unit, stage=stage, producer_kind=first.producer_kind,
            producer_code=first.producer_code, producer_name=first.producer_name, origin=first.origin,
            organisation_id=organisation_id if organisation_id is not None else first.organisation_id,
            created_at=now))
    Link.objects.bulk_create([Link(parent=i, child=o, kind=kind) for i in ins for o in outs])
    in_codes, out_codes = [b.code for b in ins], [b.code for b in outs]
    who = who or _who(actor)
    events = [(_event(b, kind, who=who, when=now, place=place, readings=readings, inputs=in_codes, outputs=out_codes,
                      stage=stage), b.code) for b in ins + outs]
    chain.append(events)
    return outs


@transaction.atomic
def inspect(batch, *, passed: bool, actor=None, who: str = "", when=None, place: str = "", readings=None,
            note: str = "") -> Event:
    """An inspection (检测): its result and readings (e.g. pesticide residue). A failed one is what a recall
    usually follows."""
    b = _batch(batch)
    ev = _event(b, "inspect", who=who or _who(actor), when=when, place=place, readings=readings,
                result="pass" if passed else "fail", note=note)
    chain.append([(ev, b.code)])
    if actor is not None:
        audit.record("traceability.inspect", actor=actor, obj=b, detail={"code": b.code, "passed": passed})
    return ev


@transaction.atomic
def recall(batch, *, reason: str, actor=None, when=None) -> dict:
    """Recall a batch and every batch downstream of it (forward trace); each gets a recall event."""
    b = _batch(batch)
    if not reason.strip():
        raise ApiError(422, "invalid", _("a recall needs a reason"), field="reason")
    now = when or timezone.now()
    ids = trace.reach(b.pk, "forward")
    batches = list(Batch.objects.filter(pk__in=ids, recalled_at__isnull=True).order_by("id"))
    Batch.objects.filter(pk__in=[x.pk for x in batches]).update(recalled_at=now, recall_reason=reason[:200])
    who = _who(actor)
    chain.append([(_event(x, "recall", who=who, when=now, note=reason, inputs=[b.code]), x.code) for x in batches])
    audit.record("traceability.recall", actor=actor, obj=b, detail={"code": b.code, "reason": reason,
                                                                   "batches": len(ids)})
    return {"code": b.code, "batches": len(ids), "newly_recalled": len(batches),
            "codes": list(Batch.objects.filter(pk__in=ids).order_by("id").values_list("code", flat=True))}
