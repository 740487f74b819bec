"""Published definitions run on the engine: version pinning, parallel branches, guards, timers, paused clocks."""

from datetime import timedelta

import pytest

from smartcounty.foundation.cases import services
from smartcounty.foundation.cases.models import CaseBranch, CaseEvent
from smartcounty.foundation.cases.tests.conftest import bj
from smartcounty.foundation.cases.tests.workflow_samples import sample
from smartcounty.foundation.cases.workcalendar import WORKDAY_SECONDS
from smartcounty.foundation.cases.workflow import store
from smartcounty.kernel.problems import ApiError

KEY = "wf.filing"


@pytest.fixture
def flow(world):
    store.save(sample())
    store.publish(KEY)
    services.configure_case_type(KEY, owner_organisation_id=world.centre.pk, supervisor_organisation_id=world.sup.pk)
    return world


def file(world, now, area=50):
    return services.file_case(world.resident, KEY, title="备案申请", data={"area": area, "phone": "13800138000"}) \
        if now is None else _file_at(world, now, area)


def _file_at(world, now, area):
    return services.create_case(KEY, title="备案申请", data={"area": area, "phone": "13800138000"},
                                reporter=world.resident, now=now)


def test_a_published_definition_is_a_case_type(flow):
    assert KEY in services.case_types()
    case = file(flow, None)
    assert case.number.startswith("FB") and case.state == "submitted"
    assert case.queue_organisation_id == flow.centre.pk and case.workflow_version.number == 1
    assert [t.key for t in services.allowed_transitions(case, flow.centre_staff)] == ["accept", "ask", "refuse"]
    with pytest.raises(ApiError) as exc:
        services.file_case(flow.resident, KEY, title="备案", data={"area": 50, "phone": "12"})
    assert exc.value.status == 422


def test_a_case_finishes_on_the_version_it_started_on(flow):
    now = bj(2026, 11, 2, 9)
    old = file(flow, now)
    doc = sample()
    doc["transitions"] = [t for t in doc["transitions"] if t["key"] != "refuse"]
    doc["states"][0]["title"] = "已申请"
    store.save(doc)
    v2 = store.publish(KEY)
    new = file(flow, now)
    assert (old.workflow_version.number, new.workflow_version_id) == (1, v2.pk)
    assert "refuse" not in [t.key for t in services.allowed_transitions(new, flow.centre_staff)]
    assert "refuse" in [t.key for t in services.allowed_transitions(old, flow.centre_staff)]  # v1 still has it
    with pytest.raises(ApiError) as exc:
        services.transition(new.pk, "refuse", actor=flow.centre_staff, note="材料不全")
    assert exc.value.status == 404
    services.transition(old.pk, "ask", actor=flow.centre_staff, note="请补正", now=now)
    services.transition(old.pk, "supply", actor=flow.resident, now=now)
    _through_review(flow, old.pk, now)
    done = services.transition(old.pk, "approve", actor=flow.centre_staff, data={"opinion": "同意"}, now=now)
    assert done.state == "done" and done.is_closed and done.workflow_version.number == 1
    assert [v["cases"] for v in store.versions_in_use(done.workflow_version.definition)] == [1, 1]


def _through_review(world, case_id, now):
    services.transition(case_id, "accept", actor=world.centre_staff, now=now)
    services.transition(case_id, "review__planning", actor=world.dept_staff, now=now)
    return services.transition(case_id, "review__fire", actor=world.other_staff, now=now)


def test_parallel_branches_join_when_all_are_done(flow):
    now = bj(2026, 11, 2, 9)
    case = file(flow, now)
    case = services.transition(case.pk, "accept", actor=flow.centre_staff, now=now)
    assert case.state == "review"
    assert sorted(CaseBranch.objects.filter(case=case).values_list("key", flat=True)) == ["fire", "planning"]
    with pytest.raises(ApiError) as exc:  # the fire branch belongs to the other department
        services.transition(case.pk, "review__fire", actor=flow.dept_staff, now=now)
    assert exc.value.status == 403
    assert [t.key for t in services.allowed_transitions(case, flow.dept_staff)] == ["review__planning"]
    case = services.transition(case.pk, "review__planning", actor=flow.dept_staff, now=now + timedelta(hours=1))
    assert case.state == "review"
    assert services.allowed_transitions(case, flow.dept_staff) == []
    with pytest.raises(ApiError) as exc:
        services.transition(case.pk, "review__planning", actor=flow.dept_staff, now=now)
    assert exc.value.status == 409
    case = services.transition(case.pk, "review__fire", actor=flow.other_staff, now=now + timedelta(hours=2))
    assert case.state == "reviewed"
    branch = CaseBranch.objects.get(case=case, key="fire")
    assert branch.done_at == now + timedelta(hours=2) and branch.organisation_id == flow.other.pk
    # the joined state's limit is in natural days: two calendar days, weekend or not
    assert case.due_at == now + timedelta(hours=2, days=2)


def test_a_guard_keeps_a_step_closed(flow):
    case = file(flow, bj(2026, 11, 2, 9), area=0)
    assert "accept" not in [t.key for t in services.allowed_transitions(case, flow.centre_staff)]
    with pytest.raises(ApiError) as exc:
        services.transition(case.pk, "accept", actor=flow.centre_staff)
    assert exc.value.status == 409


