from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.foundation.sensing import services
from smartcounty.foundation.sensing.models import HealthEvent
from smartcounty.kernel import events

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 27, 15, 50, tzinfo=UTC)  # 23:50 in Beijing: the day ends ten minutes later


@pytest.fixture
def across_midnight(network):
    ds = network["pm25_1"]
    items = [{"datastream": ds.id, "phenomenonTime": (T0 + timedelta(minutes=i)).isoformat(), "result": float(i)}
             for i in range(20)]
    assert services.ingest(items, source="http").created == 20
    return ds


@pytest.mark.django_db
def test_daily_buckets_split_at_beijing_midnight(across_midnight):
    start, end = services.to_ms(T0 - timedelta(days=1)), services.to_ms(T0 + timedelta(days=1))
    rows = services.aggregate(across_midnight.id, start, end, "1day")
    assert [(r["start"], r["count"], r["min"], r["max"], r["mean"]) for r in rows] == [
        (datetime(2026, 11, 26, 16, tzinfo=UTC), 10, 0.0, 9.0, 4.5),    # 27 Nov, Beijing
        (datetime(2026, 11, 27, 16, tzinfo=UTC), 10, 10.0, 19.0, 14.5),  # 28 Nov, Beijing
    ]
    assert rows[1]["start"].astimezone(SHANGHAI).hour == 0


@pytest.mark.django_db
def test_hourly_and_five_minute_buckets(across_midnight):
    start, end = services.to_ms(T0), services.to_ms(T0 + timedelta(hours=1))
    hourly = services.aggregate(across_midnight.id, start, end, "1h")
    assert [(r["start"].hour, r["count"]) for r in hourly] == [(15, 10), (16, 10)]
    five = services.aggregate(across_midnight.id, start, end, "5min")
    assert [r["count"] for r in five] == [5, 5, 5, 5]
    assert [r["mean"] for r in five] == [2.0, 7.0, 12.0, 17.0]
    # the range is half-open: [start, end)
    part = services.aggregate(across_midnight.id, start + 60_000, start + 5 * 60_000, "1h")
    assert part[0]["count"] == 4


@pytest.mark.django_db
def test_bad_bucket_or_range_is_refused(across_midnight):
    from smartcounty.kernel.problems import ApiError

    with pytest.raises(ApiError):
        services.aggregate(across_midnight.id, 0, 10, "week")
    with pytest.raises(ApiError):
        services.aggregate(across_midnight.id, 10, 10, "1h")


@given(st.integers(min_value=946684800000, max_value=4102444800000), st.sampled_from(["5min", "1h", "1day"]))
def test_bucket_start_matches_beijing_wall_clock(ms, bucket):
    start = services.bucket_start(ms, bucket)
    width = services.BUCKETS[bucket]
    assert start <= ms < start + width
    local = datetime.fromtimestamp(ms / 1000, UTC).astimezone(SHANGHAI)
    if bucket == "1day":
        expected = local.replace(hour=0, minute=0, second=0, microsecond=0)
    elif bucket == "1h":
        expected = local.replace(minute=0, second=0, microsecond=0)
    else:
        expected = local.replace(minute=local.minute - local.minute % 5, second=0, microsecond=0)
    assert start == round(expected.timestamp() * 1000)


@given(st.integers(min_value=946684800000, max_value=4102444800000), st.integers(min_value=0, max_value=10**9))
def test_bucket_start_is_monotonic(ms, step):
    for bucket in services.BUCKETS:
        assert services.bucket_start(ms, bucket) <= services.bucket_start(ms + step, bucket)


@pytest.mark.django_db
def test_observations_range_is_half_open_and_ordered(across_midnight):
    start, end = services.to_ms(T0 + timedelta(minutes=5)), services.to_ms(T0 + timedelta(minutes=8))
    rows = services.observations(across_midnight.id, start, end)
    assert services.count_observations(across_midnight.id, start, end) == 3 and [r[2] for r in rows] == [5.0, 6.0, 7.0]
    rows = services.observations(across_midnight.id, newest_first=True, limit=2)
    assert services.count_observations(across_midnight.id) == 20 and [r[2] for r in rows] == [19.0, 18.0]


