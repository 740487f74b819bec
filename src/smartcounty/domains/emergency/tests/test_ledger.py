"""The stock ledger: balances follow the lines, never go negative (service and database), transfers move both
sides at once, counts record the difference, every line is audited; an import that would go negative, or has a
bad row, leaves nothing written."""

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from smartcounty.domains.emergency import services
from smartcounty.domains.emergency.models import Stock, StockMove
from smartcounty.kernel.models import AuditEntry
from smartcounty.kernel.problems import ApiError

from .conftest import depot

pytestmark = pytest.mark.django_db


def test_receive_issue_count_and_the_ledger(world):
    d = depot()
    tent = services.ensure_item("TENT", "帐篷", "顶")
    assert services.receive(d, tent, 50, actor=world.staff)["balance"] == 50
    assert services.issue(d, tent, 20, actor=world.staff)["balance"] == 30
    line = services.count(d, tent, 28, actor=world.staff, note="盘亏2顶")
    assert (line["delta"], line["balance"]) == (-2, 28)
    rows = list(services.ledger(d))
    assert [(r["kind"], r["delta"], r["balance"]) for r in rows] == [("count", -2, 28), ("out", -20, 30),
                                                                     ("in", 50, 50)]
    assert services.stock_of(d) == [{"item_id": tent, "code": "TENT", "name": "帐篷", "unit": "顶", "quantity": 28}]
    assert AuditEntry.objects.filter(action="emergency.stock").count() == 3


def test_issue_beyond_the_balance_is_refused_and_changes_nothing(world):
    d = depot()
    water = services.ensure_item("WATER", "饮用水", "箱")
    services.receive(d, water, 5, actor=world.staff)
    with pytest.raises(ApiError) as e:
        services.issue(d, water, 6, actor=world.staff)
    assert e.value.status == 409 and "5" in str(e.value.detail)
    assert Stock.objects.get(depot_id=d, item_id=water).quantity == 5
    assert StockMove.objects.count() == 1


def test_the_database_refuses_a_negative_balance(world):
    d = depot()
    water = services.ensure_item("WATER", "饮用水", "箱")
    services.receive(d, water, 1, actor=world.staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(depot_id=d).update(quantity=-1)


def test_transfer_moves_both_sides_or_neither(world):
    a, b = depot("A"), depot("B", lon=115.5)
    quilt = services.ensure_item("QUILT", "棉被", "床")
    services.receive(a, quilt, 10, actor=world.staff)
    out, inn = services.transfer(a, b, quilt, 4, actor=world.staff)
    assert (out["balance"], inn["balance"]) == (6, 4)
    with pytest.raises(ApiError):
        services.transfer(a, b, quilt, 7, actor=world.staff)
    assert {s.depot_id: s.quantity for s in Stock.objects.all()} == {a: 6, b: 4}
    ref = StockMove.objects.get(pk=out["id"]).reference
    assert ref and sorted(StockMove.objects.filter(reference=ref).values_list("delta", flat=True)) == [-4, 4]


def test_a_stock_file_that_goes_negative_is_not_half_imported(world):
    d = depot("D-Q")
    services.ensure_item("TENT", "帐篷", "顶")
    good = "仓库编码,物资编码,类型,数量\nD-Q,TENT,入库,10\nD-Q,TENT,出库,4\n".encode()
    assert services.import_stock(good, "a.csv", actor=world.staff)["applied"] == 2
    bad = "仓库编码,物资编码,物资名称,单位,类型,数量\nD-Q,TENT,,,入库,5\nD-Q,LAMP,应急灯,盏,入库,3\nD-Q,TENT,,,出库,20\n"
    result = services.import_stock(bad.encode(), "b.csv", actor=world.staff)
    assert result["applied"] == 0 and result["errors"][0]["row"] == 4 and result["errors"][0]["column"] == "数量"
    assert Stock.objects.get(depot_id=d, item__code="TENT").quantity == 6
    assert not Stock.objects.filter(item__code="LAMP").exists()
    assert StockMove.objects.count() == 2
    rows = "仓库编码,物资编码,类型,数量\nD-Q,TENT,入库,5\nNOPE,TENT,入库,1\nD-Q,TENT,借出,1\n"
    result = services.import_stock(rows.encode(), "c.csv", actor=world.staff)
    assert {(e["row"], e["column"]) for e in result["errors"]} == {(3, "仓库编码"), (4, "类型")}
    assert StockMove.objects.count() == 2


class LedgerProperties(TestCase):
    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(["in", "out", "count"]), st.integers(0, 40)), min_size=1, max_size=12))
    def test_balance_is_the_sum_of_the_lines_and_never_negative(self, moves):
        from smartcounty.foundation.accounts import services as accounts

        accounts.ensure_plan_organisations()
        d = services.create_resource(kind="depot", code="P", name="库", lon=115.4, lat=36.4)
        item = services.ensure_item("X", "物资", "件")
        balance = 0
        for kind, q in moves:
            try:
                if kind == "in":
                    services.receive(d, item, q, actor=None)
                    balance += q
                elif kind == "out":
                    services.issue(d, item, q, actor=None)
                    balance -= q
                else:
                    services.count(d, item, q, actor=None)
                    balance = q
            except ApiError:
                pass
            assert balance >= 0
        lines = list(StockMove.objects.filter(depot_id=d).values_list("delta", "balance").order_by("id"))
        assert sum(x for x, _b in lines) == balance == (lines[-1][1] if lines else 0)
        assert all(b >= 0 for _x, b in lines)