def test_the_legal_clock_pauses_in_supplement_across_the_national_day_holiday(flow):
    # Monday 2026-09-28 08:30: five working days would end on Friday 10-09 17:30 (10-01..10-07 are holidays).
    start = bj(2026, 9, 28, 8, 30)
    case = file(flow, start)
    assert case.legal_due_at == bj(2026, 10, 9, 17, 30)
    assert services.clock(case, now=start).level == "green"
    # one working day later the applicant is asked to supplement: the legal clock stops with 4 days left
    case = services.transition(case.pk, "ask", actor=flow.centre_staff, note="请补正材料",
                               now=bj(2026, 9, 29, 8, 30))
    assert case.paused and case.legal_due_at is None and case.legal_remaining == 4 * WORKDAY_SECONDS
    during = services.clock(case, now=bj(2026, 10, 5, 12))
    assert during.level == "paused" and during.legal_remaining_seconds == 4 * WORKDAY_SECONDS
    # supplied on Friday 10-09: 4 working days left run Fri 10-09, Sat 10-10 (make-up day), Mon 10-12, Tue 10-13
    case = services.transition(case.pk, "supply", actor=flow.resident, now=bj(2026, 10, 9, 8, 30))
    assert not case.paused and case.legal_due_at == bj(2026, 10, 13, 17, 30)
    # the state's own limit (one working day) ran out before the pause: red until the case moves on
    assert case.due_at == bj(2026, 10, 9, 8, 30) and services.clock(case, now=bj(2026, 10, 9, 9)).level == "red"
    case = services.transition(case.pk, "accept", actor=flow.centre_staff, now=bj(2026, 10, 9, 9))
    assert case.legal_due_at == bj(2026, 10, 13, 17, 30) and services.clock(case, now=bj(2026, 10, 12, 9)).level \
        == "green"
    assert services.clock(case, now=bj(2026, 10, 13, 9)).level == "yellow"
    assert services.clock(case, now=bj(2026, 10, 14, 9)).level == "red"


def test_a_timer_refuses_a_lapsed_supplement(flow):
    now = bj(2026, 11, 2, 9)
    case = file(flow, now)
    case = services.transition(case.pk, "ask", actor=flow.centre_staff, note="请补正", now=now)
    assert case.timer_at == now + timedelta(days=5)
    assert services.run_timers(now=now + timedelta(days=4)) == {"taken": 0, "waiting": 0}
    assert services.run_timers(now=now + timedelta(days=5, minutes=1))["taken"] == 1
    case.refresh_from_db()
    assert case.state == "refused" and case.is_closed and case.timer_at is None
    last = CaseEvent.objects.filter(case=case).exclude(action="notify").last()
    assert last.action == "lapse" and last.actor is None and last.actor_name == "system"


def test_notifications_and_the_workbench_over_a_definition(flow, client):
    now = bj(2026, 11, 2, 9)
    case = file(flow, now)
    _through_review(flow, case.pk, now)
    services.transition(case.pk, "approve", actor=flow.centre_staff, data={"opinion": "同意"}, now=now)
    note = CaseEvent.objects.get(case=case, action="notify")
    assert note.note == "您的备案已办结" and note.public
    other = file(flow, now)
    client.force_login(flow.centre_staff)
    r = client.get("/api/v1/cases/workbench", {"view": "mine"})
    assert r.status_code == 200
    rows = {row["id"]: row for row in r.json()["items"]}
    assert rows[other.pk]["type_title"] == "房屋租赁备案" and rows[other.pk]["state_title"] == "已提交"


# a module's type whose legal limit depends on the category (e.g. each service item's promised limit)
PER_CATEGORY_KEY = "wf.percategory"


def _per_category_type():
    from dataclasses import replace

    from smartcounty.foundation.cases.schemas import Limit, compile_document
    from smartcounty.kernel import registry

    doc = sample()
    doc["key"], doc["prefix"] = PER_CATEGORY_KEY, "PC"
    ct = replace(compile_document(doc), category_legal_limits={"fast": Limit(1, "days")})
    if PER_CATEGORY_KEY not in registry.case_types:
        registry.case_types.register(PER_CATEGORY_KEY, ct, module="cases")
    return ct


def test_a_category_legal_limit_overrides_the_type_s_and_pauses_the_same_way(flow):
    ct = _per_category_type()
    services.configure_case_type(PER_CATEGORY_KEY, owner_organisation_id=flow.centre.pk)
    assert ct.legal_limit_for("fast").amount == 1 and ct.legal_limit_for("other").amount == 5
    start = bj(2026, 9, 30, 8, 30)  # Wednesday before the National Day holiday
    fast = services.create_case(PER_CATEGORY_KEY, title="即办", category="fast", reporter=flow.resident, now=start)
    slow = services.create_case(PER_CATEGORY_KEY, title="承诺", category="other", reporter=flow.resident, now=start)
    assert fast.legal_due_at == bj(2026, 9, 30, 17, 30)
    assert slow.legal_due_at == bj(2026, 10, 12, 17, 30)  # 9-30, then 10-09, 10-10 (make-up day), 10-12
    fast = services.transition(fast.pk, "ask", actor=flow.centre_staff, note="补正", now=bj(2026, 9, 30, 13, 30))
    assert fast.legal_remaining == 4 * 3600 and services.clock(fast, now=bj(2026, 10, 3, 9)).level == "paused"
    fast = services.transition(fast.pk, "supply", actor=flow.resident, now=bj(2026, 10, 8, 8, 30))
    assert fast.legal_due_at is not None and services.clock(fast, now=bj(2026, 10, 8, 9)).legal_remaining_seconds \
        == pytest.approx(3.5 * 3600)
