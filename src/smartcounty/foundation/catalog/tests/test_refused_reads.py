"""A resident refused catalog data is evidence too: every refused read by a signed-in caller is audited."""

import pytest
from django.test import Client

from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.catalog import demo
from smartcounty.kernel.models import AuditEntry


def refused(actor):
    return AuditEntry.objects.filter(action="catalog.read_refused", actor=actor)


def test_a_resident_refused_the_data_api_is_audited(people, allowance):
    c = Client()
    c.force_login(people["resident"])
    r = c.get(f"/api/v1/catalog/resources/{allowance.slug}/rows")
    assert r.status_code == 403
    row = refused("resident").get()
    assert row.object_id == allowance.slug and row.detail["channel"] == "api"
    # An anonymous caller is refused with 401 and is nobody to audit.
    assert Client().get(f"/api/v1/catalog/resources/{allowance.slug}/rows").status_code == 401
    assert AuditEntry.objects.filter(action="catalog.read_refused").count() == 1


@pytest.mark.urls("smartcounty.foundation.catalog.tests.ckan_urls")
def test_a_resident_refused_through_ckan_is_audited(people, orgs):
    from django.apps import apps

    Organisation = apps.get_model("accounts", "Organisation")
    for code, name in (("law-enforcement", "县综合行政执法局"), ("public-security", "县公安局")):
        Organisation.objects.get_or_create(code=code, defaults={"name": name})
    demo.load()
    _token, secret = accounts.issue_token(people["resident"], "ckan", ["*"])
    c = Client()
    res_id = c.get("/api/3/action/package_show", {"id": "gx-enterprises"}).json()["result"]["resources"][0]["id"]
    assert c.get("/api/3/action/datastore_search", {"resource_id": res_id}).status_code == 403  # anonymous
    assert not AuditEntry.objects.filter(action="catalog.read_refused").exists()
    r = c.get("/api/3/action/datastore_search", {"resource_id": res_id}, HTTP_AUTHORIZATION=secret)
    assert r.status_code == 403
    row = refused("resident").get()
    assert row.detail["channel"] == "ckan" and row.object_id
