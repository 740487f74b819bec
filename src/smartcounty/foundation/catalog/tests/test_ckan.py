import json
import re

import pytest
from ckanapi import NotFound, RemoteCKAN, ValidationError
from django.test import Client

from smartcounty.foundation.catalog import demo, services
from smartcounty.foundation.catalog.models import Resource
from smartcounty.kernel.models import AuditEntry

URLCONF = "smartcounty.foundation.catalog.tests.ckan_urls"
pytestmark = pytest.mark.urls(URLCONF)


@pytest.fixture
def county(orgs):
    """The demo catalog (needs the demo providers)."""
    from django.apps import apps

    Organisation = apps.get_model("accounts", "Organisation")
    for code, name in (("law-enforcement", "县综合行政执法局"), ("public-security", "县公安局")):
        Organisation.objects.get_or_create(code=code, defaults={"name": name})
    assert demo.load() == 6
    return {r.slug: r for r in Resource.objects.all()}


def _portal_slugs(client, path="/catalog/", **params):
    html = client.get(path, params).content.decode()
    return re.findall(r'<li data-slug="([^"]+)"', html)


def test_ckanapi_client_sees_what_the_portal_shows(county, live_server):
    ckan = RemoteCKAN(live_server.url, user_agent="smartcounty-tests/1.0")
    portal = Client()
    # list: the public catalog (open data and metadata-only entries), nothing restricted
    listed = ckan.action.package_list()
    assert listed == sorted(["gx-aqi-daily", "gx-divisions", "gx-public-toilets", "gx-enterprises"])
    assert sorted(_portal_slugs(portal)) == listed
    # search with Chinese words and facets, same order as the portal
    found = ckan.call_action("package_search", {"q": "冠县 公共厕所", "facet.field": ["organization", "groups", "tags"],
                                                "rows": 10})
    assert [p["name"] for p in found["results"]] == _portal_slugs(portal, q="冠县 公共厕所") == ["gx-public-toilets"]
    everything = ckan.call_action("package_search", {"q": "", "facet.field": ["organization", "groups"], "rows": 2,
                                                     "start": 0})
    assert everything["count"] == 4 and len(everything["results"]) == 2
    assert everything["facets"]["organization"] == {"civil-affairs": 1, "ecology-environment": 1,
                                                    "law-enforcement": 1, "market-regulation": 1}
    assert everything["search_facets"]["groups"]["items"][0]["count"] == 1
    env = ckan.call_action("package_search", {"fq": "groups:environment", "rows": 5})
    assert [p["name"] for p in env["results"]] == _portal_slugs(portal, "/catalog/domain/environment/") == [
        "gx-aqi-daily"]
    # show a dataset
    pkg = ckan.action.package_show(id="gx-aqi-daily")
    assert pkg["title"] == "冠县空气质量日报" and pkg["organization"]["name"] == "ecology-environment"
    assert pkg["groups"][0]["name"] == "environment" and pkg["resources"][0]["datastore_active"] is True
    page = portal.get("/catalog/d/gx-aqi-daily/").content.decode()
    assert pkg["title"] in page and pkg["resources"][0]["id"] in page
    # read datastore rows: the same rows as the portal's preview
    rows = ckan.action.datastore_search(resource_id=pkg["resources"][0]["id"], limit=5)
    assert rows["total"] == 30 and len(rows["records"]) == 5
    assert [f["id"] for f in rows["fields"]] == ["_id", "station", "day", "aqi", "level", "primary"]
    first = rows["records"][0]
    assert f"<td>{first['day']}</td>" in page and f"<td>{first['aqi']}</td>" in page
    # organisations and groups
    # by title, as CKAN sorts organisations by default
    assert ckan.action.organization_list(sort="name asc") == ["civil-affairs", "ecology-environment",
                                                              "law-enforcement", "market-regulation"]
    assert ckan.action.organization_show(id="civil-affairs")["package_count"] == 1
    groups = ckan.action.group_list()
    assert len(groups) == 22 and groups[0] == "credit"
    assert ckan.action.group_show(id="daily-life")["package_count"] == 1
    assert ckan.action.resource_show(id=pkg["resources"][0]["id"])["package_id"] == pkg["id"]
    assert ckan.action.status_show()["ckan_version"].startswith("2.")
    # errors come back as CKAN errors
    with pytest.raises(NotFound):
        ckan.action.package_show(id="gx-subsistence-allowance")  # restricted: not in the public catalog
    with pytest.raises(ValidationError):
        ckan.action.package_search(rows="many")


def test_get_and_both_prefixes_without_redirects(county):
    c = Client()
    for prefix in ("/api/3/action/", "/api/action/"):
        r = c.get(prefix + "package_show", {"id": "gx-divisions"})
        assert r.status_code == 200 and r.json()["success"] is True
        assert r.json()["result"]["name"] == "gx-divisions"
    assert c.get("/api/3/action/package_list/").status_code == 200
    r = c.get("/api/3/action/no_such_action")
    assert r.status_code == 400 and r.json()["success"] is False and r.json()["error"]["__type"] == "Bad Request"
    r = c.get("/api/3/action/package_show", {"id": "nope"})
    assert r.status_code == 404 and r.json()["error"]["__type"] == "Not Found Error"
    r = c.post("/api/3/action/package_search", "{oops", content_type="application/json")
    assert r.status_code == 400 and r.json()["success"] is False
    r = c.get("/api/3/action/package_list", HTTP_AUTHORIZATION="not-a-key")
    assert r.status_code == 403 and r.json()["error"]["__type"] == "Authorization Error"


