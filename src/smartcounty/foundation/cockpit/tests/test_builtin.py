"""The cockpit's built-in panels over the real sensing services and the alerts/cases events."""

from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps

from smartcounty.foundation.cockpit import panels, services
from smartcounty.foundation.cockpit.schemas import PanelContext
from smartcounty.kernel import events

pytestmark = pytest.mark.skipif(not apps.is_installed("smartcounty.foundation.sensing"), reason="sensing not installed")


def sensing():
    from smartcounty.foundation.sensing import services as s

    return s


@pytest.fixture
def stations(db):
    s = sensing()
    made = []
    for i, (lon, lat, town) in enumerate([(115.45, 36.50, "371525001"), (115.452, 36.502, "371525001"),
                                          (115.60, 36.60, "371525002")]):
        thing = s.create_thing(f"test-air-{i}", f"测试站{i}", lon=lon, lat=lat, kind="air", town_code=town)
        made.append((s.create_datastream(thing, "aqi", expected_interval_s=3600),
                     s.create_datastream(thing, "pm25", expected_interval_s=3600)))
    now = datetime.now(UTC).replace(microsecond=0)
    items = []
    for n, (aqi, pm) in enumerate(made):
        items.append({"datastream": aqi.id, "phenomenonTime": now.isoformat(), "result": [40, 60, 200][n]})
        if n < 2:  # the third station's PM2.5 never reported: that thing is partly offline
            items.append({"datastream": pm.id, "phenomenonTime": now.isoformat(), "result": 30})
    s.ingest(items, source="http")
    return made


def ctx(**kw):
    return PanelContext(bbox=services.COUNTY_BBOX, limit=1000, **kw)


def test_sensors_online_counts_datastreams(stations):
    data = panels.sensors_online(ctx())
    assert data["value"] == 5 and data["unit"] == "/ 6" and data["level"] == "bad"


def test_air_quality_town_and_county(stations):
    assert panels.air_quality(ctx())["value"] == 100  # (40 + 60 + 200) / 3
    town = panels.air_quality(ctx(town_code="371525001"))
    assert town["value"] == 50 and town["level"] == "ok" and town["unit"] == "AQI"
    other = panels.air_quality(ctx(town_code="371525009"))
    assert other["value"] == 100 and other["note"]


def test_air_quality_falls_back_to_raw_pm25_without_aqi_streams(db):
    s = sensing()
    thing = s.create_thing("test-pm-1", "测试站", lon=115.45, lat=36.50, kind="air")
    ds = s.create_datastream(thing, "pm25", expected_interval_s=3600)
    s.ingest([{"datastream": ds.id, "phenomenonTime": datetime.now(UTC).isoformat(), "result": 80}], source="http")
    data = panels.air_quality(ctx())
    assert data["value"] == 80 and data["unit"] == "μg/m³" and "PM2.5" in data["title"] and data["level"] == "warn"


def test_air_quality_without_stations_says_no_data(db):
    assert panels.air_quality(ctx())["value"] is None


@pytest.mark.skipif(not apps.is_installed("smartcounty.foundation.places"), reason="places not installed")
def test_alert_without_a_thing_is_placed_at_its_town(db):
    from smartcounty.foundation.places import services as places
    from smartcounty.kernel import registry

    registry.demo_loaders.get("places").load()
    town = places.towns()[0]
    events.deliver("alerts.raised", alert_fact(3, town=town.code))
    (p,) = panels.alert_points(ctx())["points"]
    assert town.bbox[0] <= p["lon"] <= town.bbox[2] and town.bbox[1] <= p["lat"] <= town.bbox[3]


def test_sensor_points_one_per_thing_coloured_by_state(stations):
    data = panels.sensor_points(ctx())
    assert data["total"] == 3
    by_name = {p["label"]: p for p in data["points"]}
    assert by_name["测试站0"]["state"] == "ok" and by_name["测试站2"]["state"] == "warn"
    only_east = panels.sensor_points(PanelContext(bbox=(115.55, 36.55, 115.65, 36.65), limit=1000))
    assert [p["label"] for p in only_east["points"]] == ["测试站2"]


