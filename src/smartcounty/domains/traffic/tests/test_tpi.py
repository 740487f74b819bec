"""Link speed levels and the county TPI: each table boundary, the TTI mapping, weighting, monotonicity."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.traffic import tpi
from smartcounty.domains.traffic.tpi import Link


@pytest.mark.parametrize(("cls", "speed", "level"), [
    ("expressway", 65.01, 1), ("expressway", 65.0, 2), ("expressway", 50.0, 3), ("expressway", 35.0, 4),
    ("expressway", 20.0, 5), ("expressway", 0.0, 5), ("expressway", 50.5, 2),
    ("arterial", 40.5, 1), ("arterial", 40.0, 2), ("arterial", 30.0, 3), ("arterial", 20.0, 4), ("arterial", 15.0, 5),
    ("secondary", 36, 1), ("secondary", 35, 2), ("secondary", 25, 3), ("secondary", 15, 4), ("secondary", 10, 5),
    ("branch", 36, 1), ("branch", 10, 5), ("branch", 12, 4),
])
def test_speed_level_at_each_boundary(cls, speed, level):
    assert tpi.speed_level(cls, speed) == level


def test_speed_level_rejects_unknown_class_and_bad_speed():
    with pytest.raises(ValueError):
        tpi.speed_level("lane", 30)
    with pytest.raises(ValueError):
        tpi.speed_level("arterial", -1)
    with pytest.raises(ValueError):
        tpi.speed_level("arterial", float("nan"))


@pytest.mark.parametrize(("value", "level", "name"), [
    (0.0, 1, "畅通"), (2.0, 1, "畅通"), (2.01, 2, "基本畅通"), (4.0, 2, "基本畅通"), (4.01, 3, "轻度拥堵"),
    (6.0, 3, "轻度拥堵"), (6.01, 4, "中度拥堵"), (8.0, 4, "中度拥堵"), (8.01, 5, "严重拥堵"), (10.0, 5, "严重拥堵"),
])
def test_tpi_level_at_each_boundary(value, level, name):
    assert tpi.tpi_level(value) == level
    assert tpi.LEVEL_NAMES[level] == name


@pytest.mark.parametrize(("tti", "value"), [(0.9, 0.0), (1.0, 0.0), (1.1, 1.0), (1.2, 2.0), (1.5, 4.0), (1.65, 5.0),
                                            (1.8, 6.0), (2.1, 8.0), (2.4, 10.0), (5.0, 10.0)])
def test_travel_time_bands_map_onto_the_levels(tti, value):
    # travel time +20 % is the top of 畅通, +50 % of 基本畅通, +80 % of 轻度, +110 % of 中度
    assert tpi.tti_to_tpi(tti) == pytest.approx(value)


def test_free_flow_everywhere_is_zero_and_half_speed_is_tti_two():
    links = [Link("arterial", 1000, 50, 60), Link("branch", 300, 30, 30)]
    assert tpi.network_index(links).tpi == 0.0
    half = tpi.network_index([Link("arterial", 1000, 50, 25)])
    assert half.tti == 2.0 and half.tpi == pytest.approx(8 - 2 * 0.1 / 0.3, abs=0.01) and half.level == 4


def test_class_weighting_an_expressway_jam_counts_more_than_a_branch_jam():
    free = [Link("expressway", 1000, 90, 90), Link("branch", 1000, 35, 35)]
    ex_jam = tpi.network_index([Link("expressway", 1000, 90, 30), free[1]])
    br_jam = tpi.network_index([free[0], Link("branch", 1000, 35, 35 / 3)])
    # both links lose the same share of speed (TTI 3 on the jammed link): the heavier class weighs more
    assert ex_jam.tti > br_jam.tti
    # exact: weights 4 and 1, free times 1000/90 and 1000/35
    fe, fb = 4 * 1000 / 90, 1 * 1000 / 35
    assert ex_jam.tti == pytest.approx((3 * fe + fb) / (fe + fb), abs=1e-3)


def test_length_weighting():
    short = tpi.network_index([Link("arterial", 100, 50, 10), Link("arterial", 900, 50, 50)])
    long_ = tpi.network_index([Link("arterial", 900, 50, 10), Link("arterial", 100, 50, 50)])
    assert long_.tpi > short.tpi
    assert short.tti == pytest.approx((100 / 10 + 900 / 50) / (1000 / 50))


def test_no_links_no_index_and_stopped_traffic_is_bounded():
    assert tpi.network_index([]) is None
    stopped = tpi.network_index([Link("arterial", 500, 50, 0)])
    assert stopped.tpi == 10.0 and stopped.level == 5


links_st = st.lists(st.tuples(st.sampled_from(tpi.CLASSES), st.floats(10, 5000), st.floats(20, 120),
                              st.floats(0, 130)), min_size=1, max_size=30)


@given(links_st, st.integers(0, 29), st.floats(0, 1))
def test_slowing_any_link_never_lowers_the_index(rows, i, share):
    links = [Link(c, L, vf, v) for c, L, vf, v in rows]
    i %= len(links)
    slower = list(links)
    slower[i] = Link(links[i].road_class, links[i].length_m, links[i].free_flow_kmh, links[i].speed_kmh * share)
    a, b = tpi.network_index(links), tpi.network_index(slower)
    assert 0 <= a.tpi <= 10 and b.tpi >= a.tpi


@given(st.floats(1, 3), st.floats(1, 3))
def test_tpi_is_monotone_in_tti(x, y):
    lo, hi = sorted((x, y))
    assert tpi.tti_to_tpi(lo) <= tpi.tti_to_tpi(hi)
    assert tpi.tpi_level(round(tpi.tti_to_tpi(lo), 2)) <= tpi.tpi_level(round(tpi.tti_to_tpi(hi), 2))


@given(st.sampled_from(tpi.CLASSES), st.floats(0, 150), st.floats(0, 150))
def test_speed_level_is_monotone(cls, a, b):
    lo, hi = sorted((a, b))
    assert tpi.speed_level(cls, lo) >= tpi.speed_level(cls, hi)


@given(links_st)
def test_the_window_evaluation_equals_the_reference_index(rows):
    from smartcounty.domains.traffic import congestion

    segments = {i: (c, L, vf) for i, (c, L, vf, _v) in enumerate(rows)}
    speeds = {i: v for i, (_c, _L, _vf, v) in enumerate(rows)}
    index, classes, levels = congestion.evaluate(speeds, segments)
    ref = tpi.network_index([Link(c, L, vf, v) for c, L, vf, v in rows])
    assert index.tpi == ref.tpi and index.level == ref.level and index.links == ref.links
    assert index.tti == pytest.approx(ref.tti, abs=1e-3)
    assert all(levels[i][1] == tpi.speed_level(c, v) for i, (c, _L, _vf, v) in enumerate(rows))
    for cls in classes:
        sub = [Link(c, L, vf, v) for c, L, vf, v in rows if c == cls]
        assert classes[cls] == tpi.network_index(sub).tpi
