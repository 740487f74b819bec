"""Every endpoint and page: the anonymous get 401 / the sign-in page, residents, grid workers and other
organisations' staff 403; the security office (县委网信办) and the platform administrator may; lists keep their
query counts whatever their length; bad input is a 422 with a Chinese message and changes nothing."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from smartcounty.domains.security import services
from smartcounty.domains.security.models import Block, CriticalSystem, Event, Site

from .conftest import OTHER, client

READS = ["/api/v1/security/systems", "/api/v1/security/systems/{system}", "/api/v1/security/sites",
         "/api/v1/security/sites/{site}", "/api/v1/security/events", "/api/v1/security/events/{event}",
         "/api/v1/security/blocks", "/api/v1/security/blocks?active=false"]
PAGES = ["/security/", "/security/events/{event}/"]


@pytest.fixture
def world(people):
    now = timezone.now()
    s = CriticalSystem.objects.create(code="GX-T-1", name="测试系统", owner_organisation_id=people.ids["gov-office"],
                                      level=3, assessed_on=now.date() - timedelta(days=400),
                                      next_due=now.date() - timedelta(days=35))
    site = Site.objects.create(name="门户", host="www.example.cn", port=443)
    e = Event.objects.create(at=now, scenario="sqli", ip="203.0.113.77", count=11,
                             evidence={"bucket": "10/1s", "samples": [{"t": now.timestamp(), "m": "GET", "p": "/x",
                                                                       "where": "q", "rules": ["libinjection"],
                                                                       "value": "<b>1' or 1=1</b>"}]})
    b = Block.objects.create(ip="203.0.113.77", reason="sqli", event=e, created_at=now, until=now + timedelta(hours=1))
    people.system, people.site, people.event, people.block = s.id, site.id, e.id, b.id
    return people


def fmt(raw, w):
    return raw.format(system=w.system, site=w.site, event=w.event)


def post(c, url, body):
    return c.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_reads_are_the_office_s(world):
    for raw in READS:
        url = fmt(raw, world)
        assert client(ip=OTHER).get(url).status_code == 401, url
        for outsider in (world.resident, world.worker, world.other):
            assert client(outsider, ip=OTHER).get(url).status_code == 403, url
        for insider in (world.officer, world.office_admin, world.admin):
            assert client(insider, ip=OTHER).get(url).status_code == 200, url
    for raw in PAGES:
        url = fmt(raw, world)
        assert client(ip=OTHER).get(url).status_code == 302, url
        for outsider in (world.resident, world.worker, world.other):
            assert client(outsider, ip=OTHER).get(url).status_code == 403, url
        assert client(world.officer, ip=OTHER).get(url).status_code == 200, url


@pytest.mark.django_db
def test_writes_are_the_office_s(world):
    writes = [
        ("/api/v1/security/systems", {"code": "GX-T-2", "name": "新系统", "owner_organisation_id": world.ids["housing"],
                                      "level": 2}),
        (f"/api/v1/security/systems/{world.system}/assessments", {"assessed_on": str(timezone.localdate())}),
        ("/api/v1/security/blocks", {"ip": "198.51.100.200", "minutes": 30}),
        (f"/api/v1/security/blocks/{world.block}/lift", {}),
    ]
    for url, body in writes:
        assert post(client(ip=OTHER), url, body).status_code == 401, url
        for outsider in (world.resident, world.worker, world.other):
            assert post(client(outsider, ip=OTHER), url, body).status_code == 403, url
    assert CriticalSystem.objects.count() == 1 and Block.objects.filter(lifted_at__isnull=True).count() == 1
    c = client(world.officer, ip=OTHER)
    r = post(c, *writes[0])
    assert r.status_code == 201 and r.json()["next_due"] == str(timezone.localdate())  # never assessed: due now
    r = post(c, *writes[1])
    assert r.status_code == 200 and r.json()["state"] == "ok"
    assert post(c, *writes[2]).status_code == 201
    r = post(c, *writes[3])
    assert r.status_code == 200 and r.json()["active"] is False
    for url in (f"/security/blocks/{world.block}/lift/", f"/security/systems/{world.system}/assessment/",
                f"/security/sites/{world.site}/check/"):
        assert client(world.other, ip=OTHER).post(url).status_code == 403, url
        assert client(world.officer, ip=OTHER).get(url).status_code == 405, url


@pytest.mark.django_db
def test_bad_input(world):
    c = client(world.officer, ip=OTHER)
    r = post(c, "/api/v1/security/systems", {"code": "GX-T-1", "name": "重复", "owner_organisation_id": world.ids["housing"],
                                             "level": 3})
    assert r.status_code == 409 and r.json()["field"] == "code"
    r = post(c, "/api/v1/security/systems", {"code": "GX-T-3", "name": "x", "owner_organisation_id": world.ids["housing"],
                                             "level": 6})
    assert r.status_code == 422
    future = str(timezone.localdate() + timedelta(days=1))
    r = post(c, f"/api/v1/security/systems/{world.system}/assessments", {"assessed_on": future})
    assert r.status_code == 422 and "今天" in r.json()["detail"]
    r = post(c, "/api/v1/security/blocks", {"ip": "not-an-ip", "minutes": 5})
    assert r.status_code == 422 and r.json()["field"] == "ip"
    assert c.get("/api/v1/security/events?ip=zzz").status_code == 422
    r = post(c, "/api/v1/security/sites", {"name": "内网", "host": "127.0.0.1", "port": 443})
    assert r.status_code == 422 and r.json()["field"] == "host"
    assert CriticalSystem.objects.count() == 1 and not Block.objects.filter(ip="198.51.100.200").exists()


@pytest.mark.django_db
def test_list_query_counts_do_not_grow(world, django_assert_max_num_queries):
    now = timezone.now()
    for i in range(30):
        CriticalSystem.objects.create(code=f"GX-Q-{i}", name=f"系统{i}", owner_organisation_id=world.ids["housing"],
                                      level=2 + i % 3)
        Site.objects.create(name=f"站点{i}", host=f"s{i}.example.cn", port=443, owner_organisation_id=world.ids["housing"])
        Event.objects.create(at=now, scenario="xss", ip=f"203.0.113.{i}", count=6, evidence={})
        Block.objects.create(ip=f"203.0.113.{i}", reason="xss", created_at=now, until=now + timedelta(hours=1))
    c = client(world.officer, ip=OTHER)
    for url in ("/api/v1/security/systems", "/api/v1/security/sites", "/api/v1/security/events",
                "/api/v1/security/blocks"):
        with django_assert_max_num_queries(8):
            r = c.get(url)
        assert r.status_code == 200 and r.json()["count"] >= 30, url
    with django_assert_max_num_queries(20):
        assert c.get("/security/").status_code == 200


@pytest.mark.django_db
def test_the_page_escapes_evidence(world):
    html = client(world.officer, ip=OTHER).get(f"/security/events/{world.event}/").content.decode()
    assert "&lt;b&gt;1&#x27; or 1=1&lt;/b&gt;" in html and "<b>1'" not in html


@pytest.mark.django_db
def test_kpis_are_registered_and_computed(world):
    from smartcounty.kernel import registry

    assert {"security.cii_assessed_on_time", "security.certificates_valid"} <= set(registry.kpis)
    assert services.cii_on_time() == {"value": 0.0, "numerator": 0, "denominator": 1,
                                      "detail": {"overdue": ["GX-T-1"]}}
    assert services.certificates_valid()["value"] is None  # nothing checked yet
    Site.objects.filter(pk=world.site).update(checked_at=timezone.now(), verified=True,
                                              not_after=timezone.now() + timedelta(days=10))
    Site.objects.create(name="过期", host="old.example.cn", port=443, checked_at=timezone.now(), verified=True,
                        not_after=timezone.now() - timedelta(days=1))
    got = services.certificates_valid()
    assert (got["value"], got["numerator"], got["denominator"], got["detail"]) == (50.0, 1, 2, {"expiring_30_days": 1})


@pytest.mark.django_db
def test_overdue_assessments_raise_alerts(world):
    from smartcounty.foundation.alerts import services as alerts

    assert services.warn_systems() == 1
    assert alerts.find_open_alert("security", "assessment:GX-T-1") is not None
    services.record_assessment(services.reader(world.officer), world.system, timezone.localdate(), actor=world.officer)
    services.warn_systems()
    assert alerts.find_open_alert("security", "assessment:GX-T-1") is None


@pytest.mark.django_db
def test_demo_loads_twice(people):
    from smartcounty.domains.security import demo

    first = demo.load()
    assert first["systems"] == 8 and first["sites"] == 5 and first["events"] >= 4
    assert demo.load() == {"systems": 0, "sites": 0, "events": 0}
    scenarios_seen = set(Event.objects.values_list("scenario", flat=True))
    assert {"sqli", "xss", "scanner", "signin_ip"} <= scenarios_seen
