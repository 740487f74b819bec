"""Cases API: authorisation of every endpoint, bad input, attachments, query counts."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcounty.foundation.cases import services
from smartcounty.foundation.cases.models import Attachment, Case, CaseEvent
from smartcounty.foundation.cases.tests.conftest import bj

pytestmark = pytest.mark.django_db
BASE = "/api/v1/cases"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


def post(client, url, body):
    return client.post(url, data=json.dumps(body) if not isinstance(body, str) else body,
                       content_type="application/json")


@pytest.fixture
def case(world):
    return services.create_case("cases.test", title="路灯不亮", category="road", reporter=world.resident,
                                now=bj(2026, 11, 30, 9, 0))


def test_anonymous_is_refused_everywhere(client, case):
    for method, url in (("get", "/"), ("get", "/types"), ("get", "/queue"), ("get", f"/{case.pk}"),
                        ("get", "/statistics"), ("post", "/"), ("post", f"/{case.pk}/steps/register"),
                        ("post", f"/{case.pk}/comments"), ("get", f"/{case.pk}/attachments/1")):
        r = getattr(client, method)(BASE + url, content_type="application/json") if method == "post" \
            else client.get(BASE + url)
        assert r.status_code == 401, url
        assert r["Content-Type"] == "application/problem+json"


def test_wrong_organisation_is_refused(client, world, case):
    c = client_for(client, world.other_staff)
    assert c.get(f"{BASE}/{case.pk}").status_code == 403
    assert post(c, f"{BASE}/{case.pk}/steps/register", {}).status_code == 403
    assert post(c, f"{BASE}/{case.pk}/comments", {"note": "x"}).status_code == 403
    r = c.post(f"{BASE}/{case.pk}/attachments", {"file": SimpleUploadedFile("a.png", PNG)})
    assert r.status_code == 403
    assert c.get(f"{BASE}/statistics?organisation_id={world.dept.pk}").status_code == 403
    assert c.get(f"{BASE}/").json()["count"] == 0
    s = client_for(client, world.stranger)
    assert s.get(f"{BASE}/{case.pk}").status_code == 403
    assert s.get(f"{BASE}/statistics").status_code == 403
    assert s.get(f"{BASE}/queue").status_code == 403
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_staff_flow_over_http(client, world, case):
    c = client_for(client, world.centre_staff)
    r = c.get(f"{BASE}/queue")
    assert r.status_code == 200 and [x["id"] for x in r.json()["items"]] == [case.pk]
    r = post(c, f"{BASE}/{case.pk}/steps/register", {"note": "立案"})
    assert r.status_code == 200 and r.json()["state"] == "dispatched"
    d = client_for(client, world.dept_staff)
    r = post(d, f"{BASE}/{case.pk}/steps/handle", {"data": {}})
    assert r.status_code == 422 and r.json()["field"] == "result"
    r = post(d, f"{BASE}/{case.pk}/steps/handle", {"data": {"result": "修复"}, "note": "已修复"})
    assert r.status_code == 200 and r.json()["transitions"] == []
    r = d.get(f"{BASE}/{case.pk}")
    assert [e["action"] for e in r.json()["events"]] == ["create", "register", "handle"]


def test_bad_input_is_problem_json_and_changes_nothing(client, world, case):
    c = client_for(client, world.centre_staff)
    for body in ('{"note": ', {"note": "x", "unknown": 1}, {"note": 5}, {"data": []}):
        r = post(c, f"{BASE}/{case.pk}/steps/register", body)
        assert r.status_code in (400, 422) and r["Content-Type"] == "application/problem+json", body
    r = post(client_for(client, world.resident), f"{BASE}/",
             {"case_type": "cases.test", "title": "x", "category": "nope"})
    assert r.status_code == 422 and r.json()["field"] == "category"
    case.refresh_from_db()
    assert case.state == "new" and Case.objects.count() == 1


def test_resident_reports_and_sees_only_public_history(client, world):
    c = client_for(client, world.resident)
    r = post(c, f"{BASE}/", {"case_type": "cases.test", "title": "垃圾堆放", "category": "road",
                            "lon": 115.45, "lat": 36.49})
    assert r.status_code == 201
    cid = r.json()["id"]
    services.comment(cid, actor=world.centre_staff, note="内部", public=False)
    r = c.get(f"{BASE}/{cid}")
    assert [e["action"] for e in r.json()["events"]] == ["create"]
    assert c.get(f"{BASE}/").json()["count"] == 1
    assert client_for(client, world.stranger).get(f"{BASE}/").json()["count"] == 0


def test_attachments_checked(client, world, case):
    c = client_for(client, world.resident)
    r = c.post(f"{BASE}/{case.pk}/attachments", {"file": SimpleUploadedFile("photo.png", PNG)})
    assert r.status_code == 201 and r.json()["content_type"] == "image/png"
    aid = r.json()["id"]
    r = c.get(f"{BASE}/{case.pk}/attachments/{aid}")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
    for name, content, code in (("evil.exe", b"MZ\x90\x00" + b"\0" * 50, 415),
                                ("photo.jpg", PNG, 415),  # name and content disagree
                                ("empty.png", b"", 422)):
        r = c.post(f"{BASE}/{case.pk}/attachments", {"file": SimpleUploadedFile(name, content)})
        assert r.status_code == code, name
    big = io.BytesIO(b"%PDF-" + b"0" * (services.MAX_BYTES + 1))
    upload = SimpleUploadedFile("big.pdf", big.getvalue())
    from smartcounty.kernel.problems import ApiError

    with pytest.raises(ApiError) as err:
        services.add_attachment(case.pk, upload, actor=world.resident)
    assert err.value.status == 413
    assert Attachment.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, action="attach").count() == 1


def test_list_query_count(client, world, django_assert_max_num_queries):
    for i in range(15):
        services.create_case("cases.test", title=f"c{i}", category="road", reporter=world.resident)
    c = client_for(client, world.centre_staff)
    with django_assert_max_num_queries(6):
        r = c.get(f"{BASE}/?state=new&limit=10")
    assert r.json()["count"] == 15 and len(r.json()["items"]) == 10
    with django_assert_max_num_queries(6):
        r = c.get(f"{BASE}/queue?state=new")
    assert r.json()["count"] == 15


def test_statistics_endpoint(client, world, case):
    c = client_for(client, world.dept_staff)
    r = c.get(f"{BASE}/statistics?by=category&since=2026-11-01&until=2026-12-01")
    assert r.status_code == 200
    assert r.json() == [{"key": "road", "total": 1, "closed": 0, "on_time": 0, "reworked": 0, "closure_rate": 0.0,
                         "on_time_rate": None, "rework_rate": None, "avg_handling_hours": None}]
    assert c.get(f"{BASE}/statistics?by=colour").status_code == 422
    assert c.get(f"{BASE}/statistics?since=2026-12-01&until=2026-11-01").status_code == 422
