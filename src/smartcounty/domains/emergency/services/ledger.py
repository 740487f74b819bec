"""The stock ledger of the supply depots: receive, issue, transfer, count. Each movement locks the balance row,
checks it, writes one ledger line (two for a transfer) with the balance after it, and is audited, all in one
transaction; a balance never goes below zero (checked here, and by the database's CHECK constraints)."""

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcounty.domains.emergency.models import Item, Resource, Stock, StockMove
from smartcounty.kernel import audit, process
from smartcounty.kernel.problems import ApiError
from smartcounty.kernel.rows import Rows

MAX_QUANTITY = 10**9


def _depot(depot_id: int) -> Resource:
    d = Resource.objects.filter(pk=depot_id, kind=Resource.Kind.DEPOT).first()
    if d is None:
        raise ApiError(404, "not-found", _("no such supply depot"), field="depot_id")
    return d


def _item(item_id: int) -> Item:
    it = Item.objects.filter(pk=item_id).first()
    if it is None:
        raise ApiError(404, "not-found", _("no such supply item"), field="item_id")
    return it


def _quantity(q, *, zero_ok: bool = False) -> int:
    if isinstance(q, bool) or not isinstance(q, int) or q < (0 if zero_ok else 1) or q > MAX_QUANTITY:
        raise ApiError(422, "invalid", _("the quantity must be a whole number from %(lo)s to %(hi)s")
                       % {"lo": 0 if zero_ok else 1, "hi": MAX_QUANTITY}, field="quantity")
    return q


def _locked_stock(depot: Resource, item: Item) -> Stock:
    Stock.objects.get_or_create(depot=depot, item=item)
    return Stock.objects.select_for_update().get(depot=depot, item=item)


def _move(depot, item, kind, delta, *, actor, at, reference="", incident_id=None, note="") -> dict:
    stock = _locked_stock(depot, item)
    balance = stock.quantity + delta
    if balance < 0:
        raise ApiError(409, "insufficient-stock",
                       _("%(depot)s has %(have)s %(unit)s of %(item)s; %(want)s cannot be taken out")
                       % {"depot": depot.name, "have": stock.quantity, "unit": item.unit, "item": item.name,
                          "want": -delta}, field="quantity")
    stock.quantity = balance
    stock.save(update_fields=["quantity"])
    line = StockMove.objects.create(depot=depot, item=item, kind=kind, delta=delta, balance=balance, at=at,
                                    actor_id=getattr(actor, "pk", None), reference=reference,
                                    incident_id=incident_id, note=note[:200])
    audit.record("emergency.stock", actor=actor, obj=line, detail={
        "depot": depot.code, "item": item.code, "kind": kind, "delta": delta, "balance": balance,
        "reference": reference})
    return {"id": line.id, "depot_id": depot.id, "item_id": item.id, "kind": kind, "delta": delta,
            "balance": balance, "at": at.isoformat()}


def receive(depot_id: int, item_id: int, quantity: int, *, actor, note: str = "", incident_id=None) -> dict:
    with process.write_transaction():
        return _move(_depot(depot_id), _item(item_id), StockMove.Kind.IN, _quantity(quantity), actor=actor,
                     at=timezone.now(), note=note, incident_id=incident_id)


def issue(depot_id: int, item_id: int, quantity: int, *, actor, note: str = "", incident_id=None) -> dict:
    with process.write_transaction():
        return _move(_depot(depot_id), _item(item_id), StockMove.Kind.OUT, -_quantity(quantity), actor=actor,
                     at=timezone.now(), note=note, incident_id=incident_id)


def transfer(from_depot_id: int, to_depot_id: int, item_id: int, quantity: int, *, actor, note: str = "",
             incident_id=None) -> list[dict]:
    if from_depot_id == to_depot_id:
        raise ApiError(422, "invalid", _("a transfer needs two different depots"), field="to_depot_id")
    q = _quantity(quantity)
    ref = "T" + uuid.uuid4().hex[:16]
    with process.write_transaction():
        src, dst, item = _depot(from_depot_id), _depot(to_depot_id), _item(item_id)
        now = timezone.now()
        # lock in id order so two opposite transfers cannot deadlock
        first, second = sorted((src, dst), key=lambda d: d.id)
        _locked_stock(first, item), _locked_stock(second, item)
        out = _move(src, item, StockMove.Kind.TRANSFER_OUT, -q, actor=actor, at=now, reference=ref,
                    incident_id=incident_id, note=note)
        inn = _move(dst, item, StockMove.Kind.TRANSFER_IN, q, actor=actor, at=now, reference=ref,
                    incident_id=incident_id, note=note)
    return [out, inn]


def count(depot_id: int, item_id: int, counted: int, *, actor, note: str = "") -> dict:
    """A stock count (盘点): the balance becomes what was counted; the line records the difference."""
    with process.write_transaction():
        depot, item = _depot(depot_id), _item(item_id)
        stock = _locked_stock(depot, item)
        return _move(depot, item, StockMove.Kind.COUNT, _quantity(counted, zero_ok=True) - stock.quantity,
                     actor=actor, at=timezone.now(), note=note)


def apply_lines(lines: list[dict], *, actor, reference: str) -> int:
    """Movements of an import, in one transaction the caller holds: any failure rolls every line back."""
    now = timezone.now()
    n = 0
    for line in lines:
        depot, item, kind, q = line["depot"], line["item"], line["kind"], line["quantity"]
        if kind == StockMove.Kind.COUNT:
            delta = q - _locked_stock(depot, item).quantity
        else:
            delta = q if kind == StockMove.Kind.IN else -q
        _move(depot, item, kind, delta, actor=actor, at=now, reference=reference, note=line.get("note", ""))
        n += 1
    return n


def stock_of(depot_id: int) -> list[dict]:
    return [{"item_id": s["item_id"], "code": s["item__code"], "name": s["item__name"], "unit": s["item__unit"],
             "quantity": s["quantity"]}
            for s in Stock.objects.filter(depot_id=depot_id).order_by("item__code").values(
                "item_id", "item__code", "item__name", "item__unit", "quantity")]


def stock_totals(depot_ids) -> dict[int, int]:
    """{depot id: the sum of its balances} for several depots in one query."""
    from django.db.models import Sum

    return dict(Stock.objects.filter(depot_id__in=list(depot_ids)).values("depot_id").annotate(n=Sum("quantity"))
                .values_list("depot_id", "n"))


def _line(r: dict) -> dict:
    return {"id": r["id"], "item": r["item__name"], "unit": r["item__unit"], "kind": r["kind"],
            "kind_name": str(StockMove.Kind(r["kind"]).label), "delta": r["delta"],
            "balance": r["balance"], "at": r["at"], "reference": r["reference"], "note": r["note"],
            "incident_id": r["incident_id"]}


def ledger(depot_id: int, *, item_id: int | None = None) -> Rows:
    qs = StockMove.objects.filter(depot_id=depot_id)
    if item_id:
        qs = qs.filter(item_id=item_id)
    return Rows(qs.order_by("-at", "-id"), _line, fields=("id", "item__name", "item__unit", "kind", "delta",
                                                           "balance", "at", "reference", "note", "incident_id"))


def items() -> list[dict]:
    return list(Item.objects.order_by("code").values("id", "code", "name", "unit"))


def ensure_item(code: str, name: str, unit: str) -> int:
    with transaction.atomic():
        item, _c = Item.objects.get_or_create(code=code, defaults={"name": name, "unit": unit})
    return item.id
