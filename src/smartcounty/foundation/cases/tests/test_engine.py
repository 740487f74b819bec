"""The case engine with the test workflow of conftest.py: transitions, who may take them, clocks."""

from datetime import timedelta

import pytest

from smartcounty.foundation.cases import services
from smartcounty.foundation.cases.models import Case, CaseEvent, ImmutableError
from smartcounty.foundation.cases.tests.conftest import bj
from smartcounty.kernel.models import AuditEntry
from smartcounty.kernel.problems import ApiError

pytestmark = pytest.mark.django_db


def new_case(w, now, category="road", **kw):
    return services.create_case("cases.test", title="井盖缺失", category=category, reporter=w.resident, now=now,
                                lon=115.45, lat=36.49, **kw)


def step(case, key, user, now, **kw):
    return services.transition(case.pk, key, actor=user, now=now, **kw)


def test_full_legal_flow(world):
    w = world
    t0 = bj(2026, 11, 30, 9, 0)
    case = new_case(w, t0)
    assert case.number == f"TC20261130{case.pk:06d}"
    assert (case.state, case.organisation_id, case.queue_organisation_id) == ("new", w.dept.pk, w.centre.pk)
    assert case.due_at == bj(2026, 11, 30, 10, 0)
    assert [t.key for t in services.allowed_transitions(case, w.centre_staff)] == ["register"]
    assert services.allowed_transitions(case, w.dept_staff) == []
    case = step(case, "register", w.centre_staff, t0 + timedelta(minutes=20))
    assert (case.state, case.queue_organisation_id) == ("dispatched", w.dept.pk)
    assert case.due_at == bj(2026, 12, 2, 9, 20)  # 2 working days
    case = step(case, "handle", w.dept_staff, bj(2026, 12, 1, 15, 0), data={"result": "已补装井盖"})
    assert case.state == "handled" and case.data["result"] == "已补装井盖"
    case = step(case, "close", w.centre_staff, bj(2026, 12, 1, 16, 0))
    assert case.is_closed and case.closed_at == bj(2026, 12, 1, 16, 0)
    assert case.handling_seconds == int((bj(2026, 12, 1, 16, 0) - t0).total_seconds())
    assert not case.ever_overdue
    case = step(case, "evaluate", w.resident, bj(2026, 12, 2, 9, 0), data={"rating": 5})
    assert case.state == "evaluated" and case.rating == 5 and case.is_closed
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["create", "register", "handle", "close", "evaluate"]
    assert AuditEntry.objects.filter(action="cases.transition", object_id=str(case.pk)).count() == 4


def test_assignment_by_grid_beats_category(world):
    services.set_assignment_rule("cases.test", "grid", "37152500100101", world.other.pk)
    case = new_case(world, bj(2026, 11, 30, 9, 0), grid_code="37152500100101")
    assert case.organisation_id == world.other.pk
    services.set_assignment_rule("cases.test", "town", "371525101", world.sup.pk)
    case = new_case(world, bj(2026, 11, 30, 9, 0), grid_code="37152510100101", town_code="371525101")
    assert case.organisation_id == world.sup.pk


@pytest.mark.parametrize("key, who, state, code", [
    ("handle", "dept_staff", "new", 409),        # not possible in this state
    ("register", "dept_staff", "new", 403),      # only the owning centre registers
    ("register", "resident", "new", 403),
    ("register", "other_staff", "new", 403),
    ("handle", "other_staff", "dispatched", 403),  # wrong organisation
    ("handle", "centre_staff", "dispatched", 403),
    ("close", "dept_staff", "handled", 403),
    ("evaluate", "stranger", "closed", 403),     # not the reporter
    ("reopen", "centre_staff", "closed", 403),
    ("nonsense", "admin", "new", 404),
])
def test_illegal_transitions_change_nothing(world, key, who, state, code):
    w = world
    t = bj(2026, 11, 30, 9, 0)
    case = new_case(w, t)
    path = {"new": [], "dispatched": ["register"], "handled": ["register", "handle"],
            "closed": ["register", "handle", "close"]}[state]
    actors = {"register": w.centre_staff, "handle": w.dept_staff, "close": w.centre_staff}
    for k in path:
        case = step(case, k, actors[k], t, data={"result": "ok"})
    before = (case.state, CaseEvent.objects.filter(case=case).count())
    with pytest.raises(ApiError) as err:
        step(case, key, getattr(w, who), t, data={"result": "x", "rating": 3}, note="n")
    assert err.value.status == code
    case.refresh_from_db()
    assert (case.state, CaseEvent.objects.filter(case=case).count()) == before


def test_required_fields_and_platform_admin(world):
    w = world
    t = bj(2026, 11, 30, 9, 0)
    case = step(new_case(w, t), "register", w.admin, t)
    with pytest.raises(ApiError) as err:
        step(case, "handle", w.dept_staff, t, data={"result": "  "})
    assert (err.value.status, err.value.field) == (422, "result")
    with pytest.raises(ApiError) as err:
        step(case, "ask", w.dept_staff, t)
    assert err.value.field == "note"
    case.refresh_from_db()
    assert case.state == "dispatched"


