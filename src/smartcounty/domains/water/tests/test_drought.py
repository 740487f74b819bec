"""Drought watch on live rain data: coverage rule, normals, grades and the county alert."""

from datetime import UTC, datetime, timedelta

import pytest

from smartcounty.domains.water import drought
from smartcounty.domains.water.levels import EXTREME, LIGHT, MODERATE, NO_DROUGHT
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 7, 31, 6, 0, tzinfo=UTC)  # 14:00 Beijing; window: July 1–30 (Beijing)


@pytest.fixture
def gauges():
    sensing.sync_observed_properties()
    out = []
    for i in range(2):
        thing = sensing.create_thing(f"rain-dr-{i}", f"测试雨量站{i}", lon=115.4 + i / 10, lat=36.5, kind="rain")
        out.append(sensing.create_datastream(thing, "rainfall", expected_interval_s=3600))
    return out


def _rain(ds, daily_mm, days=30, end=NOW):
    """``daily_mm`` spread over 4 readings a day for ``days`` days before ``end``'s Beijing day."""
    midnight = sensing.from_ms(sensing.bucket_start(sensing.to_ms(end), "1day"))
    items = []
    for d in range(1, days + 1):
        for h in (1, 7, 13, 19):
            at = midnight - timedelta(days=d) + timedelta(hours=h)
            items.append({"datastream": ds.id, "phenomenonTime": at.isoformat(), "result": daily_mm / 4})
    sensing.ingest(items, source="test")


def test_normal_of_july_is_the_monthly_normal():
    start = datetime(2026, 6, 30, 16, tzinfo=UTC)  # 2026-07-01 00:00 Beijing
    assert drought.normal_for(start, 31) == pytest.approx(drought.DEFAULT_NORMALS_MM[6])
    assert drought.normal_for(start, 30) == pytest.approx(drought.DEFAULT_NORMALS_MM[6] * 30 / 31)


def test_configured_normals(settings):
    settings.SMARTCOUNTY_RAIN_NORMALS_MM = [10] * 12
    assert drought.normals() == ((10.0,) * 12, True)
    settings.SMARTCOUNTY_RAIN_NORMALS_MM = [10] * 11  # malformed: the defaults
    assert drought.normals()[1] is False


def test_no_gauges_or_too_little_data_is_no_verdict(gauges):
    assert drought.status(NOW).watch is None
    _rain(gauges[0], 0.0, days=10)  # a new gauge: 10 dry days are not a drought
    s = drought.status(NOW)
    assert s.watch is None and s.gauges == 0 and s.gauges_short == 1
    assert drought.assess_drought(NOW).watch is None
    assert alerts.find_open_alert(drought.SOURCE, drought.KEY) is None


def test_grades_and_alert_follow_the_rain(gauges):
    normal = drought.normal_for(drought.status(NOW).start)
    # Both gauges at 30 % of normal: Pa = -70 → moderate.
    for ds in gauges:
        _rain(ds, normal * 0.3 / 30)
    s = drought.assess_drought(NOW)
    assert s.gauges == 2 and s.watch.grade == MODERATE
    assert s.watch.anomaly_percent == pytest.approx(-70, abs=0.5)
    alert = alerts.find_open_alert(drought.SOURCE, drought.KEY)
    assert alert.level == MODERATE
    # A wet month (both gauges twice the normal): no drought, the alert is resolved.
    later = NOW + timedelta(days=30)
    normal2 = drought.normal_for(drought.status(later).start)
    for ds in gauges:
        _rain(ds, normal2 * 2 / 30, end=later)
    s = drought.assess_drought(later)
    assert s.watch.grade == NO_DROUGHT
    assert alerts.find_open_alert(drought.SOURCE, drought.KEY) is None


def test_the_county_is_the_mean_of_its_gauges(gauges):
    normal = drought.normal_for(drought.status(NOW).start)
    _rain(gauges[0], 0.0)
    _rain(gauges[1], normal * 1.0 / 30)  # mean = 50 % of normal → Pa -50: light
    assert drought.status(NOW).watch.grade == LIGHT
    _rain(gauges[1], 0.0, end=NOW + timedelta(days=30))
    _rain(gauges[0], 0.0, end=NOW + timedelta(days=30))
    assert drought.status(NOW + timedelta(days=30)).watch.grade == EXTREME


def test_page_shows_the_drought_watch(client, gauges):
    now = datetime.now(UTC)
    normal = drought.normal_for(drought.status(now).start)
    for ds in gauges:
        _rain(ds, normal * 0.3 / 30, end=now)
    html = client.get("/water/").content.decode()
    assert 'id="drought"' in html and "中旱" in html
