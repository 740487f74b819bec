"""Flood state against warning/guaranteed levels, rain totals over windows, drought watch."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.water.levels import (
    ABOVE_GUARANTEED,
    ABOVE_WARNING,
    APPROACHING,
    EXTREME,
    LIGHT,
    MODERATE,
    NO_DROUGHT,
    NORMAL,
    SEVERE,
    drought_watch,
    flood_state,
    max_window_total,
    precipitation_anomaly_percent,
    rain_totals,
)


@pytest.mark.parametrize(("level", "state"), [
    (30.0, NORMAL), (31.99, NORMAL), (32.0, ABOVE_WARNING), (33.4, ABOVE_WARNING), (33.5, ABOVE_GUARANTEED),
    (35.0, ABOVE_GUARANTEED),
])
def test_flood_state_marks(level, state):
    s = flood_state(level, warning=32.0, guaranteed=33.5)
    assert s.state == state
    assert s.to_warning == pytest.approx(level - 32.0)


def test_flood_state_options():
    assert flood_state(31.6, 32.0, approach_margin=0.5).state == APPROACHING
    assert flood_state(31.4, 32.0, approach_margin=0.5).state == NORMAL
    assert flood_state(40, 32.0).state == ABOVE_WARNING  # no guaranteed level known
    with pytest.raises(ValueError):
        flood_state(30, warning=32, guaranteed=31)


T0 = datetime(2026, 7, 20, 0, tzinfo=UTC)


def test_rain_totals_windows():
    series = [(T0 + timedelta(hours=h), 2.0) for h in range(1, 25)]  # 2 mm every hour for 24 h
    totals = rain_totals(series, at=T0 + timedelta(hours=24))
    assert totals == {1: 2.0, 3: 6.0, 6: 12.0, 12: 24.0, 24: 48.0}
    # The window is (t - w, t]: the value stamped exactly w hours before is outside.
    assert rain_totals(series, at=T0 + timedelta(hours=3), windows=(3,)) == {3: 6.0}
    assert rain_totals(series + [(T0, None)], at=T0 + timedelta(hours=1), windows=(1,)) == {1: 2.0}
    with pytest.raises(ValueError):
        rain_totals([(datetime(2026, 7, 20), 1.0)], at=T0)
    with pytest.raises(ValueError):
        rain_totals([(T0, -1.0)], at=T0)


def test_max_window_total():
    series = [(T0 + timedelta(minutes=10 * i), mm) for i, mm in enumerate([0, 5, 20, 30, 10, 0, 0, 40])]
    # (00:00, 01:00] holds 5+20+30+10+0+0 = 65; (00:10, 01:10] holds 20+30+10+0+0+40 = 100.
    assert max_window_total(series, 1) == 100
    assert max_window_total(series[:7], 1) == 65
    assert max_window_total([], 3) == 0


@given(st.lists(st.floats(min_value=0, max_value=50), min_size=1, max_size=48))
def test_totals_grow_with_the_window(amounts):
    series = [(T0 + timedelta(hours=i), a) for i, a in enumerate(amounts)]
    totals = rain_totals(series, at=T0 + timedelta(hours=len(amounts) - 1))
    values = [totals[w] for w in (1, 3, 6, 12, 24)]
    assert values == sorted(values)
    assert max_window_total(series, 3) >= totals[3] - 1e-9


@pytest.mark.parametrize(("actual", "grade"), [
    (100, NO_DROUGHT), (61, NO_DROUGHT), (60, LIGHT), (41, LIGHT), (40, MODERATE), (21, MODERATE),
    (20, SEVERE), (6, SEVERE), (5, EXTREME), (0, EXTREME),
])
def test_drought_watch_monthly_grades(actual, grade):
    # normal 100 mm: Pa = actual - 100
    w = drought_watch(actual, 100)
    assert w.grade == grade and w.anomaly_percent == actual - 100


def test_anomaly_errors():
    assert precipitation_anomaly_percent(150, 100) == 50
    with pytest.raises(ValueError):
        precipitation_anomaly_percent(10, 0)
