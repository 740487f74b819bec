"""The built-in rule kinds as pure functions: thresholds, hysteresis, levels, rates; parameter validation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from smartcounty.foundation.alerts import rules
from smartcounty.foundation.alerts.rules import (
    MultiLevelParams,
    NoDataParams,
    RateParams,
    ThresholdParams,
    evaluate_multi_level,
    evaluate_no_data,
    evaluate_rate,
    evaluate_threshold,
)

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def run(evaluate, params, values, rule_level=2):
    """Feed values one a minute; return the level in force after each (no duration)."""
    memo, level, out = {}, 0, []
    for i, v in enumerate(values):
        target = evaluate(params, memo, level, rule_level, 60.0 * i, v)
        level = level if target is None else target
        out.append(level)
    return out


@pytest.mark.parametrize("op,kw,values,expected", [
    ("above", {"value": 50}, [49, 50, 50.1, 80, 50, 49.9], [0, 0, 2, 2, 0, 0]),
    ("below", {"value": 5}, [6, 5, 4.9, 5, 5.1], [0, 0, 2, 0, 0]),
    ("between", {"low": 10, "high": 20}, [9.9, 10, 20, 20.1, 15], [0, 2, 2, 0, 2]),
    ("outside", {"low": 10, "high": 20}, [10, 9.9, 15, 20, 20.1], [0, 2, 0, 0, 2]),
])
def test_threshold_ops(op, kw, values, expected):
    assert run(evaluate_threshold, ThresholdParams(op=op, **kw), values) == expected


def test_threshold_hysteresis_stops_flapping():
    p = ThresholdParams(op="above", value=100, hysteresis=5)
    # raised above 100; hovering 96..101 keeps it; only 95 or below clears; re-raised only above 100 again
    values = [101, 99, 100.5, 96, 95.01, 95, 99, 100, 100.1]
    assert run(evaluate_threshold, p, values) == [2, 2, 2, 2, 2, 0, 0, 0, 2]
    without = run(evaluate_threshold, ThresholdParams(op="above", value=100), values)
    assert without.count(0) > 2  # the same series flaps without hysteresis


def test_threshold_below_and_band_hysteresis():
    p = ThresholdParams(op="below", value=2.0, hysteresis=0.5)
    assert run(evaluate_threshold, p, [1.9, 2.4, 2.49, 2.5]) == [2, 2, 2, 0]
    band = ThresholdParams(op="between", low=10, high=20, hysteresis=1)
    assert run(evaluate_threshold, band, [15, 21, 21.1, 9.5]) == [2, 2, 0, 0]


def test_non_numeric_value_changes_nothing():
    p = ThresholdParams(op="above", value=1)
    assert run(evaluate_threshold, p, [2, None, 0]) == [2, 2, 0]


def test_rule_level_is_the_alert_level():
    assert run(evaluate_threshold, ThresholdParams(op="above", value=0), [1], rule_level=4) == [4]


PM25 = MultiLevelParams(direction="above", levels=[75, 115, 150, 250], hysteresis=5)


@pytest.mark.parametrize("value,level", [
    (0, 0), (75, 0), (75.1, 1), (115, 1), (115.1, 2), (150, 2), (150.1, 3), (250, 3), (250.1, 4), (900, 4)])
def test_multi_level_table(value, level):
    """HJ 633-2012 PM2.5 limits 75/115/150/250 µg/m³ as blue..red: a value on a limit is the lower level."""
    assert evaluate_multi_level(PM25, {}, 0, 2, 0.0, value) == level


def test_multi_level_upgrades_at_once_and_downgrades_with_hysteresis():
    values = [80, 160, 148, 145.1, 145, 110.1, 110, 70.1, 70, 260]
    assert run(evaluate_multi_level, PM25, values) == [1, 3, 3, 3, 2, 2, 1, 1, 0, 4]


def test_multi_level_below_direction_with_gaps():
    vis = MultiLevelParams(direction="below", levels=[None, 500, 200, 50])  # visibility (m): yellow/orange/red
    assert run(evaluate_multi_level, vis, [1000, 400, 150, 40, 600]) == [0, 2, 3, 4, 0]


@pytest.mark.parametrize("bad", [
    {"levels": [1, 2, 3]}, {"levels": [None, None, None, None]}, {"levels": [10, 5, 20, 30]},
    {"direction": "below", "levels": [10, 20, None, None]}, {"levels": [1, 1, 2, 3]},
    {"levels": [1, 2, 3, 4], "hysteresis": -1}, {"levels": [1, 2, 3, 4], "colour": "red"},
])
def test_multi_level_rejects_bad_parameters(bad):
    with pytest.raises(ValidationError):
        MultiLevelParams.model_validate(bad)


@pytest.mark.parametrize("bad", [
    {"op": "above"}, {"op": "between", "low": 5, "high": 5}, {"op": "sideways", "value": 1},
    {"op": "above", "value": 1, "duration": -1}, {"op": "above", "value": "x"},
])
def test_threshold_rejects_bad_parameters(bad):
    with pytest.raises(ValidationError):
        ThresholdParams.model_validate(bad)


def test_rate_of_change_per_hour():
    p = RateParams(limit=0.3, per="hour", window=3600, direction="rise", hysteresis=0.1)
    # one reading a minute: +0.004 m/min = 0.24 m/h, then +0.01 m/min = 0.6 m/h, then flat
    values = [10 + 0.004 * i for i in range(30)]
    values += [values[-1] + 0.01 * i for i in range(1, 61)]
    values += [values[-1]] * 120
    levels = run(evaluate_rate, p, values)
    assert levels[0] == 0 and max(levels[:30]) == 0
    first = levels.index(2)
    assert 30 < first < 90
    assert levels[89] == 2 and levels[-1] == 0


def test_rate_directions_and_per_minute():
    fall = RateParams(limit=1, per="minute", window=300, direction="fall")
    assert run(evaluate_rate, fall, [10, 8, 6], rule_level=3) == [0, 3, 3]
    either = RateParams(limit=1, per="minute", window=300, direction="either")
    assert run(evaluate_rate, either, [0, 2, 4])[-1] == 2
    assert run(evaluate_rate, either, [4, 2, 0])[-1] == 2
    assert run(evaluate_rate, RateParams(limit=1, per="minute", direction="rise"), [4, 2, 0])[-1] == 0


def test_rate_window_forgets_old_samples():
    p = RateParams(limit=1, per="minute", window=120)
    memo = {}
    for i, v in enumerate([0, 10, 10, 10, 10]):
        evaluate_rate(p, memo, 0, 2, 60.0 * i, v)
    assert [s[0] for s in memo["w"]] == [120.0, 180.0, 240.0]
    assert memo["rate"] == 0


def test_rate_window_stays_bounded_and_spans_the_whole_window_at_any_reading_rate():
    p = RateParams(limit=100, per="hour", window=3600)
    memo = {}
    for i in range(7200):  # two hours of one reading a second, rising 1 per hour
        level = evaluate_rate(p, memo, 0, 2, float(i), i / 3600)
    w = memo["w"]
    assert len(w) <= rules.MAX_SAMPLES + 1
    assert 7199 - 3600 <= w[0][0] <= 7199 - 3600 + 3600 / rules.MAX_SAMPLES + 1
    assert memo["rate"] == pytest.approx(1.0, rel=0.01) and level == 0


def test_no_data_kind():
    assert evaluate_no_data(NoDataParams(), {}, 0, 1, False) == 1
    assert evaluate_no_data(NoDataParams(), {}, 1, 1, True) == 0
    with pytest.raises(ValidationError):
        NoDataParams(duration=60)


def test_built_in_kinds_are_registered():
    from smartcounty.kernel import registry

    for kind in rules.BUILT_IN:
        assert registry.rule_kinds.get(kind.code) is kind
        assert registry.rule_kinds.owner(kind.code) == "alerts"


@given(st.lists(finite, min_size=1, max_size=4).map(sorted), finite, finite)
def test_multi_level_is_monotonic_in_value(levels, a, b):
    levels = sorted(set(levels))
    p = MultiLevelParams(levels=(levels + [None] * 4)[:4])
    lo, hi = min(a, b), max(a, b)
    assert multi(p, lo) <= multi(p, hi)


def multi(p, v):
    return evaluate_multi_level(p, {}, 0, 2, 0.0, v)


@given(finite, st.floats(min_value=0, max_value=1e3), st.lists(finite, min_size=1, max_size=40))
def test_hysteresis_never_clears_inside_the_band(threshold, h, values):
    """Once raised, an 'above' alert clears only on a value below threshold − hysteresis, and only a value
    above the threshold raises it."""
    p = ThresholdParams(op="above", value=threshold, hysteresis=h)
    level = 0
    for v in values:
        new = evaluate_threshold(p, {}, level, 2, 0.0, v)
        if level and not new:
            assert v <= threshold - h
        if not level and new:
            assert v > threshold
        level = new


@given(finite, finite, finite)
def test_threshold_above_is_monotonic(threshold, a, b):
    p = ThresholdParams(op="above", value=threshold)
    lo, hi = min(a, b), max(a, b)
    assert evaluate_threshold(p, {}, 0, 2, 0, lo) <= evaluate_threshold(p, {}, 0, 2, 0, hi)
