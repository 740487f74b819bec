"""Issue 20, finding 3: the CKAN API applies the same token scopes and permissions as /api/v1."""

import json

import pytest
from django.apps import apps
from django.test import Client

from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.catalog import demo
from smartcounty.foundation.catalog.models import Resource
from smartcounty.kernel import registry

URLCONF = "smartcounty.foundation.catalog.tests.ckan_urls"
pytestmark = pytest.mark.urls(URLCONF)
PUBLIC = ["gx-aqi-daily", "gx-divisions", "gx-enterprises", "gx-public-toilets"]
EVERY = sorted([*PUBLIC, "gx-household-register", "gx-subsistence-allowance"])


@pytest.fixture
def county(orgs):
    Organisation = apps.get_model("accounts", "Organisation")
    for code, name in (("law-enforcement", "县综合行政执法局"), ("public-security", "县公安局")):
        Organisation.objects.get_or_create(code=code, defaults={"name": name})
    demo.load()
    return {r.slug: r for r in Resource.objects.all()}


def _key(user, *scopes):
    return accounts.issue_token(user, "ckan", list(scopes))[1]


def _actions(county):
    """Every CKAN action with parameters that return data to a caller who may see it."""
    aqi = str(county["gx-aqi-daily"].datastore_uuid)
    return [("status_show", {}), ("package_list", {}), ("package_show", {"id": "gx-aqi-daily"}),
            ("package_search", {"q": "冠县"}), ("organization_list", {"all_fields": True}),
            ("organization_show", {"id": "ecology-environment", "include_datasets": True}),
            ("group_list", {}), ("group_show", {"id": "environment"}), ("resource_show", {"id": aqi}),
            ("datastore_search", {"resource_id": aqi, "limit": 2})]


def _call(action, params, key=None, header="HTTP_AUTHORIZATION"):
    extra = {header: key} if key else {}
    return Client().post(f"/api/3/action/{action}", json.dumps(params), content_type="application/json", **extra)


@pytest.mark.parametrize("scopes", [("places",), ("cases", "places"), ("catalog.manage",)])
@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_CKAN_API_KEY"])
def test_a_token_without_the_catalog_scope_is_refused_everywhere(county, people, scopes, header):
    key = _key(people["health_staff"], *scopes)
    # /api/v1 refuses it ...
    assert Client().get("/api/v1/catalog/resources", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 403
    # ... and so does every CKAN action, with CKAN's envelope (not served as if anonymous)
    for action, params in _actions(county):
        r = _call(action, params, key, header)
        assert r.status_code == 403, (action, r.content)
        body = r.json()
        assert body["success"] is False and body["error"]["__type"] == "Authorization Error"
        assert "result" not in body
    bearer = Client().get("/api/3/action/package_list", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert bearer.status_code == 403
    # and the resource download the CKAN resource points at
    url = _call("resource_show", {"id": str(county["gx-aqi-daily"].datastore_uuid)}).json()["result"]["url"]
    assert url.endswith("/catalog/d/gx-aqi-daily/download.csv")
    assert Client().get("/catalog/d/gx-aqi-daily/download.csv", **{header: key}).status_code == 403


def test_right_scope_anonymous_and_another_department(county, people):
    anonymous = {a: _call(a, p) for a, p in _actions(county)}
    assert all(r.status_code == 200 for r in anonymous.values())
    assert anonymous["package_list"].json()["result"] == PUBLIC
    for scopes in (("catalog",), ("*",), ("catalog.view", "places")):
        key = _key(people["health_staff"], *scopes)  # staff of another department than any provider here
        assert Client().get("/api/v1/catalog/resources", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
        for action, params in _actions(county):
            r = _call(action, params, key)
            assert r.status_code == 200 and r.json()["success"] is True, (scopes, action, r.content)
        # package_list is public only, as in CKAN; include_private adds every catalogued resource, the
        # modules' live datasets (not open before they hold data) among them
        live = [slug for slug, r in county.items() if r.code in registry.catalog_resources]
        assert _call("package_list", {}, key).json()["result"] == PUBLIC
        found = _call("package_search", {"include_private": True, "rows": 1000, "sort": "name asc"}, key).json()
        assert [p["name"] for p in found["result"]["results"]] == sorted([*EVERY, *live])
        assert _call("package_search", {"rows": 1000}, key).json()["result"]["count"] == len(PUBLIC)
        assert _call("package_show", {"id": "gx-subsistence-allowance"}, key).status_code == 200
        assert Client().get("/catalog/d/gx-aqi-daily/download.csv", HTTP_AUTHORIZATION=key).content == \
            Client().get("/catalog/d/gx-aqi-daily/download.csv").content
    assert _call("package_show", {"id": "gx-subsistence-allowance"}).status_code == 404  # anonymous
    allowance = str(county["gx-subsistence-allowance"].datastore_uuid)
    key = _key(people["health_staff"], "catalog")
    refused = _call("datastore_search", {"resource_id": allowance}, key)
    assert refused.status_code == 403 and refused.json()["error"]["__type"] == "Authorization Error"
    # the provider's own staff reads it, unmasked
    own = _call("datastore_search", {"resource_id": allowance}, _key(people["civil_staff"], "catalog"))
    assert own.status_code == 200 and "*" not in own.json()["result"]["records"][0]["id_number"]
    # a resident's catalog token sees the public catalog, like the portal
    resident = _key(people["resident"], "catalog")
    assert _call("package_list", {}, resident).json()["result"] == PUBLIC
    found = _call("package_search", {"include_private": True, "rows": 1000, "sort": "name asc"}, resident).json()
    assert [p["name"] for p in found["result"]["results"]] == PUBLIC


def test_a_revoked_token_is_refused(county, people):
    token, key = accounts.issue_token(people["health_staff"], "ckan", ["catalog"])
    assert _call("package_list", {}, key).status_code == 200
    accounts.revoke_token(token, actor=people["health_staff"])
    r = _call("package_list", {}, key)
    assert r.status_code == 403 and r.json()["error"]["__type"] == "Authorization Error"
    assert Client().get("/catalog/d/gx-aqi-daily/download.csv", HTTP_AUTHORIZATION=key).status_code == 403
