"""The GB/T 30428 flow: 信息采集 → 立案 → 派遣 → 处置 → 处理反馈 → 核查 → 结案 → 综合评价."""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from smartcounty.domains.citymgmt import services
from smartcounty.domains.citymgmt.catalogue import CASE_TYPE
from smartcounty.domains.citymgmt.models import validate_component_code
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.cases.services import BEIJING
from smartcounty.kernel.problems import ApiError

pytestmark = pytest.mark.django_db


def bj(*a):
    return datetime(*a, tzinfo=BEIJING)


def go(case, key, user, now, **kw):
    return cases.transition(case.pk, key, actor=user, now=now, **kw)


def test_full_flow_with_inspector_verification(city):
    t = bj(2026, 12, 1, 9, 0)  # Tuesday
    case = services.report(category="C0201", description="路灯不亮", lon=115.45, lat=36.49, reporter=city.resident,
                           now=t)
    assert case.state == "collected" and case.queue_organisation_id == city.ids["law-enforcement"]
    case = go(case, "register", city.centre, t)
    case = go(case, "dispatch", city.centre, t)
    assert case.organisation_id == city.ids["housing"] and case.queue_organisation_id == city.ids["housing"]
    case = go(case, "accept", city.housing, t)
    assert case.state == "handling" and case.due_at == bj(2026, 12, 3, 9, 0)  # 路灯: 2 working days
    case = go(case, "feedback", city.housing, bj(2026, 12, 2, 10, 0), data={"result": "更换灯泡"})
    with pytest.raises(ApiError) as err:
        go(case, "close", city.centre, bj(2026, 12, 2, 10, 5))  # not before the inspector's check
    assert err.value.status == 409
    case = go(case, "send_inspector", city.centre, bj(2026, 12, 2, 10, 5))
    with pytest.raises(ApiError) as err:
        go(case, "verify_pass", city.outsider_inspector, bj(2026, 12, 2, 11, 0), data={"inspection": "ok"})
    assert err.value.status == 403
    with pytest.raises(ApiError) as err:
        go(case, "verify_pass", city.housing, bj(2026, 12, 2, 11, 0), data={"inspection": "ok"})
    assert err.value.status == 403
    case = go(case, "verify_fail", city.inspector, bj(2026, 12, 2, 11, 0), note="仍不亮")
    assert case.state == "handling" and case.rework_count == 1
    case = go(case, "feedback", city.housing, bj(2026, 12, 2, 14, 0), data={"result": "更换线路"})
    case = go(case, "send_inspector", city.centre, bj(2026, 12, 2, 14, 10))
    case = go(case, "verify_pass", city.inspector, bj(2026, 12, 2, 15, 0), data={"inspection": "已亮"})
    case = go(case, "close", city.centre, bj(2026, 12, 2, 15, 10))
    assert case.is_closed and not case.ever_overdue
    with pytest.raises(ApiError):
        go(case, "evaluate", city.other_resident, bj(2026, 12, 3, 9, 0), data={"rating": 5})
    case = go(case, "evaluate", city.resident, bj(2026, 12, 3, 9, 0), data={"rating": 4})
    assert case.state == "evaluated" and case.rating == 4
    row = services.performance("organisation", since=bj(2026, 12, 1), until=bj(2027, 1, 1), user=city.centre)
    assert row == [{"key": str(city.ids["housing"]), "total": 1, "closed": 1, "on_time": 1, "reworked": 1,
                    "closure_rate": 1.0, "on_time_rate": 1.0, "rework_rate": 1.0,
                    "avg_handling_hours": round((bj(2026, 12, 2, 15, 10) - t).total_seconds() / 3600, 2)}]
    assert services.performance("organisation", since=None, until=None, user=city.transport) == []


def test_pause_for_the_reporter_and_reject(city):
    t = bj(2026, 12, 1, 9, 0)
    case = services.report(category="E0501", description="占道", lon=115.45, lat=36.49, reporter=city.resident, now=t)
    case = go(case, "ask_reporter", city.centre, t, note="请补充照片")
    assert case.paused and case.queue_organisation_id is None
    case = go(case, "supply", city.resident, bj(2026, 12, 4, 9, 0), note="在东门")
    assert case.due_at == bj(2026, 12, 4, 10, 0)  # the hour is still whole: paused at once
    case = go(case, "reject", city.centre, bj(2026, 12, 4, 9, 30), note="不属于城管范围")
    assert case.state == "rejected" and not services.is_open(case)


def test_every_transition_is_well_formed():
    CASE_TYPE.validate()
    targets = {t.target for t in CASE_TYPE.transitions}
    assert {s.key for s in CASE_TYPE.states} - {CASE_TYPE.initial} <= targets


@pytest.mark.parametrize("code, ok", [
    ("3715250101000001", True), ("3715250201000123", True),
    ("3205080101000001", False),   # another county
    ("371525010100001", False),    # 15 digits
    ("3715259901000001", False),   # unknown class
    ("3715250101000000", False),   # serial zero
    ("37152501010000a1", False),
])
def test_component_codes(code, ok):
    if ok:
        validate_component_code(code)
    else:
        with pytest.raises(ValidationError):
            validate_component_code(code)


def test_components_and_next_code(city):
    a = services.create_component(code="3715250101000001", lon=115.45, lat=36.49, actor=city.housing)
    assert a.category == "C0101" and a.name == "上水井盖"
    assert services.next_component_code("371525", "C0101") == "3715250101000002"
    assert services.next_component_code("371525", "C0201") == "3715250201000001"
    with pytest.raises(ApiError) as err:
        services.create_component(code="3715250101000001", lon=115.45, lat=36.49)
    assert err.value.status == 409


def test_duplicate_flagged_for_nearby_open_case_of_same_category(city):
    a = services.report(category="E0101", lon=115.4500, lat=36.4900, reporter=city.resident)
    b = services.report(category="E0101", lon=115.4502, lat=36.4901, reporter=city.other_resident)
    c = services.report(category="E0103", lon=115.4502, lat=36.4901, reporter=city.other_resident)
    d = services.report(category="E0101", lon=115.4600, lat=36.4900, reporter=city.other_resident)
    assert a.duplicate_of_id is None and b.duplicate_of_id == a.pk
    assert c.duplicate_of_id is None and d.duplicate_of_id is None