def test_metadata_only_resource_has_no_public_rows(county):
    c = Client()
    res_id = c.get("/api/3/action/package_show", {"id": "gx-enterprises"}).json()["result"]["resources"][0]["id"]
    r = c.get("/api/3/action/datastore_search", {"resource_id": res_id})
    assert r.status_code == 403 and r.json()["error"]["__type"] == "Authorization Error"


def test_an_organisation_key_reads_shared_data_audited(county, people):
    from smartcounty.foundation.accounts import services as accounts

    _token, secret = accounts.issue_token(people["health_staff"], "ckan", ["catalog"])
    c = Client()
    headers = {"HTTP_X_CKAN_API_KEY": secret}
    # CKAN never lists private datasets; a search asks for them with include_private
    listed = c.get("/api/3/action/package_list", **headers).json()["result"]
    assert "gx-subsistence-allowance" not in listed and "gx-aqi-daily" in listed
    found = c.get("/api/3/action/package_search", {"include_private": "true", "rows": 100}, **headers).json()
    names = [p["name"] for p in found["result"]["results"]]
    assert "gx-subsistence-allowance" in names and "gx-household-register" in names
    firms = c.get("/api/3/action/package_show", {"id": "gx-enterprises"}, **headers).json()["result"]
    r = c.post("/api/3/action/datastore_search",
               json.dumps({"resource_id": firms["resources"][0]["id"], "limit": 3}), content_type="application/json",
               HTTP_AUTHORIZATION=secret)
    assert r.status_code == 200, r.content
    rec = r.json()["result"]["records"][0]
    assert rec["legal_person"].endswith("*") and "****" in rec["phone"]
    read = AuditEntry.objects.filter(action="catalog.read", object_id="102001/00001").get()
    assert read.detail["channel"] == "ckan" and read.detail["rows"] == 3 and read.actor == "health_staff"
    allowance = c.get("/api/3/action/package_show", {"id": "gx-subsistence-allowance"}, **headers).json()["result"]
    r = c.get("/api/3/action/datastore_search", {"resource_id": allowance["resources"][0]["id"]}, **headers)
    assert r.status_code == 403


def test_portal_pages_downloads_and_usage(county):
    c = Client()
    home = c.get("/catalog/")
    assert home.status_code == 200 and "地名地址" in home.content.decode()
    assert c.get("/catalog/domain/daily-life/").status_code == 200
    assert c.get("/catalog/domain/nope/").status_code == 404
    page = c.get("/catalog/d/gx-enterprises/").content.decode()
    assert "download.csv" not in page  # metadata only
    assert c.get("/catalog/d/gx-subsistence-allowance/").status_code == 404
    assert c.get("/catalog/d/gx-enterprises/download.csv").status_code == 404
    csv_body = c.get("/catalog/d/gx-aqi-daily/download.csv").content.decode("utf-8-sig")
    assert csv_body.splitlines()[0] == "station,day,aqi,level,primary" and len(csv_body.splitlines()) == 31
    gj = json.loads(c.get("/catalog/d/gx-public-toilets/download.geojson").content)
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 24
    assert c.get("/catalog/d/gx-aqi-daily/download.geojson").status_code == 404  # not spatial
    xlsx = c.get("/catalog/d/gx-divisions/download.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    data = json.loads(c.get("/catalog/d/gx-divisions/download.json").content)
    assert len(data["records"]) == 18
    usage = services.usage_totals(county["gx-aqi-daily"])
    assert usage["downloads"] == 1 and usage["views"] == 0
    c.get("/catalog/d/gx-aqi-daily/")
    assert services.usage_totals(county["gx-aqi-daily"])["views"] == 1
    per_domain = {d["slug"]: d for d in services.per_domain()}
    assert per_domain["place-names"]["downloads"] == 2 and per_domain["environment"]["open_datasets"] == 1


def test_demo_is_idempotent_and_indicators(county):
    from smartcounty.kernel import registry

    assert demo.load() == 0
    # The modules' live datasets (registry.catalog_resources) are catalogued beside the demo and fill from live
    # data, not from it: the demo's own indicators are judged without them.
    live = Resource.objects.filter(code__in=list(registry.catalog_resources))
    assert live.exists() and not live.filter(is_demo=True).exists()
    live.delete()
    comp = {c["organisation"]: c for c in services.completeness()}
    assert comp["ecology-environment"]["ratio"] == 1.0
    assert comp["public-security"]["complete"] == 0  # catalogue entry only, no data
    assert all(r.is_demo and r.summary.startswith("【演示数据】") for r in Resource.objects.all())
