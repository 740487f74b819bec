"""Equipment schedules kept on record, due/overdue in bulk with reminders and alerts, trapping alarms,
food grades, plans and rectification cases, the CSV import."""

from datetime import UTC, date, datetime

import pytest

from smartcounty.domains.market import services
from smartcounty.domains.market.models import Equipment, FoodBusiness, FoodInspection, Reminder, Unit
from smartcounty.domains.market.services import trapping
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing.schemas import ObservationFact
from smartcounty.kernel.problems import ApiError

from .conftest import elevator, make_uscc

pytestmark = pytest.mark.django_db
ALL = services.Scope(True)


def test_credit_code_is_validated(world):
    with pytest.raises(ApiError) as e:
        services.create_equipment(kind="elevator", registration_code="X1", name="电梯", unit_uscc="91371525MA0000001X",
                                  unit_name="某单位", first_use=date(2020, 1, 1))
    assert e.value.field == "unit_uscc"
    assert not Unit.objects.exists() and not Equipment.objects.exists()


def test_recorded_inspections_move_the_schedule(world):
    pk = elevator(first_use=date(2015, 3, 10))
    assert Equipment.objects.get(pk=pk).next_due == date(2016, 3, 10)
    out = services.record_inspection(pk, task="inspection", done_on=date(2016, 2, 1), result="passed")
    assert out["next_due"] == date(2017, 3, 10) and out["next_task"] == "self_test"
    # a failed test discharges nothing
    out = services.record_inspection(pk, task="self_test", done_on=date(2017, 3, 1), result="failed")
    assert out["next_due"] == date(2017, 3, 10)
    out = services.record_inspection(pk, task="self_test", done_on=date(2017, 3, 12), result="fixed")
    assert out["next_due"] == date(2018, 3, 10) and out["next_task"] == "self_test"
    d = services.equipment_detail(ALL, pk)
    assert [h["result"] for h in d["history"]] == ["fixed", "failed", "passed"] and d["plan"][3]["task"] == "inspection"


def test_interval_table_moves_every_piece_of_its_kind(world):
    services.ensure_kind_rules()
    pk = services.create_equipment(kind="boiler", registration_code="11103715252020000001", name="热水锅炉",
                                   unit_uscc=make_uscc(2), unit_name="冠县演示热力公司", first_use=date(2020, 1, 15),
                                   last_inspection=date(2025, 10, 1))
    assert Equipment.objects.get(pk=pk).next_due == date(2026, 10, 1)
    with pytest.raises(ApiError):
        services.record_inspection(pk, task="self_test", done_on=date(2025, 11, 1), result="passed")
    assert services.set_interval("boiler", 24, actor=world.admin) == 1
    assert Equipment.objects.get(pk=pk).next_due == date(2027, 10, 1)
    with pytest.raises(ApiError):
        services.set_interval("elevator", 12)


def test_due_summary_and_daily_check(world):
    on = date(2026, 6, 1)
    a = elevator("31103715252015000001", date(2015, 3, 10), serial=1)                 # due 2016-03-10: overdue
    b = elevator("31103715252015000002", date(2025, 6, 20), serial=1)                 # due 2026-06-20: within a month
    elevator("31103715252015000003", date(2025, 9, 1), serial=2)                      # due 2026-09-01: not yet
    Equipment.objects.filter(pk=b).update(status="in_use")
    assert services.due_summary(ALL, on=on) == {"overdue": 1, "due": 1, "total": 3}
    assert [r["id"] for r in services.equipment_list(ALL, state="overdue", on=on)] == [a]
    assert [r["id"] for r in services.equipment_list(ALL, state="due", on=on)] == [b]
    first = services.check_due(on=on)
    assert first["reminded"] == 1 and first["overdue"] == 1 and first["units_alerted"] == 1
    again = services.check_due(on=on)
    assert again["reminded"] == 0 and again["overdue"] == 0  # once per due date
    alert = alerts.find_open_alert("market", f"overdue:{make_uscc(1)}")
    assert alert is not None and alert.level == 3
    detail = alerts.alert_detail(alerts.reader(world.staff), alert.id)
    assert detail.value == 1 and "冠县幸福家园物业" in detail.title
    services.record_inspection(a, task="inspection", done_on=date(2026, 5, 30), result="passed")
    assert services.check_due(on=on)["resolved"] == 1
    assert alerts.find_open_alert("market", f"overdue:{make_uscc(1)}") is None
    assert Reminder.objects.count() == 2


