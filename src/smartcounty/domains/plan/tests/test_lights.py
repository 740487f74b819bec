"""督办 lights and reminders on the working-day calendar: yellow from three working days before the deadline
(weekends and public holidays do not count), red once it has passed; one reminder of each kind per deadline."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.plan import lights, services
from smartcounty.domains.plan.models import Reminder
from smartcounty.foundation.cases import services as cases
from smartcounty.kernel.models import AuditEntry

FRI, MON, TUE, WED, THU = date(2026, 12, 4), date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 10)


def weekdays(day):
    return day.weekday() < 5


def test_horizon_skips_the_weekend():
    assert lights.horizon(FRI, weekdays) == WED  # Mon, Tue, Wed
    assert lights.horizon(MON, weekdays) == THU
    assert lights.horizon(date(2026, 12, 5), weekdays) == WED  # from a Saturday too


def test_horizon_skips_a_public_holiday_and_counts_a_make_up_working_day():
    holiday = {TUE}
    assert lights.horizon(FRI, lambda d: weekdays(d) and d not in holiday) == THU
    makeup = date(2026, 12, 6)  # a Sunday worked instead (调休上班)
    assert lights.horizon(FRI, lambda d: weekdays(d) or d == makeup) == TUE


@given(st.dates(min_value=date(2021, 1, 1), max_value=date(2030, 12, 31)),
       st.integers(min_value=-30, max_value=30))
def test_a_light_is_red_exactly_when_late_and_yellow_only_near_the_deadline(today, offset):
    deadline = today + timedelta(days=offset)
    limit = lights.horizon(today, weekdays)
    one = lights.light(deadline, today, limit, done=False)
    assert (one == lights.RED) == (deadline < today)
    left = sum(1 for i in range(1, max(offset, 0) + 1) if weekdays(today + timedelta(days=i)))
    assert (one == lights.YELLOW) == (deadline >= today and left <= 3)
    assert lights.light(deadline, today, limit, done=True) == lights.GREEN


def test_worst_light():
    assert lights.worst([]) == lights.NONE
    assert lights.worst([lights.GREEN, lights.YELLOW]) == lights.YELLOW
    assert lights.worst([lights.YELLOW, lights.RED, lights.GREEN]) == lights.RED


def _task(plan, deadline, title="T"):
    reader = services.reader(plan.office)
    return services.create_task(reader, action=13, year=2026, title=title, deadline=deadline,
                                owner_organisation_id=plan.ids["housing"], actor=plan.office)


@pytest.mark.django_db
def test_lights_of_a_task_through_the_week_and_a_holiday(plan):
    t = _task(plan, THU)
    reader = services.reader(plan.office)
    assert services.task(reader, t.id, day=FRI).light == lights.GREEN  # horizon Wed
    assert services.task(reader, t.id, day=MON).light == lights.YELLOW
    assert services.task(reader, t.id, day=THU).light == lights.YELLOW
    assert services.task(reader, t.id, day=THU + timedelta(days=1)).light == lights.RED
    cases.set_calendar_day(TUE, "holiday", "测试假日", actor=plan.admin)
    assert services.task(reader, t.id, day=FRI).light == lights.YELLOW  # Mon, Wed, Thu
    # the list filter agrees with the lights
    assert [x.id for x in services.tasks(reader, light=lights.YELLOW, day=FRI)] == [t.id]
    assert list(services.tasks(reader, light=lights.RED, day=FRI)) == []
    cases.set_calendar_day(TUE, None, actor=plan.admin)


@pytest.mark.django_db
def test_reminders_once_per_kind_and_deadline(plan):
    t = _task(plan, THU)
    other = _task(plan, date(2026, 12, 31), "later")
    assert services.send_reminders(FRI) == {"approaching": 0, "overdue": 0}
    assert services.send_reminders(MON) == {"approaching": 1, "overdue": 0}
    assert services.send_reminders(TUE) == {"approaching": 0, "overdue": 0}  # already reminded
    assert services.send_reminders(date(2026, 12, 11)) == {"approaching": 0, "overdue": 1}
    assert services.send_reminders(date(2026, 12, 14)) == {"approaching": 0, "overdue": 0}
    kinds = list(Reminder.objects.filter(task_id=t.id).order_by("on").values_list("kind", "on"))
    assert kinds == [("approaching", MON), ("overdue", date(2026, 12, 11))]
    assert not Reminder.objects.filter(task_id=other.id).exists()
    assert AuditEntry.objects.filter(action="plan.reminder_overdue", object_id=str(t.id)).count() == 1


@pytest.mark.django_db
def test_a_task_reported_done_gets_no_reminder(plan):
    t = _task(plan, THU)
    reader = services.reader(plan.housing)
    services.report_completion(reader, t.id, text="已完成", completed_on=date(2026, 12, 1), actor=plan.housing)
    assert services.send_reminders(date(2026, 12, 11)) == {"approaching": 0, "overdue": 0}
    assert services.task(reader, t.id, day=date(2026, 12, 11)).light == lights.GREEN


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_reminds_and_refreshes(plan):
    import threading

    from smartcounty.domains.plan import scheduler
    from smartcounty.domains.plan.models import KpiValue

    today = services.today()
    _task(plan, today - timedelta(days=1), "late")
    stop = threading.Event()
    worker = threading.Thread(target=scheduler.run, args=(stop,), kwargs={"interval": 60, "first_wait": 0.01})
    worker.start()
    for _ in range(200):
        if KpiValue.objects.exists():
            break
        stop.wait(0.05)
    stop.set()
    worker.join(10)
    assert not worker.is_alive()
    assert Reminder.objects.filter(kind="overdue").count() == 1
    assert KpiValue.objects.filter(key="plan.tasks_on_time").count() >= 1
