"""Parking availability: over capacity, sensor offline, stale readings, opening hours; API and page."""

import json
from datetime import UTC, datetime, time, timedelta

import pytest
from django.test import Client

from smartcounty.domains.traffic import panels, parking
from smartcounty.domains.traffic.models import CarPark
from smartcounty.domains.traffic.tests.test_api_pages import signed_in
from smartcounty.foundation.cockpit.schemas import PanelContext
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel.problems import ApiError

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)  # 12:00 Beijing time


def avail(value, *, prop=parking.OCCUPIED, age_s=30, online=True, open_now=True, capacity=100):
    return parking.availability(capacity, value=value, prop=prop, observed=NOW - timedelta(seconds=age_s),
                                online=online, interval_s=60, open_now=open_now, now=NOW)


def test_occupied_and_vacant_readings():
    a = avail(40)
    assert (a.status, a.vacant, a.occupied, a.occupancy, a.over_capacity) == ("available", 60, 40, 0.4, False)
    v = avail(5, prop=parking.VACANT)
    assert (v.status, v.vacant, v.occupied) == ("few", 5, 95)
    assert avail(100).status == "full" and avail(100).vacant == 0


def test_over_capacity_shows_full_with_the_raw_count_flagged():
    a = avail(112)
    assert (a.status, a.vacant, a.occupied, a.occupancy, a.over_capacity) == ("full", 0, 112, 1.0, True)
    v = avail(130, prop=parking.VACANT)  # more vacant than spaces: a miscount, not negative occupancy
    assert v.vacant == 100 and v.occupancy == 0.0


def test_offline_sensor_and_stale_reading_give_no_number():
    for a in (avail(40, online=False), avail(40, age_s=181), avail(None)):
        assert (a.status, a.vacant, a.occupied, a.occupancy) == ("offline", None, None, None)
    assert avail(40, age_s=180).status == "available"  # three intervals is still fresh
    assert parking.availability(100, value=None, prop=None, observed=None, online=False, interval_s=None,
                                open_now=True, now=NOW).status == "offline"


def test_opening_hours_including_past_midnight():
    assert avail(10, open_now=False).status == "closed"
    at = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 23:00 Beijing time
    assert not parking.is_open(time(7), time(22), at)
    assert parking.is_open(time(18), time(2), at) and parking.is_open(None, None, at)


@pytest.fixture
def park(db):
    sensing.sync_observed_properties()
    t = sensing.create_thing("park-1", "测试停车场检测器", lon=115.45, lat=36.48, kind="parking")
    ds = sensing.create_datastream(t, parking.OCCUPIED, expected_interval_s=60)
    parking.create_car_park(code="P1", name="测试停车场", kind="off_street", capacity=50, lon=115.45, lat=36.48,
                            free_minutes=30, hourly_rate=2, datastream_id=ds.id)
    return ds


def test_create_refuses_bad_input_and_writes_nothing(park):
    for kw, field in (({"capacity": 0}, "capacity"), ({"kind": "roof"}, "kind"), ({"lon": 200}, "lon"),
                      ({"opens": time(8)}, "closes"), ({"datastream_id": 999999}, "datastream_id")):
        args = {"code": "P9", "name": "x", "kind": "on_street", "capacity": 10, "lon": 115.4, "lat": 36.4, **kw}
        with pytest.raises(ApiError) as e:
            parking.create_car_park(**args)
        assert e.value.field == field
    with pytest.raises(ApiError) as e:
        parking.create_car_park(code="P1", name="重复", kind="on_street", capacity=5, lon=115.4, lat=36.4)
    assert e.value.status == 409
    assert CarPark.objects.count() == 1


def test_live_api_page_history_and_panel(park, orgs, django_assert_max_num_queries):
    now = datetime.now(UTC)
    sensing.ingest([{"datastream": park.id, "phenomenonTime": (now - timedelta(minutes=m)).isoformat(),
                     "result": 20 + m} for m in (90, 60, 1)], source="test", publish=False)
    c = Client()
    with django_assert_max_num_queries(4):
        body = c.get("/api/v1/traffic/parking").json()
    row = body["items"][0]
    assert body["count"] == 1 and (row["vacant"], row["occupied"], row["status"]) == (29, 21, "available")
    assert row["refresh_interval_s"] == 60 and row["hourly_rate"] == 2.0
    hist = c.get("/api/v1/traffic/parking/P1/history").json()
    assert len(hist) >= 2 and all(0 <= h["occupancy_mean"] <= 1 for h in hist)
    assert c.get("/api/v1/traffic/parking/NOPE/history").status_code == 404
    page = c.get("/traffic/parking/").content.decode()
    assert "测试停车场" in page and "有空位" in page and "北京时间" in page
    assert "29" in c.get("/traffic/parking/live/").content.decode()
    fig = panels.parking_figure(PanelContext())
    assert fig["value"] == 29
    body = {"code": "P2", "name": "新停车场", "kind": "on_street", "capacity": 12, "lon": 115.4, "lat": 36.5}
    post = lambda cl: cl.post("/api/v1/traffic/parking", data=json.dumps(body), content_type="application/json")  # noqa: E731
    assert post(Client()).status_code == 401
    assert post(signed_in(orgs.housing)).status_code == 403
    assert post(signed_in(orgs.transport)).status_code == 201


def test_offline_sensor_on_the_api(park):
    sensing.ingest([{"datastream": park.id, "phenomenonTime": (datetime.now(UTC) - timedelta(minutes=10)).isoformat(),
                     "result": 10}], source="test", publish=False)
    row = Client().get("/api/v1/traffic/parking").json()["items"][0]
    assert row["status"] == "offline" and row["vacant"] is None