def test_trapping_alarm_raises_and_resolves(world):
    pk = elevator()
    Equipment.objects.filter(pk=pk).update(thing_id=777)
    at = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    trapping.on_observations("sensing.observations", [ObservationFact(5, 777, "elevator_trapped", None, None, at, 1.0)])
    a = alerts.find_open_alert("market", f"trapped:{pk}")
    assert a is not None and a.level == 4
    assert "幸福家园1号楼电梯" in alerts.alert_detail(alerts.reader(world.staff), a.id).title
    trapping.on_observations("sensing.observations", [ObservationFact(5, 777, "elevator_trapped", None, None, at, 0.0)])
    assert alerts.find_open_alert("market", f"trapped:{pk}") is None
    # a datastream of another thing, or another property, is not ours
    trapping.on_observations("sensing.observations", [ObservationFact(6, 778, "elevator_trapped", None, None, at, 1.0),
                                                      ObservationFact(7, 777, "smoke", None, None, at, 1.0)])
    assert alerts.find_open_alert("market", f"trapped:{pk}") is None


def business(world, n=1, category="catering"):
    prefix = "SC" if category == "production" else "JY"
    return services.create_business(licence_no=f"{prefix}137152500000{n:02d}", name=f"冠县演示饭店{n}",
                                    uscc=make_uscc(50 + n), category=category, town_code=world.town)


def test_grade_sets_the_plan_and_findings_open_a_case(world):
    from smartcounty.foundation.cases import services as cases

    cases.configure_case_type("market.rectification", owner_organisation_id=world.bureau)
    bid = business(world)
    out = services.assess(bid, year=2025, static_score=30, dynamic_score=35, on=date(2025, 12, 1))
    assert out["grade"] == "D" and out["next_inspection"] == date(2026, 3, 1)
    with pytest.raises(ApiError):  # non-conforming without saying what to rectify
        services.inspect(bid, done_on=date(2026, 2, 1), inspector="王建国", result="nonconform")
    r = services.inspect(bid, done_on=date(2026, 2, 1), inspector="王建国", result="nonconform",
                         findings="健康证过期", rectification="15日内整改", actor=world.staff)
    assert r["case_number"].startswith("SJ") and r["next_inspection"] == date(2026, 5, 1)
    rows = list(services.businesses(ALL, on=date(2026, 6, 1)))
    assert rows[0]["per_year"] == 4 and rows[0]["done_this_year"] == 1 and rows[0]["overdue"]
    # a lower grade next year: the plan follows it
    services.assess(bid, year=2026, static_score=10, dynamic_score=10, on=date(2026, 6, 1))
    assert FoodBusiness.objects.get(pk=bid).next_inspection == date(2027, 2, 1)


def test_inspection_and_case_are_one_transaction(world, monkeypatch):
    """If the rectification case cannot be opened, the inspection is not recorded either."""
    from smartcounty.domains.market.services import food

    bid = business(world, 2)

    def refuse(*a, **kw):
        raise ApiError(422, "invalid", "no case")

    monkeypatch.setattr(food.cases, "create_case", refuse)
    with pytest.raises(ApiError):
        services.inspect(bid, done_on=date(2026, 2, 1), inspector="王建国", result="basic", rectification="整改")
    assert not FoodInspection.objects.exists() and FoodBusiness.objects.get(pk=bid).last_inspected is None


GOOD = ("设备种类,设备注册代码,设备名称,使用单位统一社会信用代码,使用单位名称,乡镇,投入使用日期,上次定期检验日期\n"
        "电梯,31103715252019000101,1号楼电梯,{u},冠县演示物业,{t},2019-04-01,2025-03-20\n"
        "锅炉,11103715252019000102,热水锅炉,{u},冠县演示物业,,2019-05-01,2025-09-01\n")


def test_csv_import_all_rows(world):
    from smartcounty.foundation.places import services as places

    town = places.towns()[0]
    out = services.import_csv(GOOD.format(u=make_uscc(9), t=town.name).encode(), "eq.csv")
    assert out == {"rows": 2, "created": 2, "errors": []}
    e = Equipment.objects.get(registration_code="31103715252019000101")
    assert e.town_code == town.code and e.next_due == date(2026, 4, 1) and e.next_task == "inspection"


def test_csv_import_rejects_a_bad_file_whole(world):
    bad = GOOD.format(u=make_uscc(9), t="") + "电梯,31103715252019000103,2号楼电梯,91371525MA00000000,冠县演示物业,,2019-13-01,\n" \
        + f"飞船,31103715252019000101,3号楼电梯,{make_uscc(9)},冠县演示物业,,2019-01-01,\n"
    out = services.import_csv(bad.encode("gb18030"), "eq.csv")
    assert out["created"] == 0 and not Equipment.objects.exists() and not Unit.objects.exists()
    got = {(e["row"], e["column"]) for e in out["errors"]}
    assert {(4, "使用单位统一社会信用代码"), (4, "投入使用日期"), (5, "设备种类"), (5, "设备注册代码")} <= got
    with pytest.raises(ApiError):
        services.import_csv("名称\n电梯\n".encode(), "eq.csv")
    with pytest.raises(ApiError):
        services.import_csv(b"\xff\xfe\x00\x00", "eq.csv")
