"""API and pages: public road conditions; the network import and incidents only for the transport bureau."""

import json

import pytest
from django.test import Client

from smartcounty.domains.traffic import congestion
from smartcounty.domains.traffic.models import RoadSegment
from smartcounty.domains.traffic.tests.conftest import line, speeds
from smartcounty.domains.traffic.tests.test_congestion import MONDAY_8

pytestmark = pytest.mark.django_db

FC = {"type": "FeatureCollection", "features": [line("API1", "arterial", (115.43, 36.48), (115.44, 36.48))]}


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def signed_in(u):
    c = Client()
    c.force_login(u)
    return c


def test_import_refuses_anonymous_and_other_organisations(orgs):
    assert post(Client(), "/api/v1/traffic/network/import", FC).status_code == 401
    assert post(signed_in(orgs.housing), "/api/v1/traffic/network/import", FC).status_code == 403
    assert post(signed_in(orgs.resident), "/api/v1/traffic/network/import", FC).status_code == 403
    assert not RoadSegment.objects.exists()
    r = post(signed_in(orgs.transport), "/api/v1/traffic/network/import", FC)
    assert r.status_code == 200 and r.json()["created"] == 1


def test_import_errors_are_422_per_feature(orgs):
    bad = {"type": "FeatureCollection", "features": [FC["features"][0], {"type": "Feature", "properties": {}}]}
    r = post(signed_in(orgs.transport), "/api/v1/traffic/network/import", bad)
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == {"code", "name", "class", "geometry"}
    assert not RoadSegment.objects.exists()


def test_stream_mapping_refuses_others(orgs, roads):
    body = {"segment": "A1", "datastream_id": roads["B1"], "source": "detector"}
    assert post(Client(), "/api/v1/traffic/streams", body).status_code == 401
    assert post(signed_in(orgs.housing), "/api/v1/traffic/streams", body).status_code == 403
    r = post(signed_in(orgs.transport), "/api/v1/traffic/streams", body)
    assert r.status_code == 200 and r.json()["created"] is False


def test_incidents_refuse_anonymous_and_other_organisations(orgs, django_assert_max_num_queries):
    assert Client().get("/api/v1/traffic/incidents").status_code == 401
    assert signed_in(orgs.housing).get("/api/v1/traffic/incidents").status_code == 403
    c = signed_in(orgs.transport)
    with django_assert_max_num_queries(12):
        r = c.get("/api/v1/traffic/incidents")
    assert r.status_code == 200 and r.json() == {"items": [], "count": 0}
    assert signed_in(orgs.housing).get("/traffic/incidents/").status_code == 403
    assert c.get("/traffic/incidents/").status_code == 200
    # the menu offers the page to exactly those it lets in: the bureau's staff, not another department's
    assert 'href="/traffic/incidents/"' in c.get("/traffic/").content.decode()
    assert 'href="/traffic/incidents/"' not in signed_in(orgs.housing).get("/traffic/").content.decode()


def test_public_tpi_segments_history_and_profile(roads, django_assert_max_num_queries):
    assert Client().get("/api/v1/traffic/tpi").status_code == 404
    speeds(roads["A1"], MONDAY_8, [12])
    speeds(roads["B1"], MONDAY_8, [40])
    congestion.compute(MONDAY_8)
    c = Client()
    now = c.get("/api/v1/traffic/tpi").json()
    assert now["segments"] == 2 and now["peak"] == "morning" and set(now["by_class"]) == {"arterial", "branch"}
    with django_assert_max_num_queries(4):
        segs = c.get("/api/v1/traffic/segments?road_class=arterial").json()
    assert segs["count"] == 1 and segs["items"][0]["code"] == "A1"
    assert c.get("/api/v1/traffic/segments?road_class=lane").status_code == 422
    assert c.get("/api/v1/traffic/segments?bbox=115.0,36.0,115.1,36.1").json()["count"] == 0
    cong = c.get("/api/v1/traffic/congested").json()
    assert [s["code"] for s in cong["items"]] == ["A1"] and cong["items"][0]["level_name"] == "严重拥堵"
    hist = c.get("/api/v1/traffic/tpi/history?start=2026-11-29T23:00:00Z&end=2026-11-30T01:00:00Z").json()
    assert len(hist) == 1
    assert c.get("/api/v1/traffic/tpi/history?start=2026-11-01T00:00:00Z&end=2026-11-30T01:00:00Z").status_code == 422
    prof = c.get("/api/v1/traffic/tpi/profile?weekday=0").json()
    assert prof["slots"][0]["time"] == "08:00" and prof["defined_peaks"]["morning"] == "07:00-09:00"
    assert c.get("/api/v1/traffic/tpi/profile?weekday=9").status_code == 422


def test_public_page_in_chinese(roads, django_assert_max_num_queries):
    speeds(roads["A1"], MONDAY_8, [12])
    congestion.compute(MONDAY_8)
    with django_assert_max_num_queries(12):
        r = Client().get("/traffic/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "路况" in html and "严重拥堵" in html and "测试道路A1" in html and "北京时间" in html
