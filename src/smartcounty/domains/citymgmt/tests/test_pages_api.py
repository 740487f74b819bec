"""A resident's report from the public form to a closed, evaluated case, using only the public and
staff interfaces (pages); the component API and performance page authorisation."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcounty.domains.citymgmt.tests.conftest import PNG

pytestmark = pytest.mark.django_db


def case_id_from(response):
    assert response.status_code == 302, response.content[:500]
    return int(response["Location"].rstrip("/").rsplit("/", 1)[-1])


def test_resident_report_to_evaluated_case(client, city):
    assert client.get("/citymgmt/report/").status_code == 302  # sign in first
    client.force_login(city.resident)
    r = client.get("/citymgmt/report/")
    assert r.status_code == 200 and "vendor/leaflet/leaflet.js" in r.content.decode()
    r = client.post("/citymgmt/report/", {"category": "C0101", "description": "井盖丢失，很危险", "lon": "115.4501",
                                          "lat": "36.4901", "address": "崇文街道",
                                          "photo": SimpleUploadedFile("p.png", PNG)})
    cid = case_id_from(r)
    r = client.get("/citymgmt/mine/")
    assert "上水井盖" in r.content.decode()
    steps = [(city.centre, "register", {}), (city.centre, "dispatch", {}), (city.housing, "accept", {}),
             (city.housing, "feedback", {"result": "已补装"}), (city.centre, "send_inspector", {}),
             (city.inspector, "verify_pass", {"inspection": "现场已补装"}), (city.centre, "close", {})]
    for user, key, data in steps:
        client.force_login(user)
        page = client.get(f"/cases/{cid}/")
        assert f'id="step-{key}"' in page.content.decode(), key
        r = client.post(f"/cases/{cid}/steps/{key}/", {**data, "note": ""})
        assert r.status_code == 302
    client.force_login(city.centre)
    assert client.get("/cases/workbench/").status_code == 200
    client.force_login(city.resident)
    page = client.get(f"/cases/{cid}/").content.decode()
    assert 'id="step-evaluate"' in page and 'id="step-reopen"' in page and "p.png" in page
    client.post(f"/cases/{cid}/steps/evaluate/", {"rating": "5", "note": "很快"})
    r = client.get(f"/api/v1/cases/{cid}")
    body = r.json()
    assert body["state"] == "evaluated" and body["rating"] == 5 and body["closed_at"]
    assert [e["action"] for e in body["events"]] == ["create", "attach", "register", "dispatch", "accept", "feedback",
                                                    "send_inspector", "verify_pass", "close", "evaluate"]


def test_report_form_rejects_bad_input(client, city):
    client.force_login(city.resident)
    for form in ({"category": "C0101"}, {"category": "nope", "lon": "115.45", "lat": "36.49"},
                 {"category": "C0101", "lon": "east", "lat": "36.49"},
                 {"category": "C0101", "lon": "115.45", "lat": "36.49", "photo": SimpleUploadedFile("x.exe", b"MZ..")}):
        r = client.post("/citymgmt/report/", form)
        assert r.status_code == 200
    assert client.get("/api/v1/cases/").json()["count"] == 0


def test_component_api_authorisation(client, city, django_assert_max_num_queries):
    body = json.dumps({"category": "C0201", "lon": 115.45, "lat": 36.49})
    r = client.post("/api/v1/citymgmt/components", body, content_type="application/json")
    assert r.status_code == 401 and r["Content-Type"] == "application/problem+json"
    client.force_login(city.resident)
    assert client.post("/api/v1/citymgmt/components", body, content_type="application/json").status_code == 403
    client.force_login(city.housing)
    r = client.post("/api/v1/citymgmt/components", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["code"] == "3715250201000001"
    r = client.post("/api/v1/citymgmt/components", json.dumps({"code": "3715250201000001", "lon": 115.45,
                                                                "lat": 36.49, "colour": "red"}),
                    content_type="application/json")
    assert r.status_code == 422
    client.post("/api/v1/citymgmt/components", body, content_type="application/json")
    client.logout()
    with django_assert_max_num_queries(3):
        r = client.get("/api/v1/citymgmt/components?category=C0201")
    assert r.json()["count"] == 2
    assert client.get("/api/v1/citymgmt/components/3715250201000002").json()["category"] == "C0201"


def test_performance_authorisation(client, city):
    assert client.get("/citymgmt/performance/").status_code == 302
    assert client.get("/api/v1/citymgmt/performance").status_code == 401
    client.force_login(city.resident)
    assert client.get("/citymgmt/performance/").status_code == 403
    assert client.get("/api/v1/citymgmt/performance").status_code == 403
    from smartcounty.domains.citymgmt import services

    services.report(category="C0201", lon=115.45, lat=36.49, reporter=city.resident)
    services.report(category="E0101", lon=115.46, lat=36.49, reporter=city.resident)
    client.force_login(city.centre)
    r = client.get("/citymgmt/performance/")
    assert r.status_code == 200 and "县住房和城乡建设局" in r.content.decode()
    assert len(client.get("/api/v1/citymgmt/performance").json()) == 2
    client.force_login(city.housing)  # another department sees only its own figures
    rows = client.get("/api/v1/citymgmt/performance").json()
    assert [r["key"] for r in rows] == [str(city.ids["housing"])]
