from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps

from smartcounty.foundation.cockpit.schemas import CockpitPanel, WorkItem
from smartcounty.foundation.cockpit.services import temporary_panels as registered
from smartcounty.kernel import registry

pytestmark = pytest.mark.django_db
places_installed = apps.is_installed("smartcounty.foundation.places")


def test_home_is_public_chinese_and_mobile_ready(client):
    r = client.get("/portal/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "冠县居民服务" in html and 'name="viewport"' in html
    assert "portal/portal.css" in html and "vendor/htmx/htmx.min.js" in html


def test_home_in_english(client):
    r = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Guan County resident services" in r.content.decode()


def test_home_shows_public_warnings_and_never_staff_panels(client):
    public = CockpitPanel(key="testmod.warn", title="w", kind="list", audience="public", topic="warnings", order=0,
                          data=lambda ctx: {"items": [{"title": "暴雨黄色预警", "level": "warn"}]})
    with registered(public):
        html = client.get("/portal/").content.decode()
    assert "暴雨黄色预警" in html
    staff_only = CockpitPanel(key="testmod.warn2", title="w", kind="list", topic="warnings", order=-1,
                              data=lambda ctx: {"items": [{"title": "内部告警", "level": "bad"}]})
    with registered(staff_only):
        assert "内部告警" not in client.get("/portal/").content.decode()


def test_air_topic_takes_the_lowest_order_panel_and_the_town(client):
    seen = []

    def air(ctx):
        seen.append(ctx.town_code)
        return {"value": 57, "unit": "AQI", "note": "良", "level": "warn"}

    with registered(CockpitPanel(key="testmod.air", title="空气质量", kind="figure", audience="public", topic="air",
                                 order=-10, data=air)):
        html = client.get("/portal/").content.decode()
    assert ">57<" in html and "良" in html
    assert seen == [None]


@pytest.mark.skipif(not places_installed, reason="places not installed")
def test_air_fragment_checks_its_input(client, db):
    assert client.get("/portal/air/").status_code == 400
    assert client.get("/portal/air/", {"town": "abc"}).status_code == 400
    assert client.get("/portal/air/", {"town": "999999999"}).status_code == 400
    assert client.get("/portal/air/", {"lon": "x", "lat": "1"}).status_code == 400
    assert client.get("/portal/air/", {"lon": "500", "lat": "1"}).status_code == 400
    r = client.get("/portal/air/", {"lon": "2.35", "lat": "48.85"})  # Paris: outside the county
    assert r.status_code == 200 and "冠县" in r.content.decode()
    assert "portal_town" not in client.session


def test_service_links_only_for_pages_that_exist(client):
    html = client.get("/portal/").content.decode()
    for key, _t, _d, names, _s in __import__("smartcounty.foundation.portal.views", fromlist=["SERVICES"]).SERVICES:
        exists = any(_reverses(n) for n in names)
        assert (f'data-service="{key}"' in html) == exists


def _reverses(name):
    from django.urls import NoReverseMatch, reverse

    try:
        reverse(name)
        return True
    except NoReverseMatch:
        return False


def test_menu_entries():
    assert registry.menu.get("portal").public is True
    assert registry.menu.get("portal.staff").permission == "portal.staff_home"


# ---- staff home ----

def test_staff_home_refuses_anonymous_and_residents(client, make_user):
    r = client.get("/portal/staff/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    client.force_login(make_user("res", "resident"))
    assert client.get("/portal/staff/").status_code == 403


def test_staff_home_lists_my_organisations_work_most_urgent_first(client, make_user, orgs):
    now = datetime.now(UTC)
    items = {orgs[0].pk: [WorkItem(title="稍后到期", due=now + timedelta(days=2)),
                          WorkItem(title="已超期案件", due=now - timedelta(hours=3), level=2),
                          WorkItem(title="待确认告警", level=3, count=4)]}
    panel = CockpitPanel(key="testmod.work", title="work", kind="worklist",
                         data=lambda ctx: {"items": [i.as_dict() for i in items.get(ctx.organisation_id, [])]})
    with registered(panel):
        client.force_login(make_user("sa", "staff", orgs[0]))
        html = client.get("/portal/staff/").content.decode()
        assert html.index("已超期案件") < html.index("稍后到期") < html.index("待确认告警")
        assert "超期" in html and "6" in html
        client.force_login(make_user("sb", "staff", orgs[1]))
        html = client.get("/portal/staff/").content.decode()
        assert "已超期案件" not in html