def test_time_limit_across_a_holiday_and_a_category_override(world):
    case = new_case(world, bj(2026, 9, 30, 17, 0))
    assert case.due_at == bj(2026, 10, 8, 9, 0)  # 1 working hour over National Day
    case = step(case, "register", world.centre_staff, bj(2026, 10, 9, 16, 0))
    assert case.ever_overdue  # registered after its limit
    # 2 days = 15 h: Fri 16:00-17:30 1.5 h + make-up Saturday 10-10 7.5 h + Monday 6 h (08:30-12:00, 13:30-16:00)
    assert case.due_at == bj(2026, 10, 12, 16, 0)
    light = new_case(world, bj(2026, 11, 30, 9, 0), category="light")
    light = step(light, "register", world.centre_staff, bj(2026, 11, 30, 9, 0))
    assert light.due_at == bj(2026, 12, 1, 9, 0)  # 1 working day for street lights


def test_pause_and_resume(world):
    w = world
    case = step(new_case(w, bj(2026, 11, 30, 9, 0)), "register", w.centre_staff, bj(2026, 11, 30, 9, 0))
    assert case.due_at == bj(2026, 12, 2, 9, 0)
    case = step(case, "ask", w.dept_staff, bj(2026, 11, 30, 10, 0), note="请补充具体位置")
    assert case.paused and case.due_at is None and case.paused_remaining == 14 * 3600
    assert case.queue_organisation_id is None
    # a paused case is never escalated, however long it waits
    assert services.sweep(now=bj(2026, 12, 20, 9, 0))["escalated"] == 0
    case = step(case, "reply", w.resident, bj(2026, 12, 3, 9, 0), note="在路口东侧")
    # 14 working hours left: Thu 7 h, Fri 7 h -> Friday 17:00
    assert not case.paused and case.due_at == bj(2026, 12, 4, 17, 0)
    assert case.queue_organisation_id == w.dept.pk


def test_reminder_and_escalation(world):
    w = world
    case = step(new_case(w, bj(2026, 11, 30, 9, 0)), "register", w.centre_staff, bj(2026, 11, 30, 9, 0))
    # reminder at 80 % of 15 working hours = 12 h -> Tue 12-01 13:30 + 1.5 h... = Tue 16:00? computed:
    # Mon 09:00-17:30 = 7 h, Tue 08:30-12:00 = 3.5 h, 13:30-15:00 = 1.5 h -> Tue 15:00
    assert case.remind_at == bj(2026, 12, 1, 15, 0)
    assert services.sweep(now=bj(2026, 12, 1, 14, 59)) == {"reminded": 0, "escalated": 0}
    assert services.sweep(now=bj(2026, 12, 1, 15, 0)) == {"reminded": 1, "escalated": 0}
    assert services.sweep(now=bj(2026, 12, 1, 15, 1)) == {"reminded": 0, "escalated": 0}
    assert services.sweep(now=bj(2026, 12, 2, 9, 1)) == {"reminded": 0, "escalated": 1}
    assert services.sweep(now=bj(2026, 12, 2, 9, 2)) == {"reminded": 0, "escalated": 0}
    case.refresh_from_db()
    assert case.overdue and case.ever_overdue and case.escalated_at == bj(2026, 12, 2, 9, 1)
    assert case in services.escalated_to(w.sup.pk)  # escalated to the supervising organisation
    assert case not in services.escalated_to(w.dept.pk)
    assert case in services.queue(w.dept.pk)
    ev = CaseEvent.objects.get(case=case, action="escalate")
    assert ev.organisation_id == w.sup.pk and not ev.public
    # finishing late: closed, but not on time
    case = step(case, "handle", w.dept_staff, bj(2026, 12, 2, 10, 0), data={"result": "done"})
    assert not case.overdue
    case = step(case, "close", w.centre_staff, bj(2026, 12, 2, 11, 0))
    assert case.is_closed and case.ever_overdue


def test_reopen_within_the_period_only(world):
    w = world
    t = bj(2026, 11, 30, 9, 0)
    case = new_case(w, t)
    for k, u in (("register", w.centre_staff), ("handle", w.dept_staff), ("close", w.centre_staff)):
        case = step(case, k, u, t, data={"result": "ok"})
    with pytest.raises(ApiError) as err:
        step(case, "reopen", w.resident, t + timedelta(days=7, minutes=1), note="还是坏的")
    assert err.value.status == 409
    with pytest.raises(ApiError):
        step(case, "reopen", w.resident, t + timedelta(days=1))  # a reason is required
    case = step(case, "reopen", w.resident, t + timedelta(days=6), note="还是坏的")
    assert (case.state, case.is_closed, case.closed_at, case.reopen_count) == ("dispatched", False, None, 1)
    assert case.queue_organisation_id == w.dept.pk


