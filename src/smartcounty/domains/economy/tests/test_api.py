"""Registry API and pages: who sees what, masked contacts, 企业上云 statistics, query counts."""

import json
from datetime import date

from smartcounty.domains.economy import services
from smartcounty.kernel.models import AuditEntry


def seed(eco, n=6):
    for i in range(n):
        pk = services.save_enterprise({"uscc": eco.uscc[i], "name": f"冠县企业{i}", "industry": "C33" if i % 2 else "A01",
                                       "town": "371525001", "park": "冠县经济开发区" if i < 3 else "",
                                       "contact_name": "王建国", "contact_phone": "13806351234"})
        if i % 2 == 0:
            services.set_cloud(pk, level=1 + i % 3, provider="天翼云", since=date(2021, 1, 1))


def test_anonymous_and_wrong_organisation_are_refused(client, eco):
    seed(eco, 2)
    urls = ["/api/v1/economy/enterprises", "/api/v1/economy/cloud/statistics", "/api/v1/economy/parks",
            f"/api/v1/economy/parks/{eco.park}/energy"]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 401 and r["Content-Type"] == "application/problem+json"
    body = json.dumps({"uscc": eco.uscc[5], "name": "新企业", "industry": "C17"})
    assert client.post("/api/v1/economy/enterprises", body, content_type="application/json").status_code == 401
    client.force_login(eco.resident)
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.get("/economy/").status_code == 403
    client.force_login(eco.other)  # another department reads the shared registry, contacts masked, and keeps nothing
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/economy/enterprises").json()["items"][0]["contact_phone"] == "138****1234"
    assert client.post("/api/v1/economy/enterprises", body, content_type="application/json").status_code == 403
    assert client.put("/api/v1/economy/enterprises/1/cloud", json.dumps({"level": 1, "provider": "x",
                      "since": "2024-01-01"}), content_type="application/json").status_code == 403
    assert client.get("/economy/").status_code == 200
    client.force_login(eco.zone)  # the development zone sees only its own park
    assert client.get(f"/api/v1/economy/parks/{eco.other_park}/energy").status_code == 404
    assert client.post("/api/v1/economy/enterprises", body, content_type="application/json").status_code == 403


def test_scope_masking_and_query_count(client, eco, django_assert_max_num_queries):
    seed(eco)
    client.force_login(eco.zone)
    r = client.get("/api/v1/economy/enterprises")
    assert r.json()["count"] == 3
    client.force_login(eco.staff)
    with django_assert_max_num_queries(8):
        r = client.get("/api/v1/economy/enterprises?limit=50")
    items = r.json()["items"]
    assert r.json()["count"] == 6 and items[0]["contact_name"] == "王**" and items[0]["contact_phone"] == "138****1234"
    assert items[0]["industry_name"] == "农业" and items[0]["cloud_level_name"] == "基础设施上云"
    assert client.get("/api/v1/economy/enterprises?industry=C").json()["count"] == 3
    assert client.get("/api/v1/economy/enterprises?cloud=true").json()["count"] == 3
    reads = AuditEntry.objects.filter(action="economy.read_contacts").count()
    client.force_login(eco.admin)  # the registry's administrator sees contacts, and that read is audited
    r = client.get("/api/v1/economy/enterprises")
    assert r.json()["items"][0]["contact_name"] == "王建国"
    assert AuditEntry.objects.filter(action="economy.read_contacts").count() == reads + 1


