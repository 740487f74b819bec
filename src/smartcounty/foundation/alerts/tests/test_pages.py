"""Pages: the alerts page (HTMX acknowledge/resolve), alert detail, rules page; who may see and act."""

import pytest
from django.test import Client

from smartcounty.foundation.alerts import services
from smartcounty.foundation.alerts.models import Alert
from smartcounty.foundation.alerts.schemas import RuleIn

pytestmark = pytest.mark.django_db


def client_for(user=None, lang="zh-hans"):
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def alert_a(users):
    out = services.raise_alert(source="environment", key="a", title="PM2.5 超标", level=3, town="371525001",
                               organisation_id=users["staff_a"].organisation_id)
    return Alert.objects.get(pk=out.id)


def test_alerts_page_in_chinese_with_live_feed_and_vendored_htmx(users, alert_a):
    r = client_for(users["staff_a"]).get("/alerts/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "告警" in html and "PM2.5 超标" in html and "橙色" in html and "确认" in html
    assert "/static/vendor/htmx/htmx.min.js" in html and "/alerts/feed" in html
    assert "http://" not in html and "https://" not in html  # nothing from the internet
    r = client_for(users["staff_a"], "en").get("/alerts/?state=open&level=3")
    assert "Acknowledge" in r.content.decode()


def test_pages_refuse_anonymous_residents_and_other_organisations(users, alert_a):
    for path in ("/alerts/", "/alerts/rules/", f"/alerts/{alert_a.id}/"):
        r = client_for().get(path)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]
        assert client_for(users["resident"]).get(path).status_code == 403
    assert client_for(users["staff_b"]).get(f"/alerts/{alert_a.id}/").status_code == 404
    assert "PM2.5 超标" not in client_for(users["staff_b"]).get("/alerts/").content.decode()
    for who in ("resident", "staff_b", "grid_a"):
        r = client_for(users[who]).post(f"/alerts/{alert_a.id}/resolve")
        assert r.status_code in (403, 404)
    assert client_for().post(f"/alerts/{alert_a.id}/resolve").status_code == 302
    alert_a.refresh_from_db()
    assert alert_a.state == "raised"


def test_htmx_acknowledge_and_resolve_return_the_row(users, alert_a):
    c = client_for(users["staff_a"])
    r = c.post(f"/alerts/{alert_a.id}/acknowledge", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and f'id="alert-{alert_a.id}"' in r.content.decode() and "已确认" in r.content.decode()
    r = c.post(f"/alerts/{alert_a.id}/resolve", {"note": "现场处置完毕"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "已解除" in r.content.decode()
    alert_a.refresh_from_db()
    assert alert_a.state == "resolved" and alert_a.history.last().note == "现场处置完毕"
    assert c.get(f"/alerts/{alert_a.id}/").status_code == 200
    # the table fragment for HTMX filter requests
    r = c.get("/alerts/?state=resolved", HTTP_HX_REQUEST="true")
    assert "<table" in r.content.decode() and "<html" not in r.content.decode()


def test_rules_page_and_menu(users):
    services.create_rule(RuleIn(name="烟感报警", kind="threshold", property="smoke", params={"op": "above", "value": 0}))
    html = client_for(users["grid_a"]).get("/alerts/rules/").content.decode()
    assert "烟感报警" in html and "阈值" in html
    home = client_for(users["staff_a"]).get("/").content.decode()
    assert 'href="/alerts/"' in home and 'href="/alerts/rules/"' in home
    assert 'href="/alerts/"' not in client_for(users["resident"]).get("/").content.decode()


def test_demo_rules_load_idempotently():
    from smartcounty.foundation.alerts import demo
    from smartcounty.foundation.alerts.models import Rule
    from smartcounty.foundation.sensing import services as sensing

    station = sensing.create_thing("test-river-1", "卫运河测试站", lon=115.3, lat=36.5, kind="water_level",
                                   properties={"warning_level": 38.5, "guarantee_level": 40.0})
    sensing.create_datastream(station, "water_level")
    demo.load()
    n = Rule.objects.count()
    demo.load()
    assert n == len(demo.DEMO_RULES) and Rule.objects.count() == n
    assert {r.kind for r in Rule.objects.all()} == {"threshold", "multi_level", "rate", "no_data"}
    # the gauge's marks are judged by the water module's own flood alert, not by a second rule
    assert not Rule.objects.filter(thing_id=station.id).exists()
