"""Cockpit panels over the real catalog services: pending sharing requests and the provider's work list."""

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from smartcounty.foundation.cockpit import panels
from smartcounty.foundation.cockpit.schemas import PanelContext
from smartcounty.kernel import registry

pytestmark = pytest.mark.skipif(not apps.is_installed("smartcounty.foundation.catalog"), reason="catalog not installed")


@pytest.fixture
def catalog_demo(db):
    registry.demo_loaders.get("accounts").load()
    registry.demo_loaders.get("catalog").load()
    Organisation = get_user_model()._meta.get_field("organisation").related_model
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=["civil-affairs", "gov-office"])}
    User = get_user_model()
    provider = User.objects.create_user("mz-staff", password="x-Secret-2026!", role="staff", kind="staff",
                                        organisation=orgs["civil-affairs"])
    asker = User.objects.create_user("gov-asker", password="x-Secret-2026!", role="staff", kind="staff",
                                     organisation=orgs["gov-office"])
    return orgs, provider, asker


def test_pending_request_is_a_figure_and_the_providers_work(catalog_demo):
    from smartcounty.foundation.catalog import services as catalog

    orgs, provider, asker = catalog_demo
    before = panels.sharing_pending(PanelContext())
    assert before["value"] == 0 and before["level"] == "ok"
    opened = panels.open_datasets(PanelContext())
    assert opened["value"] >= 1
    resource = catalog.get_resource("216001/00001")
    catalog.submit_request(resource, org_id=orgs["gov-office"].pk, org_code="gov-office", user=asker,
                           purpose="低保复核", fields=["name"], period_start=date.today(),
                           period_end=date.today() + timedelta(days=30))
    after = panels.sharing_pending(PanelContext())
    assert after["value"] == 1 and after["level"] == "warn"
    work = panels.sharing_to_decide(PanelContext(user=provider, organisation_id=provider.organisation_id))["items"]
    assert len(work) == 1 and "冠县城乡低保对象名册" in work[0]["title"] and work[0]["due"]
    assert panels.sharing_to_decide(PanelContext(user=asker, organisation_id=asker.organisation_id))["items"] == []
