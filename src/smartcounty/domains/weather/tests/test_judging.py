"""How the live judging reads the data: rain totals summed by the database equal ``water.services.rain_totals`` over
the stored rows; the weather station's datastreams count, other things' temperatures do not; the pace of judging."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartcounty.domains.water.services import rain_totals
from smartcounty.domains.weather import live
from smartcounty.foundation.sensing import services as sensing

T0 = datetime(2026, 7, 20, 0, tzinfo=UTC)


@pytest.fixture
def gauges(db):
    sensing.sync_observed_properties()
    out = []
    for k in range(3):
        thing = sensing.create_thing(f"rain-j{k}", f"测试雨量站{k}", lon=115.4 + k / 100, lat=36.4, kind="rain")
        out.append(sensing.create_datastream(thing, "rainfall", expected_interval_s=300).id)
    return out


def _stored(ids, at):
    """Every stored (time, mm) of each gauge in the 12 h up to ``at``, read row by row (the reference)."""
    start, end = sensing.to_ms(at - timedelta(hours=12)) - 1, sensing.to_ms(at) + 2
    return {ds: [(sensing.from_ms(r[0]), r[2]) for r in sensing.observations(ds, start, end, limit=100_000)]
            for ds in ids}


# minutes on and next to the window edges of an ``at`` 12 h after T0 (and a later ``at`` with microseconds)
offsets = st.one_of(st.integers(0, 13 * 3600_000), st.sampled_from([h * 3600_000 + d for h in (0, 6, 9, 11, 12)
                                                                     for d in (-1, 0, 1)]))
rain = st.lists(st.tuples(st.integers(0, 2), offsets, st.one_of(st.none(), st.sampled_from([0.0, 0.1, 0.2, 2.5]),
                                                                  st.floats(0, 30, allow_nan=False))),
                max_size=50, unique_by=lambda p: (p[0], p[1]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(points=rain, shift_us=st.sampled_from([0, 1, 500, 999, 1000, 123_456]))
def test_rain_totals_by_gauge_equal_rain_totals_of_the_rows(gauges, points, shift_us):
    at = T0 + timedelta(hours=12, microseconds=shift_us)
    with transaction.atomic():
        items = [{"datastream": gauges[k], "phenomenonTime": sensing.to_ms(T0) + ms, "result": v} for k, ms, v in points]
        sensing.ingest(items, source="test", publish=False)
        got = live.rain_totals_by_gauge(at)
        want = {}
        for ds, series in _stored(gauges, at).items():
            totals = rain_totals(series, at, windows=(1, 3, 6, 12))
            if totals[1] > 0:  # rained in the last hour
                want[ds] = totals
        assert set(got) == set(want)
        for ds, totals in want.items():
            assert got[ds] == pytest.approx(totals, abs=1e-9)
        transaction.set_rollback(True)


def test_a_negative_rain_amount_never_reaches_the_judge(gauges):
    """Sensing rejects it at ingest (rainfall's plausible range starts at 0), so the judge sees no rain."""
    res = sensing.ingest([{"datastream": gauges[0], "phenomenonTime": (T0 + timedelta(hours=5)).isoformat(),
                           "result": -1.0}], source="test", publish=False)
    assert res.statuses() == ["rejected"] and "plausible range" in res.errors()[0]["error"]
    assert live.rain_totals_by_gauge(T0 + timedelta(hours=6)) == {}


@pytest.mark.django_db
def test_the_weather_station_counts_not_a_bench_thermometer():
    sensing.sync_observed_properties()
    bench = sensing.create_thing("bench-j", "测试台", lon=115.44, lat=36.48, kind="bench")
    hot = sensing.create_datastream(bench, "temperature", expected_interval_s=60)
    gusty = sensing.create_datastream(bench, "wind_speed", expected_interval_s=60)
    at = T0 + timedelta(hours=30)
    sensing.ingest([{"datastream": hot.id, "phenomenonTime": (at - timedelta(hours=1)).isoformat(), "result": 41.0},
                    {"datastream": gusty.id, "phenomenonTime": at.isoformat(), "result": 25.0}],
                   source="test", publish=False)
    # no weather station yet: the other things' readings are all the county has
    assert live.heat(at).level == "red" and live.gale(at) is not None
    station = sensing.create_thing("weather-j", "测试气象站", lon=115.43, lat=36.49, kind="weather")
    temp = sensing.create_datastream(station, "temperature", expected_interval_s=60)
    wind = sensing.create_datastream(station, "wind_speed", expected_interval_s=60)
    sensing.ingest([{"datastream": temp.id, "phenomenonTime": (at - timedelta(hours=2)).isoformat(), "result": 30.0},
                    {"datastream": wind.id, "phenomenonTime": at.isoformat(), "result": 3.0}],
                   source="test", publish=False)
    assert live.heat(at) is None and live.gale(at) is None
    assert live.rain_totals_by_gauge(at) == {}


class FakeTime:
    def __init__(self):
        self.now = 100.0
        self.pending = []

    def clock(self):
        return self.now

    def later(self, delay, fn):
        self.pending.append((self.now + delay, fn))

    def run_due(self):
        due = [p for p in self.pending if p[0] <= self.now]
        self.pending = [p for p in self.pending if p[0] > self.now]
        for _, fn in due:
            fn()


def test_a_burst_of_history_is_judged_once_a_second_and_its_last_batch_always():
    judged = []
    t = FakeTime()
    pacer = live.Pacer(judged.append, clock=t.clock, later=t.later)
    times = [T0 + timedelta(minutes=15 * k) for k in range(300)]  # each batch a quarter hour further
    for at in times:  # 300 batches in 3 s of wall clock
        pacer.offer(at)
        t.now += 0.01
        t.run_due()
    assert judged[0] == times[0]
    assert 3 <= len(judged) <= 5  # about one a second, not 300
    assert len(t.pending) <= 1  # never more than one timer
    t.now += 1.0
    t.run_due()
    assert judged[-1] == times[-1]  # the final state is judged
    assert not t.pending and pacer.flush() is False


def test_the_same_minute_is_judged_once_and_a_quiet_stream_at_once():
    judged = []
    t = FakeTime()
    pacer = live.Pacer(judged.append, clock=t.clock, later=t.later)
    at = T0 + timedelta(seconds=10)
    assert pacer.offer(at) is True
    t.now += 5
    assert pacer.offer(at + timedelta(seconds=20)) is False  # the same minute
    assert pacer.offer(at + timedelta(minutes=1)) is True  # a new minute, 5 s after the last judging
    assert judged == [at, at + timedelta(minutes=1)] and not t.pending
    assert pacer.offer(at + timedelta(minutes=2), every=0.0) is True  # inline: no pace


def test_the_held_minute_is_judged_by_the_timer_thread():
    judged, done = [], threading.Event()

    def judge(at):
        judged.append(at)
        if len(judged) == 2:
            done.set()

    pacer = live.Pacer(judge)
    pacer.offer(T0)
    assert pacer.offer(T0 + timedelta(minutes=1), every=0.2) is False  # held: judged 0.2 s after the first
    assert done.wait(10)
    assert judged == [T0, T0 + timedelta(minutes=1)]