def test_sensor_points_become_cells_when_too_many(stations):
    from django.core.cache import cache

    cache.clear()
    data = panels.sensor_points(PanelContext(bbox=services.COUNTY_BBOX, limit=2))
    assert data["points"] == [] and data["total"] == 6  # sensors: two datastreams per station
    assert sum(c["count"] for c in data["cells"]) == 6
    # the two western stations share a cell, the third has its own; its PM2.5 never reported
    by_count = {c["count"]: c for c in data["cells"]}
    assert sorted(by_count) == [2, 4] and by_count[4]["state"] == "ok" and by_count[2]["state"] == "warn"
    w, s, e, n = services.COUNTY_BBOX
    cell = by_count[2]  # its centre is the centre of the cell holding (115.60, 36.60)
    cw, ch = (e - w) / panels.CELLS_PER_SIDE, (n - s) / panels.CELLS_PER_SIDE
    assert abs(cell["lon"] - (w + (int((115.60 - w) / cw) + 0.5) * cw)) < 1e-4
    assert abs(cell["lat"] - (s + (int((36.60 - s) / ch) + 0.5) * ch)) < 1e-4
    for c in data["cells"]:
        assert services.COUNTY_BBOX[0] <= c["lon"] <= services.COUNTY_BBOX[2]


def test_a_wide_view_is_answered_from_the_cache_until_its_time_is_up(stations, django_assert_num_queries):
    first = panels.sensor_points(PanelContext(bbox=services.COUNTY_BBOX, limit=2))
    with django_assert_num_queries(0):  # neither the count nor the cells are asked again
        again = panels.sensor_points(PanelContext(bbox=services.COUNTY_BBOX, limit=2))
    assert again == first and again["total"] == 6
    # A viewer allowed more points than the kept total gets the points, not the kept cells.
    points = panels.sensor_points(PanelContext(bbox=services.COUNTY_BBOX, limit=1000))
    assert points["total"] == 3 and len(points["points"]) == 3 and "cells" not in points


def test_sensors_by_property_chart(stations):
    data = panels.sensors_by_property(ctx())
    assert data["type"] == "bar" and len(data["categories"]) == 2
    online, offline = data["series"]
    assert sum(online["data"]) == 5 and sum(offline["data"]) == 1


def alert_fact(alert_id, *, level=3, state="raised", thing_id=None, town="371525001", org=None, minutes=0,
               public=True):
    return {"event_id": alert_id * 10, "alert_id": alert_id, "event": "raised" if state == "raised" else state,
            "state": state, "level": level, "previous_level": None, "rule_id": None, "source": "rule", "key": "k",
            "title": f"PM2.5 偏高 {alert_id}", "property": "pm25", "thing_id": thing_id, "datastream_id": None,
            "town": town, "grid": None, "organisation_id": org, "value": 180.0,
            "at": datetime.now(UTC) + timedelta(minutes=minutes), "actor_id": None, "public": public}


def test_alert_events_feed_the_live_list_and_the_map(stations):
    thing_id = stations[0][0].thing_id
    events.deliver("alerts.raised", alert_fact(1, level=4, thing_id=thing_id))
    events.deliver("alerts.raised", alert_fact(2, level=2, minutes=1, thing_id=stations[2][0].thing_id))
    feed = panels.alert_feed(ctx())["items"]
    assert [i["title"] for i in feed] == ["PM2.5 偏高 2", "PM2.5 偏高 1"]
    assert feed[1]["level"] == "bad"
    pts = panels.alert_points(ctx())
    assert pts["total"] == 2
    located = {p["id"]: p for p in pts["points"]}
    assert (located["1"]["lon"], located["1"]["lat"]) == (115.45, 36.50)  # the thing's own position
    assert [w["title"] for w in panels.warnings(ctx())["items"]] == ["PM2.5 偏高 1"]
    # an alert that is not a public warning (an enterprise's power use, a farm's pests) stays with staff
    events.deliver("alerts.raised", alert_fact(3, level=4, minutes=1, public=False) | {"title": "企业用电异常"})
    assert [w["title"] for w in panels.warnings(ctx())["items"]] == ["PM2.5 偏高 1"]
    assert "企业用电异常" in [i["title"] for i in panels.alert_feed(ctx())["items"]]
    events.deliver("alerts.resolved", alert_fact(3, level=4, state="resolved", minutes=2, public=False))
    # resolving it takes it off the map and the warnings, and the feed says so
    events.deliver("alerts.resolved", alert_fact(1, level=4, state="resolved", thing_id=thing_id, minutes=2))
    assert panels.alert_points(ctx())["total"] == 1
    assert panels.warnings(ctx())["items"] == []
    assert panels.alert_feed(ctx())["items"][0]["level"] == "ok"


