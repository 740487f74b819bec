"""Working-time arithmetic against the 2026 official schedule (国务院办公厅 2025-11-04 notice)."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartcounty.foundation.cases.tests.conftest import bj
from smartcounty.foundation.cases.workcalendar import (
    WORKDAY_SECONDS,
    WorkCalendar,
    limit_seconds,
    shipped_days,
)

H = 3600
DAYS = shipped_days()
CAL = WorkCalendar(holidays=frozenset(d for d, k, *_ in DAYS if k == "holiday"),
                   workdays=frozenset(d for d, k, *_ in DAYS if k == "workday"))


def test_shipped_schedules():
    hol = {d for d, k, *_ in DAYS if k == "holiday"}
    work = {d for d, k, *_ in DAYS if k == "workday"}
    # 2026 Spring Festival: 2-15 .. 2-23 off (9 days); 2-14 and 2-28 (Saturdays) are working days.
    assert {date(2026, 2, 15) + timedelta(days=i) for i in range(9)} <= hol
    assert {date(2026, 2, 14), date(2026, 2, 28), date(2026, 10, 10), date(2025, 1, 26)} <= work
    assert all(d.weekday() >= 5 for d in work)
    assert not hol & work
    assert {d.year for d in hol} == {2025, 2026}


def test_working_day_rules():
    assert CAL.is_working_day(date(2026, 11, 27))  # Friday
    assert not CAL.is_working_day(date(2026, 11, 28))  # Saturday
    assert not CAL.is_working_day(date(2026, 10, 1))  # National Day (Thursday)
    assert CAL.is_working_day(date(2026, 10, 10))  # make-up Saturday


def test_limits():
    assert WORKDAY_SECONDS == 7.5 * H
    assert limit_seconds(4, "hours") == 4 * H
    assert limit_seconds(2, "days") == 15 * H
    with pytest.raises(ValueError):
        limit_seconds(1, "weeks")


@pytest.mark.parametrize("start, seconds, expected", [
    # within a morning
    (bj(2026, 11, 30, 9, 0), 2 * H, bj(2026, 11, 30, 11, 0)),
    # across lunch: 11:00-12:00, then 13:30-14:30
    (bj(2026, 11, 30, 11, 0), 2 * H, bj(2026, 11, 30, 14, 30)),
    # across a weekend: Friday 17:00-17:30, then Monday from 08:30
    (bj(2026, 11, 27, 17, 0), 2 * H, bj(2026, 11, 30, 10, 0)),
    # started on a Saturday: the clock starts Monday 08:30
    (bj(2026, 11, 28, 10, 0), 1 * H, bj(2026, 11, 30, 9, 30)),
    # across National Day (10-01..10-07 off): Wednesday 17:00-17:30, then Thursday 10-08
    (bj(2026, 9, 30, 17, 0), 1 * H, bj(2026, 10, 8, 9, 0)),
    # into the make-up working Saturday 10-10
    (bj(2026, 10, 9, 16, 0), 4 * H, bj(2026, 10, 10, 11, 0)),
    # two working days over the Spring Festival: Fri 2-13 6 h, Sat 2-14 (working) 7.5 h, then Tue 2-24
    (bj(2026, 2, 13, 10, 0), limit_seconds(2, "days"), bj(2026, 2, 24, 10, 0)),
    # ends exactly at the end of a period
    (bj(2026, 11, 30, 8, 30), 3.5 * H, bj(2026, 11, 30, 12, 0)),
])
def test_add_worked_examples(start, seconds, expected):
    assert CAL.add(start, seconds) == expected
    assert CAL.between(start, expected) == seconds


def test_between_over_a_holiday_counts_nothing():
    assert CAL.between(bj(2026, 10, 1, 0, 0), bj(2026, 10, 8, 0, 0)) == 0
    assert CAL.between(bj(2026, 10, 8, 9, 0), bj(2026, 10, 8, 8, 0)) == -0.5 * H


instants = st.datetimes(min_value=bj(2025, 1, 1).replace(tzinfo=None), max_value=bj(2026, 12, 20).replace(tzinfo=None)
                        ).map(lambda d: d.replace(tzinfo=bj(2026, 1, 1).tzinfo, microsecond=0))


@settings(max_examples=150, deadline=None)
@given(start=instants, a=st.integers(0, 40 * H), b=st.integers(0, 40 * H))
def test_add_is_monotonic_and_inverse_of_between(start, a, b):
    lo, hi = sorted((a, b))
    end_lo, end_hi = CAL.add(start, lo), CAL.add(start, hi)
    assert end_lo <= end_hi
    assert CAL.between(start, end_hi) == pytest.approx(hi)
    # the deadline falls on a working day inside office hours (or is the start itself)
    if hi > 0:
        local = end_hi.astimezone(bj(2026, 1, 1).tzinfo)
        assert CAL.is_working_day(local.date())