def test_history_is_immutable(world):
    case = new_case(world, bj(2026, 11, 30, 9, 0))
    ev = CaseEvent.objects.get(case=case)
    ev.note = "changed"
    with pytest.raises(ImmutableError):
        ev.save()
    with pytest.raises(ImmutableError):
        ev.delete()
    with pytest.raises(ImmutableError):
        CaseEvent.objects.filter(case=case).update(note="x")
    with pytest.raises(ImmutableError):
        CaseEvent.objects.filter(case=case).delete()


def test_comments(world):
    case = new_case(world, bj(2026, 11, 30, 9, 0))
    services.comment(case.pk, actor=world.centre_staff, note="内部备注")
    services.comment(case.pk, actor=world.centre_staff, note="已受理", public=True)
    with pytest.raises(ApiError):
        services.comment(case.pk, actor=world.centre_staff, note=" ")
    assert [e.note for e in services.history(case, public_only=True)][1:] == ["已受理"]


def test_statistics_against_hand_computed_figures(world):
    w = world
    t = bj(2026, 11, 2, 9, 0)  # Monday
    a, b, c, d = (new_case(w, t + timedelta(minutes=i), category=cat)
                  for i, cat in enumerate(("road", "road", "light", "road")))
    e = new_case(w, bj(2026, 10, 30, 9, 0))  # created in the month before: outside the period
    services.set_assignment_rule("cases.test", "category", "light", w.other.pk)
    # a: closed on time in 2 h; b: sent back once, closed after 5 h; c: registered late, closed; d: open
    for case, close_at, rework in ((a, t + timedelta(hours=2), False), (b, t + timedelta(hours=5), True),
                                   (c, t + timedelta(hours=50), False), (e, t, False)):
        reg_at = t + timedelta(hours=2) if case is c else case.created_at
        step(case, "register", w.centre_staff, reg_at, data={"organisation_id": w.dept.pk})
        step(case, "handle", w.dept_staff, reg_at, data={"result": "ok"})
        if rework:
            step(case, "reject", w.centre_staff, reg_at)
            step(case, "handle", w.dept_staff, reg_at, data={"result": "ok"})
        step(case, "close", w.centre_staff, close_at)
    rows = services.statistics("category", since=bj(2026, 11, 1), until=bj(2026, 12, 1), case_type="cases.test")
    assert rows == [
        {"key": "light", "total": 1, "closed": 1, "on_time": 0, "reworked": 0, "closure_rate": 1.0,
         "on_time_rate": 0.0, "rework_rate": 0.0, "avg_handling_hours": 49.97},
        {"key": "road", "total": 3, "closed": 2, "on_time": 2, "reworked": 1, "closure_rate": 0.6667,
         "on_time_rate": 1.0, "rework_rate": 0.5, "avg_handling_hours": 3.49},
    ]
    by_org = services.statistics("organisation", since=bj(2026, 11, 1), until=bj(2026, 12, 1))
    assert by_org == [{"key": str(w.dept.pk), "total": 4, "closed": 3, "on_time": 2, "reworked": 1,
                       "closure_rate": 0.75, "on_time_rate": 0.6667, "rework_rate": 0.3333,
                       "avg_handling_hours": round((2 + 5 - 1 / 60 + 50 - 2 / 60) / 3, 2)}]


def test_nearby_open_case(world):
    t = bj(2026, 11, 30, 9, 0)
    a = new_case(world, t)
    assert services.nearby_open_case("cases.test", "road", 115.4503, 36.4902).pk == a.pk  # ~36 m away
    assert services.nearby_open_case("cases.test", "road", 115.4510, 36.4900) is None  # ~90 m
    assert services.nearby_open_case("cases.test", "light", 115.45, 36.49) is None  # other category
    assert services.nearby_open_case("cases.test", "road", 115.45, 36.49, exclude_id=a.pk) is None
    Case.objects.filter(pk=a.pk).update(is_closed=True)
    assert services.nearby_open_case("cases.test", "road", 115.45, 36.49) is None


def test_bad_input_creates_nothing(world):
    for kw in ({"category": "nope"}, {"lon": 200.0}, {"lon": 115.0, "lat": None}):
        with pytest.raises(ApiError):
            services.create_case("cases.test", title="x", reporter=world.resident,
                                 **{"category": "road", "lon": 115.4, "lat": 36.4, **kw})
    with pytest.raises(ApiError):
        services.create_case("no.such.type", title="x")
    assert Case.objects.count() == 0


def test_only_the_fields_a_step_asks_for_are_kept(world):
    t = bj(2026, 11, 30, 9, 0)
    case = step(new_case(world, t), "register", world.centre_staff, t, data={"organisation_id": world.dept.pk,
                                                                            "injected": "x"})
    case = step(case, "handle", world.dept_staff, t, data={"result": "ok", "reporter_name": "someone else"})
    assert case.data == {"result": "ok"}
    ev = CaseEvent.objects.get(case=case, action="register")
    assert ev.data == {"organisation_id": world.dept.pk}