def test_cloud_statistics_and_saving(client, eco):
    seed(eco)
    stats = services.cloud_statistics(services.scope_of(eco.staff))
    assert (stats["enterprises"], stats["on_cloud"], stats["rate"]) == (6, 3, 0.5)
    assert [r["count"] for r in stats["by_level"]] == [1, 1, 1]
    assert stats["by_provider"] == [{"provider": "天翼云", "count": 3}]
    assert {r["section"]: r["on_cloud"] for r in stats["by_industry"]} == {"A": 3, "C": 0}
    client.force_login(eco.staff)
    body = json.dumps({"uscc": eco.uscc[8], "name": "新企业", "industry": "17", "town": "清泉街道"})
    r = client.post("/api/v1/economy/enterprises", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["industry"] == "C17"
    pk = r.json()["id"]
    bad = json.dumps({"uscc": "123", "name": "坏", "industry": "C17"})
    r = client.post("/api/v1/economy/enterprises", bad, content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "uscc"
    cloud = json.dumps({"level": 2, "provider": "华为云", "since": "2024-03-01"})
    assert client.put(f"/api/v1/economy/enterprises/{pk}/cloud", cloud, content_type="application/json").status_code == 204
    assert client.get(f"/api/v1/economy/enterprises/{pk}").json()["cloud_provider"] == "华为云"
    assert client.get("/api/v1/economy/cloud/statistics").json()["on_cloud"] == 4
    meter = json.dumps({"kind": "electricity", "code": "M-1", "lon": 115.44, "lat": 36.48})
    r = client.post(f"/api/v1/economy/enterprises/{pk}/meters", meter, content_type="application/json")
    assert r.status_code == 201
    assert client.get(f"/api/v1/economy/enterprises/{pk}/energy").json()["meters"] == 1
    for url in ("/economy/", f"/economy/enterprises/{pk}/", "/economy/parks/", f"/economy/parks/{eco.park}/",
                "/economy/import/"):
        assert client.get(url).status_code == 200, url
    assert "新企业" in client.get("/economy/?q=新企业").content.decode()


def test_park_service_requests_through_the_workflow(client, eco):
    from smartcounty.foundation.cases import services as cases

    seed(eco, 4)
    services.configure()
    inside = services.enterprises(services.scope_of(eco.staff), park_id=eco.park)[0:1][0]["id"]
    outside = services.enterprises(services.scope_of(eco.staff), park_id=None, q="冠县企业3")[0:1][0]["id"]
    body = json.dumps({"category": "S03", "title": "增容用电", "description": "新车间"})
    assert client.post(f"/api/v1/economy/enterprises/{inside}/requests", body,
                       content_type="application/json").status_code == 401
    client.force_login(eco.other)
    assert client.post(f"/api/v1/economy/enterprises/{inside}/requests", body,
                       content_type="application/json").status_code == 403
    client.force_login(eco.zone)
    r = client.post(f"/api/v1/economy/enterprises/{inside}/requests", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["number"].startswith("QY")
    assert client.post(f"/api/v1/economy/enterprises/{outside}/requests", body,
                       content_type="application/json").status_code == 404  # not one of its park's
    case_id = r.json()["case_id"]
    cases.transition(case_id, "accept", actor=eco.zone)
    cases.transition(case_id, "finish", actor=eco.zone, data={"result": "已协调供电公司增容"})
    [row] = client.get(f"/api/v1/economy/parks/{eco.park}/requests").json()
    assert (row["state"], row["category_name"]) == ("finished", "水电气暖")
    cases.transition(case_id, "revisit", actor=eco.staff, data={"rating": 5}, note="满意")  # the registry revisits
    client.force_login(eco.staff)
    assert client.get(f"/api/v1/economy/parks/{eco.park}/requests").json()[0]["state"] == "revisited"
    page = client.get(f"/economy/parks/{eco.park}/").content.decode()
    assert "增容用电" in page and "水电气暖" in page
    assert f'href="/cases/{case_id}/"' in page  # the registry's staff may open the park's case ...
    client.force_login(eco.other)  # ... another department reads the registry but not the park's cases
    assert client.get(f"/cases/{case_id}/").status_code == 404
    page = client.get(f"/economy/parks/{eco.park}/").content.decode()
    assert r.json()["number"] in page and f'href="/cases/{case_id}/"' not in page
    assert [row["may_open"] for row in client.get(f"/api/v1/economy/parks/{eco.park}/requests").json()] == [False]
