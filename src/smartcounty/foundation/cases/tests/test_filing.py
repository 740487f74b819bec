"""Filing through /api/v1/cases/: who may file a type, declared data only, known grids, bounded texts;
lists carry summaries, not whole descriptions (issue 20, finding 15)."""

import json

import pytest

from smartcounty.foundation.cases import services
from smartcounty.foundation.cases.models import Case
from smartcounty.foundation.cases.schemas import MAX_DESCRIPTION, SUMMARY_CHARS

pytestmark = pytest.mark.django_db
BASE = "/api/v1/cases/"


def post(client, user, body):
    client.force_login(user)
    return client.post(BASE, data=json.dumps(body), content_type="application/json")


def test_a_resident_cannot_file_a_staff_only_type(client, world):
    r = post(client, world.resident, {"case_type": "governance.event", "title": "x", "category": "G01"})
    assert r.status_code == 403 and r["Content-Type"] == "application/problem+json"
    assert r.json()["field"] == "case_type"
    assert not Case.objects.filter(case_type="governance.event").exists()
    # The type that residents may file (filed_by "*") still takes their reports.
    assert post(client, world.resident, {"case_type": "cases.test", "title": "x", "category": "road"}).status_code == 201


def test_data_must_be_declared_and_of_its_kind(client, world):
    for data, field in (({"anything": 1}, "data.anything"), ({"severity": "extreme"}, "data.severity"),
                        ({"photo_url": "javascript:alert(1)"}, "data.photo_url"), ({"count": "3"}, "data.count"),
                        ({"severity": "low", "x" * 10: "y" * 20000}, "data")):
        r = post(client, world.resident, {"case_type": "cases.test", "title": "x", "category": "road", "data": data})
        assert r.status_code == 422 and r.json()["field"] == field, (data, r.json())
    r = post(client, world.resident, {"case_type": "cases.test", "title": "x", "category": "road",
                                      "data": {"severity": "high", "photo_url": "https://example.org/a.jpg", "count": 2}})
    assert r.status_code == 201 and r.json()["data"]["severity"] == "high"
    assert Case.objects.count() == 1


def test_grid_code_must_be_a_grid_of_the_county(client, world):
    r = post(client, world.resident, {"case_type": "cases.test", "title": "x", "category": "road",
                                      "grid_code": "99999999999999"})
    assert r.status_code == 422 and r.json()["field"] == "grid_code"
    assert Case.objects.count() == 0


def test_description_is_bounded_and_lists_carry_a_summary(client, world):
    r = post(client, world.resident, {"case_type": "cases.test", "title": "x", "category": "road",
                                      "description": "a" * 1_500_000})  # under the 2 MB body limit
    assert r.status_code == 422 and r.json()["field"] == "description"
    assert Case.objects.count() == 0
    text = "路" * MAX_DESCRIPTION
    r = post(client, world.resident, {"case_type": "cases.test", "title": "x", "category": "road", "description": text})
    assert r.status_code == 201
    cid = r.json()["id"]
    items = client.get(BASE).json()["items"]
    assert items[0]["description"] == "路" * SUMMARY_CHARS + "…"
    assert client.get(f"{BASE}{cid}").json()["description"] == text
    client.force_login(world.centre_staff)
    assert client.get(f"{BASE}queue").json()["items"][0]["description"] == "路" * SUMMARY_CHARS + "…"
    short = services.create_case("cases.test", title="y", category="road", description="短", reporter=world.resident)
    client.force_login(world.resident)
    assert {i["id"]: i["description"] for i in client.get(BASE).json()["items"]}[short.pk] == "短"
