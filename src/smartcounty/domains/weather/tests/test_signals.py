"""CMA warning signals: each threshold at and just past its mark, codes, levels, highest signal."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.weather.signals import (
    BLUE,
    HAZE_2007_CRITERIA,
    JUDGED,
    MANUAL,
    ORANGE,
    RED,
    TYPES,
    YELLOW,
    Signal,
    beaufort,
    highest,
    judge_cold_wave,
    judge_fog,
    judge_gale,
    judge_haze,
    judge_heat,
    judge_rainstorm,
    transition,
)


def level(s):
    return None if s is None else s.level


@pytest.mark.parametrize(("rain", "expected"), [
    ({12: 49.9}, None), ({12: 50}, BLUE), ({6: 49.9, 12: 60}, BLUE), ({6: 50}, YELLOW),
    ({3: 49.9, 6: 55}, YELLOW), ({3: 50}, ORANGE), ({3: 99.9}, ORANGE), ({3: 100}, RED), ({}, None),
    ({3: None, 12: 80}, BLUE),
])
def test_rainstorm(rain, expected):
    assert level(judge_rainstorm(rain)) == expected


def test_codes():
    s = judge_rainstorm({6: 50})
    assert (s.type_code, s.level_code, s.code) == ("02", "02", "0202")
    assert Signal("rainstorm", BLUE).code == "0201"
    assert Signal("haze", RED).code == "1304"
    assert Signal("fog", YELLOW).code == "1202"
    assert sorted(v[0] for v in TYPES.values()) == [f"{i:02d}" for i in range(1, 15)]
    assert set(JUDGED) | set(MANUAL) == set(TYPES)
    with pytest.raises(ValueError):
        Signal("heat", BLUE)  # 高温 has no blue level
    with pytest.raises(ValueError):
        Signal("tornado", RED)


def test_signal_names_in_chinese():
    with translation.override("zh-hans"):
        assert Signal("rainstorm", YELLOW).name == "暴雨黄色预警信号"
        assert Signal("haze", ORANGE).name == "霾橙色预警信号"
    with translation.override("en"):
        assert Signal("cold_wave", BLUE).name == "Cold wave Blue warning signal"


@pytest.mark.parametrize(("tmax", "days", "expected"), [
    (36.9, [35, 35, 34.9], None), (37, [], ORANGE), (39.9, [], ORANGE), (40, [], RED),
    (None, [35, 35, 35], YELLOW), (None, [36, 34.9, 36, 36], None), (None, [30, 35, 36, 37.5], YELLOW),
    (36, [35, 35, 35], YELLOW), (40.5, [35, 35, 35], RED),
])
def test_heat(tmax, days, expected):
    assert level(judge_heat(tmax, days)) == expected


@pytest.mark.parametrize(("speed", "grade"), [
    (0, 0), (0.2, 0), (0.3, 1), (10.7, 5), (10.8, 6), (13.8, 6), (13.9, 7), (17.1, 7), (17.2, 8),
    (20.8, 9), (24.5, 10), (28.5, 11), (32.7, 12), (36.9, 12), (37.0, 13), (56.0, 16), (56.1, 17), (70, 17),
])
def test_beaufort(speed, grade):
    assert beaufort(speed) == grade


@pytest.mark.parametrize(("wind", "expected"), [
    ({24: (5, 6)}, None), ({24: (6, None)}, BLUE), ({24: (None, 7)}, BLUE), ({12: (7, 8), 24: (7, 8)}, BLUE),
    ({12: (8, None)}, YELLOW), ({12: (None, 9)}, YELLOW), ({6: (9, 10), 12: (9, 10)}, YELLOW),
    ({6: (10, None)}, ORANGE), ({6: (None, 11)}, ORANGE), ({6: (11, 12)}, ORANGE),
    ({6: (12, None)}, RED), ({6: (None, 13)}, RED),
])
def test_gale(wind, expected):
    assert level(judge_gale(wind)) == expected


@pytest.mark.parametrize(("drop", "tmin", "wind", "expected"), [
    ({48: 8}, 4, 5, BLUE), ({48: 7.9}, 4, 5, None), ({48: 8}, 4.1, 5, None), ({48: 8}, 4, 4, None),
    ({24: 10, 48: 10}, 4, 6, YELLOW), ({24: 10, 48: 10}, 4, 5, BLUE), ({24: 9.9, 48: 12}, 2, 6, BLUE),
    ({24: 12}, 0, 6, ORANGE), ({24: 12}, 0.5, 6, YELLOW), ({24: 15.9}, -3, 7, ORANGE),
    ({24: 16}, 0, 6, RED), ({24: 16}, 0.1, 6, YELLOW), ({24: 20}, -5, 5, None),
])
def test_cold_wave(drop, tmin, wind, expected):
    assert level(judge_cold_wave(drop, tmin, wind)) == expected


def test_cold_wave_needs_tmin_and_wind():
    assert judge_cold_wave({24: 20}, None, 6) is None
    assert judge_cold_wave({24: 20}, -5, None) is None


@pytest.mark.parametrize(("forecast", "observed", "expected"), [
    ({12: 500}, None, None), ({12: 499}, None, YELLOW), ({6: 200, 12: 200}, None, YELLOW),
    ({6: 199}, None, ORANGE), ({2: 50, 6: 50}, None, ORANGE), ({2: 49}, None, RED),
    (None, 450, YELLOW), (None, 150, ORANGE), (None, 40, RED), (None, 500, None),
])
def test_fog(forecast, observed, expected):
    assert level(judge_fog(forecast, observed)) == expected


def test_fog_observed_only_counts_when_continuing():
    assert judge_fog(None, 40, continuing=False) is None


@pytest.mark.parametrize(("vis", "rh", "pm25", "expected"), [
    (3000, 70, None, None), (2999, 79.9, None, YELLOW), (2999, 80, 100, None), (2999, 80, 115, None),
    (2999, 85, 116, YELLOW), (4999, 90, 151, YELLOW), (4999, 90, 150, None), (5000, 50, 600, None),
    (1999, 60, None, ORANGE), (1999, 85, 151, ORANGE), (1999, 85, 140, YELLOW), (4999, 85, 251, ORANGE),
    (999, 60, None, RED), (999, 85, 251, RED), (999, 85, 200, ORANGE), (4999, 85, 501, RED),
    (2500, None, 200, YELLOW), (2500, None, None, None), (None, 50, 600, None),
])
def test_haze_2013(vis, rh, pm25, expected):
    assert level(judge_haze(vis, rh, pm25)) == expected


def test_haze_2007_text():
    assert level(judge_haze(2500, criteria=HAZE_2007_CRITERIA)) == YELLOW
    assert level(judge_haze(1500, criteria=HAZE_2007_CRITERIA)) == ORANGE
    assert level(judge_haze(999, criteria=HAZE_2007_CRITERIA)) == ORANGE  # no red in 2007


def test_highest_and_transitions():
    signals = [judge_rainstorm({6: 60}), judge_fog({2: 10}), None, judge_heat(37)]
    assert highest(signals).code == "1204"
    assert highest([None]) is None
    y, o = Signal("rainstorm", YELLOW), Signal("rainstorm", ORANGE)
    assert transition(None, y) == "issue" and transition(y, o) == "upgrade"
    assert transition(o, y) == "downgrade" and transition(o, None) == "cancel" and transition(y, y) == "keep"
    with pytest.raises(ValueError):
        transition(y, Signal("heat", RED))


RANK = {None: 0, BLUE: 1, YELLOW: 2, ORANGE: 3, RED: 4}


@given(st.floats(0, 300), st.floats(0, 300))
def test_more_rain_never_lowers_the_signal(a, b):
    lo, hi = min(a, b), max(a, b)
    assert RANK[level(judge_rainstorm({3: lo, 6: lo, 12: lo}))] <= RANK[level(judge_rainstorm({3: hi, 6: hi, 12: hi}))]


@given(st.floats(1, 20000), st.floats(1, 20000), st.floats(0, 100), st.floats(0, 1000))
def test_lower_visibility_never_lowers_the_haze_signal(a, b, rh, pm25):
    lo, hi = min(a, b), max(a, b)
    assert RANK[level(judge_haze(hi, rh, pm25))] <= RANK[level(judge_haze(lo, rh, pm25))]
