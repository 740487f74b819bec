"""The rule tables: every TSG T7001-2023 elevator year, the two-month-early rule, the interval kinds, and
properties of the schedule (hypothesis)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.market import schedule
from smartcounty.domains.market.catalogue import FREQUENCY, grade_of, interval_months
from smartcounty.domains.market.schedule import (
    INSPECTION,
    SELF_TEST,
    add_months,
    elevator_next,
    elevator_task,
)

FIRST_USE = date(2010, 5, 20)

#: TSG T7001-2023: periodic inspection in years 1, 4, 7, 9, 11, 13, 15 and every year after 15; self-tests
#: in the others. (year after first use -> task)
ELEVATOR_YEARS = {1: INSPECTION, 2: SELF_TEST, 3: SELF_TEST, 4: INSPECTION, 5: SELF_TEST, 6: SELF_TEST,
                  7: INSPECTION, 8: SELF_TEST, 9: INSPECTION, 10: SELF_TEST, 11: INSPECTION, 12: SELF_TEST,
                  13: INSPECTION, 14: SELF_TEST, 15: INSPECTION, 16: INSPECTION, 17: INSPECTION, 18: INSPECTION,
                  19: INSPECTION, 20: INSPECTION, 30: INSPECTION}


@pytest.mark.parametrize("year,task", sorted(ELEVATOR_YEARS.items()))
def test_every_elevator_year(year, task):
    assert elevator_task(year) == task
    plan = {d.year: d for d in schedule.elevator_plan(FIRST_USE, 30)}
    assert plan[year].task == task and plan[year].on == date(2010 + year, 5, 20)


@pytest.mark.parametrize("year", range(1, 21))
def test_each_year_done_on_time_leads_to_the_next(year):
    """Everything done on its anniversary up to ``year``: the next obligation is year+1, of its own kind."""
    on = date(2010 + year, 5, 20)
    last_i = max(date(2010 + y, 5, 20) for y in range(1, year + 1) if ELEVATOR_YEARS.get(y, INSPECTION) == INSPECTION)
    selfs = [date(2010 + y, 5, 20) for y in range(1, year + 1) if ELEVATOR_YEARS.get(y, INSPECTION) == SELF_TEST]
    due = elevator_next(FIRST_USE, last_i, max(selfs) if selfs else None)
    assert due.year == year + 1 and due.on == add_months(on, 12) and due.task == elevator_task(year + 1)


def test_new_elevator_first_inspection_a_year_after_first_use():
    assert elevator_next(FIRST_USE) == schedule.Due(date(2011, 5, 20), INSPECTION, 1)


def test_up_to_two_months_early_keeps_the_schedule():
    # year 4 (inspection) falls on 2014-05-20; year 5 (self-test) on 2015-05-20
    for done in (date(2014, 3, 20), date(2014, 3, 21), date(2014, 5, 1), date(2014, 5, 20)):
        due = elevator_next(FIRST_USE, done, date(2013, 5, 20))
        assert due == schedule.Due(date(2015, 5, 20), SELF_TEST, 5), done


def test_more_than_two_months_early_discharges_nothing():
    due = elevator_next(FIRST_USE, date(2014, 3, 19), date(2013, 5, 20))
    assert due == schedule.Due(date(2014, 5, 20), INSPECTION, 4)


def test_late_inspection_does_not_move_the_schedule():
    """Done four months late: the next obligation is still the following anniversary."""
    due = elevator_next(FIRST_USE, date(2014, 9, 20), date(2013, 5, 20))
    assert due == schedule.Due(date(2015, 5, 20), SELF_TEST, 5)


def test_a_self_test_never_stands_in_for_an_inspection_year():
    # year 4 needs an inspection; only a self-test was done: the year-4 inspection stays open (overdue)
    due = elevator_next(FIRST_USE, date(2011, 5, 20), date(2014, 5, 20))
    assert due == schedule.Due(date(2014, 5, 20), INSPECTION, 4)
    # an inspection discharges a self-test year too
    assert elevator_next(FIRST_USE, date(2012, 5, 1), None) == schedule.Due(date(2013, 5, 20), SELF_TEST, 3)


def test_after_fifteen_years_yearly_inspections():
    due = elevator_next(FIRST_USE, date(2025, 5, 20), date(2024, 5, 20))
    assert due == schedule.Due(date(2026, 5, 20), INSPECTION, 16)


def test_leap_day_first_use_falls_on_28_february():
    fu = date(2020, 2, 29)
    assert elevator_next(fu).on == date(2021, 2, 28)
    assert schedule.anniversary(fu, 4) == date(2024, 2, 29)
    # 28 Feb 2021 minus two months is 28 Dec 2020: a test on 28 Dec counts for year 1
    assert elevator_next(fu, date(2020, 12, 28)).on == date(2022, 2, 28)
    assert elevator_next(fu, date(2020, 12, 27)).on == date(2021, 2, 28)


def test_add_months_clips_to_month_end():
    assert add_months(date(2021, 1, 31), 1) == date(2021, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2021, 3, 31), -1) == date(2021, 2, 28)
    assert add_months(date(2021, 12, 15), 1) == date(2022, 1, 15)


def test_interval_kinds_from_the_last_inspection_or_first_use():
    assert schedule.interval_next(date(2020, 1, 10), None, 12).on == date(2021, 1, 10)
    assert schedule.interval_next(date(2020, 1, 10), date(2023, 6, 30), 36).on == date(2026, 6, 30)
    assert schedule.remind_on(date(2026, 6, 30)) == date(2026, 5, 30)
    with pytest.raises(ValueError):
        schedule.interval_next(date(2020, 1, 10), None, 0)


@pytest.mark.parametrize("score,grade", [(0, "A"), (30, "A"), (31, "B"), (45, "B"), (46, "C"), (60, "C"),
                                         (61, "D"), (100, "D")])
def test_food_risk_bands(score, grade):
    assert grade_of(score) == grade


@pytest.mark.parametrize("grade,per_year,months", [("A", 1, 12), ("B", 2, 6), ("C", 3, 4), ("D", 4, 3)])
def test_food_inspection_frequency_by_grade(grade, per_year, months):
    assert FREQUENCY[grade] == per_year and interval_months(grade) == months


dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


@given(first_use=dates, gap=st.integers(0, 12000), self_gap=st.one_of(st.none(), st.integers(0, 12000)))
def test_next_due_is_always_after_the_last_test(first_use, gap, self_gap):
    last_i = first_use + timedelta(days=gap)
    last_s = None if self_gap is None else first_use + timedelta(days=self_gap)
    due = elevator_next(first_use, last_i, last_s)
    assert due.on > last_i and (last_s is None or due.task == INSPECTION or due.on > last_s)
    assert due.on == schedule.anniversary(first_use, due.year) and due.task == elevator_task(due.year)


@given(a=dates, b=dates, year=st.integers(1, 40))
def test_schedule_is_monotone_in_first_use(a, b, year):
    """A later first use never brings any obligation earlier: the first due date and every year's date."""
    a, b = min(a, b), max(a, b)
    assert elevator_next(a).on <= elevator_next(b).on
    assert schedule.anniversary(a, year) <= schedule.anniversary(b, year)


@given(first_use=dates, x=st.integers(0, 12000), y=st.integers(0, 12000))
def test_a_later_inspection_never_brings_the_next_due_earlier(first_use, x, y):
    early, late = first_use + timedelta(days=min(x, y)), first_use + timedelta(days=max(x, y))
    assert elevator_next(first_use, early).on <= elevator_next(first_use, late).on


@given(first_use=dates, gap=st.integers(0, 12000), months=st.integers(1, 120))
def test_interval_due_after_last_inspection(first_use, gap, months):
    last = first_use + timedelta(days=gap)
    assert schedule.interval_next(first_use, last, months).on > last
