"""Live AQI as observations arrive (stored through sensing) and the county warning as an alert, on a real DB."""

from datetime import UTC, datetime, timedelta

import pytest

from smartcounty.domains.environment import live
from smartcounty.domains.environment.aqi import HJ633_2026, iaqi
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing

pytestmark = pytest.mark.django_db

HOUR = 3_600_000


def _hour(ms):
    return ms // HOUR * HOUR


@pytest.fixture
def station():
    sensing.sync_observed_properties()
    thing = sensing.create_thing("air-test", "测试空气站", lon=115.44, lat=36.48, kind="air", town_code="371525001")
    # One value every 15 minutes: an hourly mean needs 3 of them (45 minutes).
    return {code: sensing.create_datastream(thing, code, expected_interval_s=900) for code in live.AIR}


def _send(streams, hour_ms, values, minutes=(0, 15, 30, 45)):
    items = [{"datastream": streams[code].id, "phenomenonTime": live._iso(hour_ms + m * 60_000), "result": v}
             for code, v in values.items() for m in minutes]
    return sensing.ingest(items, source="test")


def _stored(thing_id):
    ds = sensing.latest_values(thing_id=thing_id, property_code="aqi").first()
    if ds is None:
        return {}
    return {row[0]: row[2] for row in sensing.observations(ds.id)}


def test_hourly_aqi_is_stored_when_the_next_hour_starts(station, django_capture_on_commit_callbacks):
    h0 = _hour(sensing.to_ms(datetime.now(UTC))) - 3 * HOUR
    values = {"pm25": 75, "pm10": 100, "so2": 10, "no2": 20, "co": 0.5, "o3": 50}
    thing_id = station["pm25"].thing_id
    with django_capture_on_commit_callbacks(execute=True):
        _send(station, h0, values)
    assert _stored(thing_id) == {}  # the hour is not over yet
    with django_capture_on_commit_callbacks(execute=True):
        _send(station, h0 + HOUR, {"pm25": 30}, minutes=(0,))
    expected = iaqi("PM2_5_1H", 75, HJ633_2026)
    assert expected == 114
    assert _stored(thing_id) == {h0: expected}
    # Idempotent: computing the hour again stores nothing new.
    assert live.station_hour_aqi(thing_id, h0) is None
    assert len(_stored(thing_id)) == 1


def test_an_hour_with_too_little_data_has_no_aqi(station, django_capture_on_commit_callbacks):
    h0 = _hour(sensing.to_ms(datetime.now(UTC))) - 5 * HOUR
    thing_id = station["pm25"].thing_id
    with django_capture_on_commit_callbacks(execute=True):
        _send(station, h0, {"pm25": 80}, minutes=(0, 15))  # 30 minutes of data
        _send(station, h0 + HOUR, {"pm25": 80}, minutes=(0,))
    assert _stored(thing_id) == {}


def _days(station, end_ms, daily_pm25):
    """Hourly PM2.5 (one value per hour, interval 3600 s) for consecutive days ending at end_ms."""
    ds = station["pm25"]
    start = end_ms - len(daily_pm25) * 24 * HOUR
    items = []
    for d, v in enumerate(daily_pm25):
        for h in range(24):
            items.append({"datastream": ds.id, "phenomenonTime": live._iso(start + (d * 24 + h) * HOUR),
                          "result": v})
    sensing.ingest(items, source="test", publish=False)


@pytest.fixture
def hourly_station():
    sensing.sync_observed_properties()
    thing = sensing.create_thing("air-hourly", "逐时空气站", lon=115.5, lat=36.4, kind="air", town_code="371525101")
    return {"pm25": sensing.create_datastream(thing, "pm25", expected_interval_s=3600)}


def test_county_warning_issued_upgraded_and_lifted(hourly_station, django_capture_on_commit_callbacks):
    end = _hour(sensing.to_ms(datetime.now(UTC))) - 24 * HOUR * 10
    # Days 1-3 (2026 PM2.5 IAQI): 130 → 172, 200 → 250, 130 → 172: > 150 for 72 h and > 200 for 24 h = orange.
    _days(hourly_station, end, [130, 200, 130])
    result = live.assess_county(end, days=3)
    assert result.level == "orange"
    open_alert = alerts.find_open_alert(live.SOURCE, live.WARNING_KEY)
    assert open_alert is not None and open_alert.level == 3
    # Three more days (IAQI 260, 310, 260): > 200 for 72 h and > 300 for 24 h = red.
    _days(hourly_station, end + 3 * 24 * HOUR, [210, 260, 210])
    assert live.assess_county(end + 3 * 24 * HOUR, days=3).level == "red"
    assert alerts.find_open_alert(live.SOURCE, live.WARNING_KEY).level == 4
    # Clean days: lifted.
    _days(hourly_station, end + 6 * 24 * HOUR, [20, 20, 20])
    assert live.assess_county(end + 6 * 24 * HOUR, days=3).level is None
    assert alerts.find_open_alert(live.SOURCE, live.WARNING_KEY) is None


def test_page_is_public_and_coloured(client, station, django_capture_on_commit_callbacks,
                                     django_assert_max_num_queries):
    h0 = _hour(sensing.to_ms(datetime.now(UTC))) - 2 * HOUR
    with django_capture_on_commit_callbacks(execute=True):
        _send(station, h0, {"pm25": 130, "pm10": 50})  # 2026 PM2.5 IAQI 150 + 15/35*50 → 172: 中度污染, red
        _send(station, h0 + HOUR, {"pm25": 30}, minutes=(0,))
    with django_assert_max_num_queries(8):
        response = client.get("/environment/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "测试空气站" in html and ">172<" in html and "#FF0000" in html and "中度污染" in html
    assert client.get("/environment/?town=371525999").content.decode().count("测试空气站") == 0


def test_page_shows_the_warning(client, hourly_station):
    end = _hour(sensing.to_ms(datetime.now(UTC))) - 24 * HOUR
    _days(hourly_station, end, [130, 200, 130])
    live.assess_county(end, days=3)
    html = client.get("/environment/").content.decode()
    assert "重污染天气橙色预警" in html and "征求意见稿" in html


def test_assessment_stays_quiet_without_data():
    assert live.assess_county(_hour(sensing.to_ms(datetime.now(UTC) - timedelta(days=30))), days=2) is None


def test_hourly_validity_counts_covered_minutes():
    sensing.sync_observed_properties()
    thing = sensing.create_thing("air-fast", "快报空气站", lon=115.45, lat=36.49, kind="air", town_code="371525001")
    ds = sensing.create_datastream(thing, "pm25", expected_interval_s=60)  # declared 1 min, sends every 5 min
    h0 = _hour(sensing.to_ms(datetime.now(UTC))) - 6 * HOUR
    full = [{"datastream": ds.id, "phenomenonTime": live._iso(h0 + m * 60_000), "result": 40} for m in range(0, 60, 5)]
    part = [{"datastream": ds.id, "phenomenonTime": live._iso(h0 + HOUR + m * 60_000), "result": 40}
            for m in range(0, 40, 5)]  # 8 slots = 40 minutes
    edge = [{"datastream": ds.id, "phenomenonTime": live._iso(h0 + 2 * HOUR + m * 60_000), "result": 40}
            for m in range(0, 45, 5)]  # 9 slots = 45 minutes
    sensing.ingest(full + part + edge, source="test", publish=False)
    means = live.hourly_means(ds, h0, h0 + 3 * HOUR)
    assert means == {h0: 40, h0 + 2 * HOUR: 40}
