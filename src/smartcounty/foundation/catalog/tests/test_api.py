import json
import time
from datetime import date, timedelta

import pytest
from django.test import Client

from smartcounty.foundation.catalog import services
from smartcounty.foundation.catalog.models import Grant, Resource, SharingRequest
from smartcounty.kernel.models import AuditEntry
from smartcounty.kernel.problems import ApiError

API = "/api/v1/catalog"


def client_for(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def post(c, url, data):
    return c.post(url, json.dumps(data), content_type="application/json")


NEW = {"code": "210001/00009", "slug": "water-daily", "name": "水质日报", "domain": "10",
       "sharing_type": "unconditional", "items": [{"name": "site", "title": "断面"}, {"name": "cod", "data_type": "number"}]}


def test_create_needs_manage_permission_of_an_organisation(people):
    assert post(client_for(), f"{API}/resources", NEW).status_code == 401
    assert post(client_for(people["resident"]), f"{API}/resources", NEW).status_code == 403
    r = post(client_for(people["env_staff"]), f"{API}/resources", NEW)
    assert r.status_code == 201, r.content
    assert r.json()["provider_org_code"] == "ecology-environment" and r.json()["classification"] == "210001"


@pytest.mark.parametrize("body", [
    "{not json", json.dumps({**NEW, "colour": "red"}), json.dumps({**NEW, "items": "x"}),
    json.dumps({**NEW, "code": "9/1"}), json.dumps({**NEW, "sharing_type": "none"}),
])
def test_bad_input_is_a_problem_and_changes_nothing(people, body):
    r = client_for(people["env_staff"]).post(f"{API}/resources", body, content_type="application/json")
    assert r.status_code in (400, 422)
    assert r["Content-Type"] == "application/problem+json"
    assert not Resource.objects.filter(slug="water-daily").exists()


def test_only_the_provider_changes_or_uploads(people, aqi):
    assert client_for(people["health_staff"]).patch(f"{API}/resources/{aqi.slug}", json.dumps({"summary": "x"}),
                                                    content_type="application/json").status_code == 403
    r = client_for(people["env_staff"]).patch(f"{API}/resources/{aqi.slug}", json.dumps({"summary": "新摘要"}),
                                              content_type="application/json")
    assert r.status_code == 200 and r.json()["summary"] == "新摘要"
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = "station,day,aqi\n冠县站,2026-11-01,50\n".encode()
    f = SimpleUploadedFile("a.csv", csv, content_type="text/csv")
    assert client_for(people["health_staff"]).post(f"{API}/resources/{aqi.slug}/versions", {"file": f}).status_code == 403
    f = SimpleUploadedFile("a.csv", csv, content_type="text/csv")
    r = client_for(people["env_staff"]).post(f"{API}/resources/{aqi.slug}/versions", {"file": f})
    assert r.status_code == 201 and r.json()["row_count"] == 1
    bad = SimpleUploadedFile("b.csv", "station,day,aqi\n冠县站,2026-11-01,x\n".encode(), content_type="text/csv")
    r = client_for(people["env_staff"]).post(f"{API}/resources/{aqi.slug}/versions", {"file": bad})
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert r.json()["errors"][0]["row"] == 2 and r.json()["errors"][0]["column"] == "aqi"


def test_list_is_paginated_filtered_and_bounded_in_queries(people, orgs, django_assert_max_num_queries):
    for n in range(12):
        services.create_resource({"code": f"210001/{n + 100:05d}", "slug": f"r{n}", "name": f"资源{n}",
                                  "domain": "10" if n % 2 else "06", "sharing_type": "unconditional"},
                                 [{"name": "a"}], provider_org_id=orgs["health"].pk)
    c = client_for(people["env_staff"])
    assert client_for().get(f"{API}/resources").status_code == 401
    assert client_for(people["resident"]).get(f"{API}/resources").status_code == 403
    with django_assert_max_num_queries(8):
        r = c.get(f"{API}/resources", {"domain": "10", "limit": 4})
    assert r.status_code == 200 and r.json()["count"] == 6 and len(r.json()["items"]) == 4
    assert c.get(f"{API}/resources", {"q": "资源"}).json()["count"] == 12


def _request(people, res, **extra):
    body = {"resource": res.code, "purpose": "救助核查", "fields": ["name", "id_number", "town"],
            "unmasked_fields": ["name"], "period_start": str(date.today()),
            "period_end": str(date.today() + timedelta(days=30)), **extra}
    return post(client_for(people["health_staff"]), f"{API}/requests", body)


def test_conditional_sharing_end_to_end(people, allowance):
    reader = client_for(people["health_staff"])
    url = f"{API}/resources/{allowance.slug}/rows"
    # refused without a grant
    r = reader.get(url)
    assert r.status_code == 403 and r["Content-Type"] == "application/problem+json"
    # request → provider decides (only the provider's admin)
    r = _request(people, allowance)
    assert r.status_code == 201, r.content
    req_id = r.json()["id"]
    assert r.json()["due_on"] == str(services.add_working_days(date.today(), 10))
    decision = {"approve": True, "row_filter": {"town": "清泉街道"}}
    assert post(client_for(people["health_admin"]), f"{API}/requests/{req_id}/decision", decision).status_code == 403
    assert post(client_for(people["civil_staff"]), f"{API}/requests/{req_id}/decision", decision).status_code == 403
    r = post(client_for(people["civil_admin"]), f"{API}/requests/{req_id}/decision", decision)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    grant_id = r.json()["grant"]
    # served with the grant: granted fields only, rows filtered, id number masked, name unmasked
    r = reader.get(url)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["fields"] == ["name", "id_number", "town"] and body["masked"] == ["id_number"]
    assert body["grant"] == grant_id and body["total"] == 2
    assert [row["name"] for row in body["rows"]] == ["张三", "王五"]
    assert body["rows"][0]["id_number"] == "360***********0071"
    assert reader.get(url, {"fields": "amount"}).status_code == 403
    # every read is in the audit log, and the provider sees it
    reads = AuditEntry.objects.filter(action="catalog.read", object_id=allowance.code)
    assert reads.count() == 1
    d = reads.get().detail
    assert d["grant"] == grant_id and d["rows"] == 2 and d["fields"] == ["name", "id_number", "town"]
    assert reads.get().organisation_id == people["health_staff"].organisation_id
    assert client_for(people["health_admin"]).get(f"{API}/resources/{allowance.slug}/reads").status_code == 403
    r = client_for(people["civil_admin"]).get(f"{API}/resources/{allowance.slug}/reads")
    assert r.status_code == 200 and r.json()["items"][0]["actor"] == "health_staff"
    assert r.json()["items"][0]["rows"] == 2
    # revocation: refused again
    assert post(client_for(people["health_admin"]), f"{API}/grants/{grant_id}/revoke", {}).status_code == 403
    assert post(client_for(people["civil_admin"]), f"{API}/grants/{grant_id}/revoke", {"reason": "x"}).status_code == 200
    assert reader.get(url).status_code == 403
    assert AuditEntry.objects.filter(action="catalog.grant_revoke").count() == 1
    # refused attempts are evidence too: the one before the grant and the one after revocation
    refused = AuditEntry.objects.filter(action="catalog.read_refused", object_id=allowance.code)
    assert refused.count() == 2 and {e.actor for e in refused} == {"health_staff"}
    assert reads.count() == 1


def test_expired_grant_is_refused(people, allowance):
    req = SharingRequest.objects.get(pk=_request(people, allowance).json()["id"])
    grant = services.decide_request(req, user=people["civil_admin"], approve=True)
    reader = client_for(people["health_staff"])
    assert reader.get(f"{API}/resources/{allowance.slug}/rows").status_code == 200
    from django.utils import timezone

    Grant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert reader.get(f"{API}/resources/{allowance.slug}/rows").status_code == 403


def test_unconditional_is_readable_by_any_organisation_masked(people, orgs):
    res = services.create_resource({"code": "102001/00001", "slug": "firms", "name": "企业名录", "domain": "15",
                                    "sharing_type": "unconditional"},
                                   [{"name": "name", "personal": "name"}, {"name": "phone", "personal": "phone"},
                                    {"name": "town"}], provider_org_id=orgs["market-regulation"].pk)
    services.publish_dataset(res.code, [{"name": "赵六", "phone": "13812345678", "town": "清泉街道"}])
    r = client_for(people["health_staff"]).get(f"{API}/resources/firms/rows")
    assert r.status_code == 200 and r.json()["rows"] == [{"name": "赵*", "phone": "138****5678", "town": "清泉街道"}]
    assert r.json()["basis"] == "unconditional"
    assert client_for(people["resident"]).get(f"{API}/resources/firms/rows").status_code == 403
    assert client_for().get(f"{API}/resources/firms/rows").status_code == 401
    assert AuditEntry.objects.filter(action="catalog.read", object_id=res.code).count() == 1


def test_not_shared_is_never_served_and_takes_no_requests(people, orgs):
    res = services.create_resource({"code": "101001/00001", "slug": "hh", "name": "户籍", "domain": "04",
                                    "sharing_type": "none", "legal_basis": "法律"},
                                   [{"name": "name", "personal": "name"}], provider_org_id=orgs["market-regulation"].pk)
    services.publish_dataset(res.code, [{"name": "赵六"}])
    assert client_for(people["health_staff"]).get(f"{API}/resources/hh/rows").status_code == 403
    assert _request(people, res, fields=["name"], unmasked_fields=[]).status_code == 409
    Grant.objects.create(resource=res, grantee_org_id=people["health_staff"].organisation_id, grantee_org_code="health",
                         starts_on=date.today(), expires_at=services.sharing._end_of_day(date.today()))
    assert client_for(people["health_staff"]).get(f"{API}/resources/hh/rows").status_code == 403


def test_late_requests_are_escalated_once(people, allowance):
    req = SharingRequest.objects.get(pk=_request(people, allowance).json()["id"])
    assert services.escalate_overdue(req.due_on) == []
    assert services.escalate_overdue(req.due_on + timedelta(days=1)) == [req.pk]
    assert services.escalate_overdue(req.due_on + timedelta(days=2)) == []
    assert AuditEntry.objects.filter(action="catalog.request_overdue", object_id=str(req.pk)).count() == 1
    on_time = services.requests_on_time(req.due_on + timedelta(days=1))
    assert on_time["late_pending"] == 1 and on_time["ratio"] == 0.0


def test_requests_and_grants_are_listed_for_the_own_organisation(people, allowance):
    _request(people, allowance)
    assert client_for(people["health_staff"]).get(f"{API}/requests").json()["count"] == 1
    assert client_for(people["civil_admin"]).get(f"{API}/requests", {"role": "provider"}).json()["count"] == 1
    assert client_for(people["env_staff"]).get(f"{API}/requests").json()["count"] == 0
    assert client_for().get(f"{API}/requests").status_code == 401
    assert client_for(people["resident"]).get(f"{API}/grants").status_code == 403


def test_keyed_open_api_with_rate_limit(people, orgs):
    res = services.create_resource({"code": "218001/00001", "slug": "toilets", "name": "公共厕所", "domain": "18",
                                    "sharing_type": "unconditional"},
                                   [{"name": "name"}, {"name": "keeper", "personal": "name"}],
                                   provider_org_id=orgs["health"].pk)
    services.publish_dataset(res.code, [{"name": "A厕", "keeper": "王小二"}])
    r = post(client_for(people["resident"]), f"{API}/apps", {"name": "我的应用", "per_minute": 2})
    assert r.status_code == 201
    key = r.json()["key"]
    assert post(client_for(), f"{API}/apps", {"name": "x"}).status_code == 401
    anon = client_for()
    assert anon.get(f"{API}/open/toilets/rows").status_code == 401
    assert anon.get(f"{API}/open/toilets/rows", HTTP_X_APP_KEY=key).status_code == 403  # not open yet
    services.open_resource(Resource.objects.get(pk=res.pk))
    r = anon.get(f"{API}/open/toilets/rows", HTTP_X_APP_KEY=key)
    assert r.status_code == 200 and r.json()["rows"] == [{"name": "A厕", "keeper": "王**"}]
    r = anon.get(f"{API}/open/toilets/rows", HTTP_X_APP_KEY=key)
    assert r.status_code == 429 and r.json()["code"] == "rate-limited"
    assert services.usage_totals(res)["api_calls"] == 1


def test_retry_after_is_the_seconds_until_the_window_frees_a_slot(people):
    app, _key = services.register_app(people["resident"], "计时", per_minute=2)
    services.check_rate(app, now=120.3)
    services.check_rate(app, now=150.0)
    for now, expected in ((150.0, "30"), (179.5, "1"), (120.3, "60")):
        with pytest.raises(ApiError) as err:
            services.check_rate(app, now=now)
        assert err.value.status == 429 and err.value.headers == {"Retry-After": expected}
    services.check_rate(app, now=180.0)  # the next window: a call passes again


def _until_refused(call, limit=10):
    """Call until the window is spent (a window may turn over meanwhile, so not a fixed count)."""
    for _ in range(limit):
        r = call()
        if r.status_code == 429:
            return r
        assert r.status_code == 200, r.content
    raise AssertionError(f"no 429 in {limit} calls")


def test_a_limited_key_gets_an_honest_retry_after(people, orgs, settings):
    settings.SMARTCOUNTY_CATALOG_RATE_WINDOW_S = 2
    res = services.create_resource({"code": "218001/00003", "slug": "benches", "name": "公共座椅", "domain": "18",
                                    "sharing_type": "unconditional"}, [{"name": "name"}],
                                   provider_org_id=orgs["health"].pk)
    services.publish_dataset(res.code, [{"name": "甲"}])
    services.open_resource(Resource.objects.get(pk=res.pk))
    key = post(client_for(people["resident"]), f"{API}/apps", {"name": "座椅", "per_minute": 2}).json()["key"]
    anon = client_for()
    for call in (lambda: anon.get(f"{API}/open/benches/rows", HTTP_X_APP_KEY=key),  # the keyed open API
                 lambda: anon.get("/api/3/action/status_show", HTTP_X_CKAN_API_KEY=key)):  # the CKAN action API
        refused = _until_refused(call)
        wait = refused["Retry-After"]
        assert wait.isdigit() and 1 <= int(wait) <= 2, wait
        time.sleep(int(wait))
        assert call().status_code == 200  # waiting as told is enough


def test_opening_is_refused_while_a_column_looks_personal(people, orgs):
    res = services.create_resource({"code": "218001/00002", "slug": "contacts", "name": "联系", "domain": "18",
                                    "sharing_type": "unconditional"},
                                   [{"name": "site"}, {"name": "who"}, {"name": "tel"}], provider_org_id=orgs["health"].pk)
    services.publish_dataset(res.code, [{"site": "甲", "who": n, "tel": p} for n, p in
                                        (("张三", "13812345678"), ("李四", "13912345678"))])
    staff = client_for(people["health_staff"])
    check = staff.get(f"{API}/resources/contacts/personal-check").json()
    assert check["undeclared"] == {"who": "name", "tel": "phone"}
    r = post(staff, f"{API}/resources/contacts/open", {})
    assert r.status_code == 409 and r.json()["code"] == "personal-data"
    assert Resource.objects.get(pk=res.pk).open_type == "closed"
    assert post(client_for(people["env_staff"]), f"{API}/resources/contacts/open", {}).status_code == 403



@pytest.mark.parametrize("path", ["/resources", "/resources/aqi-daily", "/resources/aqi-daily/versions",
                                  "/resources/aqi-daily/rows", "/resources/aqi-daily/reads",
                                  "/resources/aqi-daily/personal-check", "/requests", "/grants", "/indicators"])
def test_every_read_endpoint_refuses_anonymous_and_residents(people, aqi, path):
    assert client_for().get(API + path).status_code == 401
    assert client_for(people["resident"]).get(API + path).status_code == 403


@pytest.mark.parametrize(("method", "path", "body"), [
    ("patch", "/resources/aqi-daily", {"summary": "x"}),
    ("post", "/resources/aqi-daily/open", {}),
    ("get", "/resources/aqi-daily/personal-check", None),
    ("get", "/resources/aqi-daily/reads", None),
])
def test_provider_endpoints_refuse_other_organisations(people, aqi, method, path, body):
    c = client_for(people["health_admin"])
    if body is None:
        r = c.get(API + path)
    else:
        r = getattr(c, method)(API + path, json.dumps(body), content_type="application/json")
    assert r.status_code == 403 and r["Content-Type"] == "application/problem+json"
