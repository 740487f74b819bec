"""``window_stats``: count, sum, min and max of several datastreams over a window, from the hourly rollup for the
whole hours and the observations for the partial hours at the edges. It must equal the raw computation."""

from datetime import UTC, datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartcounty.foundation.sensing import services

pytestmark = pytest.mark.django_db
HOUR = 3_600_000
T0 = services.to_ms(datetime(2026, 11, 20, 0, tzinfo=UTC))  # a whole UTC hour
SPAN = 6 * HOUR


@pytest.fixture
def streams():
    services.sync_observed_properties()
    thing = services.create_thing("wx-w", "窗口测试站", lon=115.43, lat=36.49, kind="weather")
    other = services.create_thing("bench-w", "窗口测试台", lon=115.44, lat=36.48, kind="bench")
    return [services.create_datastream(thing, "temperature").id, services.create_datastream(thing, "water_level").id,  # unbounded: negatives stored
            services.create_datastream(other, "temperature").id]


def _ingest(ids, points):
    items = [{"datastream": ids[k], "phenomenonTime": T0 + ms, "result": v} for k, ms, v in points]
    half = len(items) // 2
    services.ingest(items[: half + 3], source="http", publish=False)
    services.ingest(items[half:], source="mqtt", publish=False)  # overlapping batches: duplicates count once


def _raw(ids, points, chosen, start, end):
    """The reference: every stored row of the chosen datastreams in [start, end), in Python."""
    out: dict = {}
    for k, ms, v in points:
        if ids[k] in chosen and v is not None and start <= T0 + ms < end:
            out.setdefault(ids[k], []).append(v)
    return out


def _check(got, want):
    assert set(got) == set(want)
    for ds, vs in want.items():
        n, total, lo, hi = got[ds]
        assert (n, lo, hi) == (len(vs), min(vs), max(vs))
        assert total == pytest.approx(sum(vs), abs=1e-9)


# times on and around the hour marks, where the rollup and the raw edges meet
instants = st.one_of(st.integers(0, SPAN), st.integers(0, 6).map(lambda h: h * HOUR),
                     st.integers(1, 6).map(lambda h: h * HOUR - 1), st.integers(0, 5).map(lambda h: h * HOUR + 1))
values = st.one_of(st.none(), st.floats(-60, 60, allow_nan=False), st.sampled_from([0.0, 12.5, -3.0]))
points = st.lists(st.tuples(st.integers(0, 2), instants, values), max_size=60, unique_by=lambda p: (p[0], p[1]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(points=points, a=st.one_of(instants, st.integers(-HOUR, SPAN + HOUR)), b=instants,
       chosen=st.sets(st.integers(0, 3), min_size=1))
def test_equals_the_raw_computation(streams, points, a, b, chosen):
    with transaction.atomic():
        _ingest(streams, points)
        ids = {streams[k] if k < 3 else 999_999 for k in chosen}  # an unknown id is simply absent
        for start, end in ((a, b), (b, a), (a, a + 1), (0, SPAN + 1), (-HOUR, 2 * SPAN)):
            got = services.window_stats(ids, T0 + start, T0 + end)
            _check(got, _raw(streams, points, ids, T0 + start, T0 + end))
            if end <= start:
                assert got == {}  # an empty window
        transaction.set_rollback(True)


def test_window_is_half_open_and_nulls_are_left_out(streams):
    t, w, bench = streams
    _ingest(streams, [(0, 0, 5.0), (0, HOUR, 9.0), (0, 2 * HOUR, -4.0), (0, 2 * HOUR + 30_000, 1.0),
                      (1, HOUR, None), (2, HOUR + 60_000, 40.0)])
    assert services.window_stats([t], T0, T0 + 2 * HOUR) == {t: (2, 14.0, 5.0, 9.0)}
    assert services.window_stats([t], T0 + 1, T0 + 2 * HOUR + 1) == {t: (2, 5.0, -4.0, 9.0)}
    # one whole hour from the rollup, partial hours from the rows, across several datastreams
    assert services.window_stats([t, w, bench], T0 + HOUR, T0 + 3 * HOUR) == {
        t: (3, 6.0, -4.0, 9.0), bench: (1, 40.0, 40.0, 40.0)}
    assert services.window_stats([w], T0, T0 + 3 * HOUR) == {}  # only a null result
    assert services.window_stats([], T0, T0 + HOUR) == {}
    assert services.window_stats([t], T0 + HOUR, T0 + HOUR) == {}
    assert services.window_stats([t], T0 + 3 * HOUR, T0 + 10 * HOUR) == {}