def test_alert_event_delivered_twice_is_one_item(stations):
    fact = alert_fact(7)
    events.deliver("alerts.raised", fact)
    events.deliver("alerts.raised", fact)
    assert len(panels.alert_feed(ctx())["items"]) == 1


def test_case_events_are_items(db):
    events.deliver("cases.created", {"id": 5, "number": "CG-1", "case_type": "citymgmt.event", "category": "道路破损",
                                     "state": "reported", "organisation_id": None, "queue_organisation_id": None,
                                     "grid_code": "", "due_at": None})
    events.deliver("cases.overdue", {"id": 5, "number": "CG-1", "case_type": "citymgmt.event", "category": "道路破损",
                                     "state": "dispatched", "organisation_id": None, "queue_organisation_id": 3,
                                     "grid_code": "", "due_at": None})
    from smartcounty.foundation.cockpit.models import LiveItem

    item = LiveItem.objects.get(source="cases", ref="5")
    assert item.level == 3 and item.is_open and item.organisation_id == 3 and item.title == "CG-1 道路破损"
    events.deliver("cases.closed", {"id": 5, "number": "CG-1", "case_type": "x", "category": "道路破损",
                                    "state": "closed", "organisation_id": None, "queue_organisation_id": None,
                                    "grid_code": "", "due_at": None})
    item.refresh_from_db()
    assert not item.is_open


def test_narrow_and_wide_views_count_the_same_sensors(stations):
    from django.core.cache import cache

    narrow = (115.40, 36.45, 115.50, 36.55)  # holds the two western stations (4 sensors)
    assert not panels._is_wide(narrow) and panels._is_wide(services.COUNTY_BBOX)
    data = panels.sensor_points(PanelContext(bbox=narrow, limit=1))
    assert data["total"] == 4 and sum(c["count"] for c in data["cells"]) == 4
    cache.clear()
    wide = panels.sensor_points(PanelContext(bbox=services.COUNTY_BBOX, limit=1))
    assert sum(c["count"] for c in wide["cells"]) == wide["total"] == 6


def test_map_counts_read_sensings_map_index_only(stations):
    """Sensors per cell and per thing are answered from the covering index ``sensing_ds_map`` (the plan on
    SQLite; PostgreSQL's planner picks by table statistics, so it is checked by hand: see the migration)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("query plans checked on SQLite")
    plans = []
    for bbox, limit in ((services.COUNTY_BBOX, 1), ((115.40, 36.45, 115.50, 36.55), 1), (services.COUNTY_BBOX, 100)):
        cache.clear()
        with CaptureQueriesContext(connection) as seen:
            panels.sensor_points(PanelContext(bbox=bbox, limit=limit))
        for q in seen.captured_queries:
            if "GROUP BY" in q["sql"] and "JOIN" not in q["sql"]:
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN QUERY PLAN " + q["sql"])
                    plans.append(" ".join(r[-1] for r in cur.fetchall()))
    assert len(plans) == 5  # cells of the county and of a narrow view; per thing (counted, then listed)
    assert all("COVERING INDEX sensing_ds_map" in p for p in plans), plans


@pytest.mark.skipif(not apps.is_installed("smartcounty.foundation.alerts"), reason="alerts not installed")
def test_alerts_to_acknowledge_are_my_organisations_and_most_severe_first(staff_a, staff_b, orgs, make_user):
    a, b = orgs
    events.deliver("alerts.raised", alert_fact(11, level=2, org=a.pk))
    events.deliver("alerts.raised", alert_fact(12, level=4, org=a.pk, minutes=1))
    events.deliver("alerts.raised", alert_fact(13, level=4, org=b.pk))
    events.deliver("alerts.changed", alert_fact(14, level=3, org=a.pk, state="acknowledged"))

    def titles(user):
        return [i["title"] for i in panels.alerts_to_acknowledge(
            PanelContext(user=user, organisation_id=user.organisation_id))["items"]]

    assert titles(staff_a) == ["PM2.5 偏高 12", "PM2.5 偏高 11"]
    assert titles(staff_b) == ["PM2.5 偏高 13"]
    assert titles(make_user("gw", "grid_worker", a)) == []  # may not acknowledge alerts
    admin = make_user("pa", "platform_admin")
    assert len(titles(admin)) == 3
