"""Flood alerts at the warning and guaranteed levels (through sensing and alerts) and the public page."""

from datetime import UTC, datetime, timedelta

import pytest

from smartcounty.domains.water import live
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing

pytestmark = pytest.mark.django_db


@pytest.fixture
def gauge():
    sensing.sync_observed_properties()
    thing = sensing.create_thing("water-test", "卫运河测试水位站", lon=115.3, lat=36.5, kind="water",
                                 town_code="371525106", properties={"warning_level": 40.5, "guarantee_level": 41.8})
    return sensing.create_datastream(thing, "water_level", expected_interval_s=300)


def _level(ds, value, minutes_ago, capture):
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    with capture(execute=True):
        sensing.ingest([{"datastream": ds.id, "phenomenonTime": at.isoformat(), "result": value}], source="test")


def test_flood_alert_raised_upgraded_downgraded_and_resolved(gauge, django_capture_on_commit_callbacks):
    key = f"flood:{gauge.id}"
    _level(gauge, 40.0, 50, django_capture_on_commit_callbacks)
    assert alerts.find_open_alert(live.SOURCE, key) is None
    _level(gauge, 40.5, 40, django_capture_on_commit_callbacks)  # reaching the warning level counts
    assert alerts.find_open_alert(live.SOURCE, key).level == 3
    _level(gauge, 41.9, 30, django_capture_on_commit_callbacks)
    assert alerts.find_open_alert(live.SOURCE, key).level == 4
    _level(gauge, 41.0, 20, django_capture_on_commit_callbacks)
    assert alerts.find_open_alert(live.SOURCE, key).level == 3
    _level(gauge, 40.49, 10, django_capture_on_commit_callbacks)
    assert alerts.find_open_alert(live.SOURCE, key) is None


def test_gauge_without_marks_is_left_alone(django_capture_on_commit_callbacks):
    sensing.sync_observed_properties()
    thing = sensing.create_thing("water-nomarks", "无特征水位站", lon=115.3, lat=36.5, kind="water")
    ds = sensing.create_datastream(thing, "water_level")
    _level(ds, 99.0, 5, django_capture_on_commit_callbacks)
    assert alerts.find_open_alert(live.SOURCE, f"flood:{ds.id}") is None


def test_public_page(client, gauge, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    _level(gauge, 41.0, 5, django_capture_on_commit_callbacks)
    rain_thing = sensing.create_thing("rain-test", "测试雨量站", lon=115.4, lat=36.4, kind="rain")
    rain = sensing.create_datastream(rain_thing, "rainfall")
    now = datetime.now(UTC)
    sensing.ingest([{"datastream": rain.id, "phenomenonTime": (now - timedelta(minutes=m)).isoformat(),
                     "result": 5.0} for m in (10, 100, 200)], source="test", publish=False)
    with django_assert_max_num_queries(13):  # 10 + the water-quality stations: streams, names, water body
        response = client.get("/water/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "卫运河测试水位站" in html and "超警戒水位" in html and "41.00" in html
    # rain totals 1/3/6/12/24 h: 5, 10, 15, 15, 15
    assert "<td>5.0</td><td>10.0</td><td>15.0</td><td>15.0</td><td>15.0</td>" in html.replace("\n", "")


def test_page_rain_totals_are_the_database_sums_of_the_rows(django_assert_max_num_queries):
    """The page's rain totals (``views.rain_rows``: sums by the database, whole hours from the rollup) equal
    ``levels.rain_totals`` over the raw rows, on readings across hour boundaries, with some exactly at a
    window's start (excluded) and at the page's time (included)."""
    from smartcounty.domains.water import views
    from smartcounty.domains.water.levels import RAIN_WINDOWS_H, rain_totals

    sensing.sync_observed_properties()
    at = (datetime.now(UTC) - timedelta(hours=3)).replace(minute=37, second=12, microsecond=345_678)
    whole_ms = at.replace(microsecond=345_000)
    gauges = []
    for i in range(3):
        thing = sensing.create_thing(f"rain-sum-{i}", f"测试雨量站{i}", lon=115.4, lat=36.4 + i / 100, kind="rain")
        gauges.append(sensing.create_datastream(thing, "rainfall"))
    times = [whole_ms - timedelta(minutes=7 * k, seconds=k % 5) for k in range(0, 27 * 60 // 7)]
    times += [whole_ms - timedelta(hours=w) for w in RAIN_WINDOWS_H]  # on each window's start: left out
    times += [whole_ms + timedelta(milliseconds=1)]  # just after the page's time: left out
    times += [(at - timedelta(hours=h)).replace(minute=0, second=0, microsecond=0) for h in range(26)]  # on the hour
    rows = {}
    for n, ds in enumerate(gauges[:2]):
        items = [{"datastream": ds.id, "phenomenonTime": t.isoformat(), "result": round(0.1 * ((k * (n + 3)) % 17), 1)}
                 for k, t in enumerate(sorted(set(times)))]
        sensing.ingest(items, source="test", publish=False)
        rows[ds.id] = [(datetime.fromisoformat(i["phenomenonTime"]), i["result"]) for i in items]
    # gauges[2] never reported: zeros
    with django_assert_max_num_queries(len(RAIN_WINDOWS_H) + 1):
        got = {r["name"]: r["totals"] for r in views.rain_rows(at)}
    for i, ds in enumerate(gauges):
        want = rain_totals(rows.get(ds.id, []), at)
        assert got[f"测试雨量站{i}"] == pytest.approx([want[w] for w in RAIN_WINDOWS_H], abs=1e-9)
    assert got["测试雨量站0"][0] > 0 and got["测试雨量站0"][-1] > got["测试雨量站0"][1]


def test_one_reading_over_the_warning_mark_is_one_alert(gauge, django_capture_on_commit_callbacks):
    """The alerts demo's rules and the water module's own flood alert do not both judge the marks."""
    from smartcounty.kernel import registry

    registry.demo_loaders.get("alerts").load()
    _level(gauge, 41.0, 5, django_capture_on_commit_callbacks)
    assert alerts.find_open_alert(live.SOURCE, f"flood:{gauge.id}").level == 3
    assert sum(alerts.open_alert_counts().values()) == 1
