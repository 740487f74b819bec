"""LB/T 034-2014 capacities and the warning levels with hysteresis."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.tourism import capacity as c


def test_area_and_line_methods_and_turnover():
    # 120,000 m2 of garden at 60 m2 a visitor and 8,000 m2 of paths at 5 m2: 2,000 + 1,600
    assert c.instantaneous_capacity([(120_000, 60), (8_000, 5)]) == 3600
    assert c.instantaneous_capacity([(1_500, 2.0)]) == 750  # a 1.5 km trail at 2 m a visitor
    # open 10 h, a visit takes 3 h: three whole turnovers
    assert c.daily_capacity(3600, 10, 3) == 10800
    assert c.daily_capacity(100, 8, 8) == 100 and c.daily_capacity(100, 9, 2) == 400
    with pytest.raises(ValueError):
        c.instantaneous_capacity([(100, 0)])
    with pytest.raises(ValueError):
        c.daily_capacity(10, 0, 1)


@pytest.mark.parametrize(("share", "level"), [(0.0, 0), (0.7999, 0), (0.8, 1), (0.8999, 1), (0.9, 2), (0.9999, 2),
                                              (1.0, 3), (1.4, 3)])
def test_levels_going_up_at_each_share(share, level):
    assert c.warning_level(share, 0) == level


def test_hysteresis_on_the_way_down():
    assert c.warning_level(0.78, 1) == 1  # within 5 points under 80 %: yellow stays
    assert c.warning_level(0.75, 1) == 1
    assert c.warning_level(0.7499, 1) == 0
    assert c.warning_level(0.97, 3) == 3 and c.warning_level(0.949, 3) == 2
    assert c.warning_level(0.86, 2) == 2 and c.warning_level(0.84, 2) == 1
    assert c.warning_level(0.5, 3) == 0  # far below: straight to none


def test_configurable_shares_and_bad_configurations():
    assert c.warning_level(0.7, 0, (0.6, 0.7, 0.8)) == 2
    for shares in ((0.9, 0.8, 1.0), (0, 0.5, 1), (0.8, 0.9, 2.5)):
        with pytest.raises(ValueError):
            c.warning_level(0.5, 0, shares)
    with pytest.raises(ValueError):
        c.warning_level(0.5, 0, hysteresis=0.9)


def test_share_takes_the_tighter_of_instant_and_daily():
    assert c.share(300, 500, 1000, 5000) == 0.3
    assert c.share(300, 4800, 1000, 5000) == 0.96


@given(st.lists(st.floats(0, 1.5), min_size=1, max_size=60))
def test_a_wobble_inside_the_band_never_flaps(values):
    level = 0
    for v in values:
        new = c.warning_level(v, level)
        # a change of level needs the share past a threshold (up) or past threshold - hysteresis (down)
        if new > level:
            assert v >= c.DEFAULT_SHARES[new - 1]
        if new < level:
            assert v < c.DEFAULT_SHARES[level - 1] - c.DEFAULT_HYSTERESIS
        level = new


@given(st.floats(0, 2), st.floats(0, 2), st.integers(0, 3))
def test_level_is_monotone_in_the_share(a, b, current):
    lo, hi = sorted((a, b))
    assert c.warning_level(lo, current) <= c.warning_level(hi, current)
