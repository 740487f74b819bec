"""等保 assessment intervals: level 3 yearly, 4 and 5 half-yearly, 2 every two years (practice), 1 none."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.security import cii


def test_intervals():
    on = date(2026, 3, 15)
    assert cii.next_due(3, on) == date(2027, 3, 15)
    assert cii.next_due(4, on) == date(2026, 9, 15)
    assert cii.next_due(5, on) == date(2026, 9, 15)
    assert cii.next_due(2, on) == date(2028, 3, 15)
    assert cii.next_due(1, on) is None


def test_month_ends_and_leap_days():
    assert cii.next_due(4, date(2026, 8, 31)) == date(2027, 2, 28)
    assert cii.next_due(3, date(2024, 2, 29)) == date(2025, 2, 28)
    assert cii.next_due(2, date(2026, 2, 28)) == date(2028, 2, 28)


def test_never_assessed_is_due_at_once():
    assert cii.next_due(3, None, registered_on=date(2026, 1, 5)) == date(2026, 1, 5)
    assert cii.next_due(1, None) is None
    with pytest.raises(ValueError):
        cii.next_due(6, None)


def test_states():
    today = date(2026, 12, 4)
    assert cii.state(None, today) == "none"
    assert cii.state(date(2026, 12, 3), today) == "overdue"
    assert cii.state(today, today) == "due_soon"
    assert cii.state(date(2027, 1, 3), today) == "due_soon"
    assert cii.state(date(2027, 1, 4), today) == "ok"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(2, 5))
def test_due_is_after_and_stricter_levels_come_sooner(on, level):
    due = cii.next_due(level, on)
    assert due > on
    if level < 5:
        assert cii.next_due(level + 1, on) <= due
