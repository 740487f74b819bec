"""Live county signals from station data, kept as alerts (issued, upgraded, cancelled), and the public page."""

from datetime import UTC, datetime, timedelta

import pytest

from smartcounty.domains.weather import live
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing

pytestmark = pytest.mark.django_db


@pytest.fixture
def stations():
    sensing.sync_observed_properties()
    rain = sensing.create_thing("rain-t", "测试雨量站", lon=115.4, lat=36.4, kind="rain")
    wx = sensing.create_thing("weather-t", "测试气象站", lon=115.43, lat=36.49, kind="weather")
    streams = {"rainfall": sensing.create_datastream(rain, "rainfall", expected_interval_s=300)}
    for code in ("wind_speed", "wind_gust", "visibility", "humidity", "temperature"):
        streams[code] = sensing.create_datastream(wx, code, expected_interval_s=300)
    return streams


def _send(streams, at, capture, **values):
    with capture(execute=True):
        sensing.ingest([{"datastream": streams[code].id, "phenomenonTime": at.isoformat(), "result": v}
                        for code, v in values.items()], source="test")


def test_rainstorm_signal_issued_upgraded_and_cancelled(stations, django_capture_on_commit_callbacks):
    t0 = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=10)
    cap = django_capture_on_commit_callbacks
    # 10 mm per hour for 5 hours: 50 mm in 6 h but only 30 in 3 h → yellow (6 h ≥ 50 mm)
    for h in range(5):
        _send(stations, t0 + timedelta(hours=h, minutes=30), cap, rainfall=10.0)
    key = live.signal_key("rainstorm")
    found = alerts.find_open_alert("weather", key)
    assert found is not None and found.level == 2
    # an 80 mm burst: the last 3 h hold 10 + 10 + 80 = 100 mm → red
    _send(stations, t0 + timedelta(hours=5, minutes=30), cap, rainfall=80.0)
    assert alerts.find_open_alert("weather", key).level == 4
    # rain stops: nothing in the last hour → cancelled
    _send(stations, t0 + timedelta(hours=7), cap, rainfall=0.0)
    assert alerts.find_open_alert("weather", key) is None


def test_gale_fog_haze_and_heat_from_the_station(stations, django_capture_on_commit_callbacks):
    at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    _send(stations, at, django_capture_on_commit_callbacks, wind_speed=17.5, wind_gust=21.0, visibility=150.0,
          humidity=95.0, temperature=38.0)
    signals = live.judge_all(at)
    assert signals["gale"].level == "yellow"  # mean 17.5 m/s = grade 8
    assert signals["fog"].level == "orange"  # 150 m < 200 m with RH 95 %
    assert signals["heat"].level == "orange"  # 38 ℃ ≥ 37 ℃
    assert signals["haze"] is None  # humid and no PM2.5 measured
    assert alerts.find_open_alert("weather", live.signal_key("fog")).level == 3
    # An hour later, dry air: low visibility is haze, not fog; the wind has dropped.
    later = at + timedelta(minutes=61)
    _send(stations, later, django_capture_on_commit_callbacks, visibility=1500.0, humidity=50.0, wind_speed=3.0,
          wind_gust=5.0)
    signals = live.judge_all(later)
    assert signals["fog"] is None and signals["haze"].level == "orange" and signals["gale"] is None
    assert alerts.find_open_alert("weather", live.signal_key("fog")) is None
    assert alerts.find_open_alert("weather", live.signal_key("gale")) is None


def test_public_page_lists_signals(client, stations, django_capture_on_commit_callbacks,
                                   django_assert_max_num_queries):
    at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=3)
    _send(stations, at, django_capture_on_commit_callbacks, visibility=40.0, humidity=98.0, temperature=20.0)
    with django_assert_max_num_queries(20):
        response = client.get("/weather/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "大雾红色预警信号" in html and "(1204)" in html and "能见度" in html


def test_cold_wave_from_daily_minima(stations, django_capture_on_commit_callbacks):
    now = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=2)
    cap = django_capture_on_commit_callbacks
    # Three days ago the minimum was 9 ℃, yesterday 6 ℃, today -1 ℃ with a grade-6 wind (12 m/s):
    # 24 h drop 7 (< 10, no yellow), 48 h drop 10 ≥ 8 with Tmin ≤ 4 and wind ≥ 5: blue.
    _send(stations, now - timedelta(hours=60), cap, temperature=9.0)
    _send(stations, now - timedelta(hours=30), cap, temperature=6.0)
    _send(stations, now - timedelta(hours=3), cap, temperature=-1.0, wind_speed=12.0)
    assert live.cold_wave(now).level == "blue"
    # A sharper fall today (-5 ℃): 24 h drop 11 ≥ 10, Tmin ≤ 4, wind grade 6: yellow.
    _send(stations, now - timedelta(hours=1), cap, temperature=-5.0)
    assert live.cold_wave(now).level == "yellow"
    assert live.judge_all(now)["cold_wave"].level == "yellow"
    assert alerts.find_open_alert("weather", live.signal_key("cold_wave")).level == 2