@pytest.mark.django_db
def test_latest_filters(network):
    now = datetime.now(UTC)
    services.ingest([{"datastream": d.id, "phenomenonTime": now.isoformat(), "result": 1.0}
                     for d in network.values()], source="http")
    ids = lambda rows: [r.id for r in rows]  # noqa: E731
    n = network
    assert ids(services.latest_values(property_code="pm25")) == sorted([n["pm25_1"].id, n["pm25_2"].id])
    assert ids(services.latest_values(town="371525101")) == [n["pm25_2"].id]
    assert ids(services.latest_values(grid="37152500100001")) == sorted([n["pm25_1"].id, n["pm10_1"].id])
    assert ids(services.latest_values(thing_id=n["level"].thing_id)) == [n["level"].id]
    assert ids(services.latest_values(bbox=(115.5, 36.3, 115.7, 36.45))) == [n["pm25_2"].id]
    assert ids(services.latest_values(online=True)) == ids(services.latest_values())
    assert ids(services.latest_values(thing_kind="water")) == [n["level"].id]
    assert ids(services.latest_values(property_codes=["pm10", "water_level"])) == sorted(
        [n["pm10_1"].id, n["level"].id])
    one = services.latest_values(ids=[n["level"].id]).first()
    assert (one.thing_name, one.thing_kind, one.last_value, one.property_code) == ("卫运河水位站", "water", 1.0,
                                                                                   "water_level")


@pytest.fixture
def health_seen():
    got = []

    def handler(name, payload):
        got.append((name, payload))

    events.subscribe(services.OFFLINE, handler, module="test")
    events.subscribe(services.ONLINE, handler, module="test")
    yield got
    events.unsubscribe(services.OFFLINE, handler)
    events.unsubscribe(services.ONLINE, handler)


@pytest.mark.django_db
def test_silent_datastream_goes_offline_and_comes_back(network, health_seen, django_capture_on_commit_callbacks):
    ds = network["pm25_1"]  # expected every 60 s
    last = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        services.ingest([{"datastream": ds.id, "phenomenonTime": last.isoformat(), "result": 3}], source="http")
    assert [(n, p.online) for n, p in health_seen] == [(services.ONLINE, True)]
    limit = last + timedelta(seconds=60 * services.GRACE)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.check_health(limit) == []  # exactly at the limit: still online
        assert services.check_health(limit + timedelta(milliseconds=1)) == [ds.id]
        assert services.check_health(limit + timedelta(minutes=5)) == []  # already offline: no second event
    ds.refresh_from_db()
    assert not ds.online
    name, payload = health_seen[-1]
    assert name == services.OFFLINE and payload.datastream_id == ds.id and not payload.online
    assert payload.town == "371525001" and abs((payload.last_time - last).total_seconds()) < 0.001
    with django_capture_on_commit_callbacks(execute=True):
        services.ingest([{"datastream": ds.id, "phenomenonTime": datetime.now(UTC).isoformat(), "result": 4}],
                        source="http")
    assert health_seen[-1][0] == services.ONLINE
    assert list(HealthEvent.objects.filter(datastream=ds).order_by("id").values_list("online", flat=True)) == [
        True, False, True]
    # datastreams that never reported stay as they are (offline since creation, no event)
    assert not any(p.datastream_id == network["level"].id for _, p in health_seen)


@pytest.mark.django_db
def test_datastream_info_for_other_modules(network):
    ds = network["level"]
    one = services.datastream_info(ds.id)
    assert one["thing_name"] == "卫运河水位站" and one["property_code"] == "water_level" and one["last_time"] is None
    many = services.datastreams_info([ds.id, network["pm25_1"].id, 999999])
    assert sorted(r["id"] for r in many) == sorted([ds.id, network["pm25_1"].id])
    assert services.datastream_info(999999) is None


@pytest.mark.django_db
def test_rollup_matches_the_observations_for_unaligned_ranges(network):
    """Hourly and daily aggregates come from the rollup plus raw edges: they must equal a raw computation."""
    import random

    ds = network["level"]
    rnd = random.Random(5)
    base = services.to_ms(datetime(2026, 11, 20, 13, 17, tzinfo=UTC))
    items = [{"datastream": ds.id, "phenomenonTime": base + k * 97_000 + rnd.randint(0, 5000),
              "result": round(rnd.uniform(30, 45), 2)} for k in range(3000)]
    services.ingest(items[:1500], source="http")
    services.ingest(items[1000:], source="mqtt")  # overlapping batch: duplicates must not be counted twice
    values = sorted((it["phenomenonTime"], it["result"])
                    for it in items)
    for start, end in ((base - 3_600_000, base + 4 * 86_400_000), (base + 1234567, base + 2 * 86_400_000 + 999)):
        for bucket in ("1h", "1day"):
            got = services.aggregate(ds.id, start, end, bucket)
            want: dict = {}
            for ms, v in values:
                if start <= ms < end:
                    want.setdefault(services.bucket_start(ms, bucket), []).append(v)
            assert [services.to_ms(r["start"]) for r in got] == sorted(want)
            for r in got:
                vs = want[services.to_ms(r["start"])]
                assert r["count"] == len(vs) and r["min"] == min(vs) and r["max"] == max(vs)
                assert r["mean"] == pytest.approx(sum(vs) / len(vs))
