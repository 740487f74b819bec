"""The places API: public reads, paginated lists with bounded queries, problem+json, authorisation."""

import json

import pytest

from smartcounty.foundation.places.models import Grid
from smartcounty.foundation.places.tests.conftest import A, B
from smartcounty.kernel import geo
from smartcounty.kernel.models import AuditEntry

API = "/api/v1/places"


def problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["code"] == code
    return body


def test_towns_are_public_and_paginated(client, squares, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        body = client.get(f"{API}/towns?limit=5&offset=0").json()
    assert body["count"] == 18 and [t["code"] for t in body["items"]][:2] == [A, B] and len(body["items"]) == 5
    assert client.get(f"{API}/towns/{A}").json()["name"] == "清泉街道"
    problem(client.get(f"{API}/towns/371525999"), 404, "not-found")
    assert client.get(f"{API}/county").json()["code"] == "371525"


def test_grids_filter_by_town_and_bbox(client, squares, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        body = client.get(f"{API}/grids", {"town": A}).json()
    assert body["count"] == 2 and [g["code"] for g in body["items"]] == ["37152500100101", "37152500100102"]
    body = client.get(f"{API}/grids", {"bbox": "115.11,36.01,115.12,36.02"}).json()
    assert [g["code"] for g in body["items"]] == ["37152500200101"]
    body = client.get(f"{API}/grids", {"bbox": "115.11,36.01,115.12,36.02", "town": A}).json()
    assert body == {"items": [], "count": 0}
    assert client.get(f"{API}/grids/37152500200101").json()["town_code"] == B
    problem(client.get(f"{API}/grids/00000000000000"), 404, "not-found")


def test_grid_list_query_count_does_not_grow(client, loaded_demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        body = client.get(f"{API}/grids?limit=500").json()
    assert len(body["items"]) == 500 and body["count"] == Grid.objects.count()


@pytest.fixture
def loaded_demo(db):
    from io import StringIO

    from smartcounty.foundation.places import demo

    demo.load(stdout=StringIO())


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "115.2,36,115.1,36.1", "115,36,200,36.1", "115,-91,115.1,36"])
def test_bad_bbox_is_a_problem(client, squares, bbox):
    body = problem(client.get(f"{API}/grids", {"bbox": bbox}), 422, "invalid")
    assert body["field"] == "bbox"


def test_geojson_endpoints(client, squares):
    towns = client.get(f"{API}/towns.geojson").json()
    assert towns["type"] == "FeatureCollection" and len(towns["features"]) == 2
    grids = client.get(f"{API}/grids.geojson", {"town": A}).json()
    assert [f["id"] for f in grids["features"]] == ["37152500100101", "37152500100102"]
    problem(client.get(f"{API}/grids.geojson", {"town": "371525999"}), 404, "not-found")
    problem(client.get(f"{API}/grids.geojson"), 422, "invalid")


def test_locate_in_each_crs(client, squares):
    body = client.get(f"{API}/locate", {"lon": 115.02, "lat": 36.05}).json()
    assert body["location"]["town_code"] == A and body["location"]["grid_code"] == "37152500100101"
    assert body["crs"] == "wgs84" and body["wgs84"] == [115.02, 36.05]
    # the same ground point as a phone using Amap (GCJ-02) or Baidu (BD-09) reports it
    for crs, convert in (("gcj02", geo.wgs84_to_gcj02), ("bd09", geo.wgs84_to_bd09)):
        lon, lat = convert(115.02, 36.05)
        assert lon - 115.02 > 0.005  # the offset alone would move it into another grid ...
        body = client.get(f"{API}/locate", {"lon": lon, "lat": lat, "crs": crs}).json()
        assert geo.distance_m(*body["wgs84"], 115.02, 36.05) < 0.5
        assert body["location"]["grid_code"] == "37152500100101"  # ... but it is converted back first
    assert client.get(f"{API}/locate", {"lon": 116, "lat": 37}).json()["location"] is None


@pytest.mark.parametrize(("params", "field"), [
    ({"lon": 181, "lat": 36}, "lon"), ({"lon": 115, "lat": -90.5}, "lat"), ({"lon": "nan", "lat": 36}, "lon"),
    ({"lon": "east", "lat": 36}, "lon"), ({"lat": 36}, "lon"), ({"lon": 115, "lat": 36, "crs": "utm"}, "crs"),
])
def test_locate_bad_coordinates(client, squares, params, field):
    body = problem(client.get(f"{API}/locate", params), 422, "invalid")
    assert body.get("field") == field or field in [e["field"] for e in body.get("errors", [])]


def rename(client, code="37152500100101", **body):
    return client.patch(f"{API}/grids/{code}", data=json.dumps(body or {"name": "新名字"}),
                        content_type="application/json")


def test_rename_refuses_anonymous(client, squares):
    problem(rename(client), 401, "not-authenticated")
    assert Grid.objects.get(code="37152500100101").name == "A-1"


def test_rename_refuses_an_organisation_admin(client, squares, org_admin):
    client.force_login(org_admin)
    problem(rename(client), 403, "forbidden")
    assert Grid.objects.get(code="37152500100101").name == "A-1"


def test_rename_by_a_platform_admin_is_audited(client, squares, platform_admin):
    client.force_login(platform_admin)
    response = rename(client)
    assert response.status_code == 200 and response.json()["name"] == "新名字"
    entry = AuditEntry.objects.filter(action="places.grid_rename").latest("id")
    assert entry.actor == "places-admin" and entry.detail == {"code": "37152500100101", "before": "A-1", "after": "新名字"}
    problem(rename(client, code="37152500100199"), 404, "not-found")


@pytest.mark.parametrize(("raw", "status", "code"), [
    (b"{not json", 400, "malformed-json"),
    (json.dumps({"name": 5}).encode(), 422, "invalid"),
    (json.dumps({"name": "x", "colour": "red"}).encode(), 422, "invalid"),
    (json.dumps({"name": ""}).encode(), 422, "invalid"),
    (json.dumps({"name": "x" * 81}).encode(), 422, "invalid"),
    (json.dumps({}).encode(), 422, "invalid"),
])
def test_bad_rename_bodies_change_nothing(client, squares, platform_admin, raw, status, code):
    client.force_login(platform_admin)
    audits = AuditEntry.objects.count()
    response = client.patch(f"{API}/grids/37152500100101", data=raw, content_type="application/json")
    problem(response, status, code)
    assert Grid.objects.get(code="37152500100101").name == "A-1"
    assert AuditEntry.objects.count() == audits
