"""The alerts API: authorisation of every endpoint, bad input, filters, pagination and query counts."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from smartcounty.foundation.alerts import services
from smartcounty.foundation.alerts.models import Alert, Rule, Subscription
from smartcounty.foundation.alerts.schemas import RuleIn
from smartcounty.foundation.alerts.tests.conftest import T0, TOWN_A, TOWN_B
from smartcounty.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db
API = "/api/v1/alerts"
PROBLEM = "application/problem+json"


def client_for(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def call(c, method, path, body=None, raw=None):
    kw = {}
    if body is not None or raw is not None:
        kw = {"data": raw if raw is not None else json.dumps(body), "content_type": "application/json"}
    return getattr(c, method)(API + path, **kw)


def make_alert(org=None, level=2, town=TOWN_A, key="k", prop="pm25", at=T0):
    out = services.raise_alert(source="environment", key=key, title=f"alert {key}", level=level, property=prop,
                               town=town, organisation_id=org, at=at)
    return Alert.objects.get(pk=out.id)


def make_rule(org=None, **kw):
    data = {"name": "PM2.5", "kind": "threshold", "property": "pm25", "params": {"op": "above", "value": 75},
            "organisation_id": org, **kw}
    return services.create_rule(RuleIn(**data))


RULE_BODY = {"name": "PM2.5 高", "kind": "multi_level", "property": "pm25", "scope": "town", "area_code": TOWN_A,
             "params": {"levels": [75, 115, 150, 250], "hysteresis": 5, "duration": 300}}


@pytest.fixture
def world(users):
    a = users["staff_a"].organisation_id
    rule_a = make_rule(org=a)
    rule_county = make_rule(name="county")
    alert_a = make_alert(org=a, key="a")
    alert_b = make_alert(org=users["staff_b"].organisation_id, key="b")
    alert_county = make_alert(key="county")
    sub_a = Subscription.objects.create(name="a", channel="webhook", target="http://127.0.0.1:9/", organisation_id=a)
    return {"rule_a": rule_a, "rule_county": rule_county, "alert_a": alert_a, "alert_b": alert_b,
            "alert_county": alert_county, "sub_a": sub_a}


def endpoints(w):
    return [
        ("get", "/rules", None), ("get", f"/rules/{w['rule_a'].id}", None), ("post", "/rules", RULE_BODY),
        ("patch", f"/rules/{w['rule_a'].id}", {"enabled": False}), ("delete", f"/rules/{w['rule_a'].id}", None),
        ("get", "/alerts", None), ("get", f"/alerts/{w['alert_a'].id}", None),
        ("post", f"/alerts/{w['alert_a'].id}/acknowledge", {}), ("post", f"/alerts/{w['alert_a'].id}/resolve", {}),
        ("get", "/subscriptions", None),
        ("post", "/subscriptions", {"name": "x", "channel": "email", "target": "duty@example.org"}),
        ("delete", f"/subscriptions/{w['sub_a'].id}", None),
    ]


def snapshot():
    return (list(Rule.objects.values_list("id", "enabled", "params")),
            list(Alert.objects.values_list("id", "state")), list(Subscription.objects.values_list("id")))


def test_anonymous_is_refused_everywhere(world):
    before = snapshot()
    for method, path, body in endpoints(world):
        r = call(client_for(), method, path, body)
        assert r.status_code == 401, (method, path)
        assert r["Content-Type"] == PROBLEM and r.json()["code"] == "not-authenticated"
    assert snapshot() == before


def test_residents_are_refused_everywhere(world, users):
    before = snapshot()
    for method, path, body in endpoints(world):
        r = call(client_for(users["resident"]), method, path, body)
        assert r.status_code == 403, (method, path)
        assert r.json()["code"] == "forbidden"
    assert snapshot() == before


def test_wrong_organisation_is_refused(world, users):
    before = snapshot()
    b = client_for(users["admin_b"])
    # rows of organisation A are not even visible to organisation B
    for method, path, body in endpoints(world):
        if "{" in path or path.rstrip("/").split("/")[-1].isdigit() or any(
                path.startswith(p) for p in ("/rules/", "/alerts/", "/subscriptions/")):
            r = call(b, method, path, body)
            assert r.status_code in (403, 404), (method, path)
    # county-wide rows are visible to B's staff but only platform administrators change them
    assert call(b, "patch", f"/rules/{world['rule_county'].id}", {"enabled": False}).status_code == 403
    assert call(b, "delete", f"/rules/{world['rule_county'].id}").status_code == 403
    assert call(b, "post", f"/alerts/{world['alert_county'].id}/resolve", {}).status_code == 403
    # an org admin cannot create rules or subscriptions for another organisation
    a_id = users["staff_a"].organisation_id
    assert call(b, "post", "/rules", {**RULE_BODY, "organisation_id": a_id}).status_code == 403
    assert call(b, "post", "/subscriptions", {"name": "x", "channel": "email", "target": "x@example.org",
                                              "organisation_id": a_id}).status_code == 403
    assert snapshot() == before


def test_staff_cannot_manage_rules_grid_workers_cannot_resolve(world, users):
    before = snapshot()
    staff = client_for(users["staff_a"])
    assert call(staff, "post", "/rules", RULE_BODY).status_code == 403
    assert call(staff, "patch", f"/rules/{world['rule_a'].id}", {"enabled": False}).status_code == 403
    assert call(staff, "get", "/subscriptions").status_code == 403
    grid = client_for(users["grid_a"])
    assert call(grid, "get", f"/alerts/{world['alert_a'].id}").status_code == 200
    assert call(grid, "post", f"/alerts/{world['alert_a'].id}/resolve", {}).status_code == 403
    assert snapshot() == before


def test_staff_acknowledge_and_resolve_their_organisations_alert(world, users):
    staff = client_for(users["staff_a"])
    alert = world["alert_a"]
    r = call(staff, "post", f"/alerts/{alert.id}/acknowledge", {"note": "收到"})
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    r = call(staff, "post", f"/alerts/{alert.id}/resolve", {"note": "已处置"})
    body = r.json()
    assert r.status_code == 200 and body["state"] == "resolved"
    assert [(h["kind"], h["note"], h["actor_id"]) for h in body["history"]] == [
        ("raised", "", None), ("acknowledged", "收到", users["staff_a"].id), ("resolved", "已处置", users["staff_a"].id)]
    r = call(staff, "post", f"/alerts/{alert.id}/resolve", {})
    assert r.status_code == 409 and r["Content-Type"] == PROBLEM
    # platform administrators handle county-wide alerts
    r = call(client_for(users["platform"]), "post", f"/alerts/{world['alert_county'].id}/resolve", {})
    assert r.status_code == 200


def test_bad_input_gets_a_problem_and_changes_nothing(world, users):
    admin = client_for(users["admin_a"])
    before = snapshot()
    r = call(admin, "post", "/rules", raw="{not json")
    assert r.status_code == 400 and r.json()["code"] == "malformed-json"
    r = call(admin, "post", "/rules", {**RULE_BODY, "colour": "red"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "colour"
    r = call(admin, "post", "/rules", {**RULE_BODY, "params": {"levels": [75, 50, 150, 250]}})
    assert r.status_code == 422 and r.json()["field"] == "params"
    r = call(admin, "post", "/rules", {**RULE_BODY, "kind": "telepathy"})
    assert r.status_code == 422 and r.json()["field"] == "kind"
    r = call(admin, "post", "/rules", {**RULE_BODY, "property": "pm2.5"})
    assert r.status_code == 422 and r.json()["field"] == "property"
    r = call(admin, "post", "/rules", {**RULE_BODY, "area_code": "12"})
    assert r.status_code == 422 and r.json()["field"] == "area_code"
    r = call(admin, "post", "/rules", {**RULE_BODY, "level": "high"})
    assert r.status_code == 422
    r = call(admin, "patch", f"/rules/{world['rule_a'].id}", {"params": {"op": "above", "value": "x"}})
    assert r.status_code == 422
    r = call(admin, "post", f"/alerts/{world['alert_a'].id}/resolve", {"note": 5, "extra": 1})
    assert r.status_code == 422
    r = call(admin, "post", "/subscriptions", {"name": "x", "channel": "webhook", "target": "ftp://x"})
    assert r.status_code == 422 and r.json()["field"] == "target"
    r = call(admin, "get", "/alerts?level=9")
    assert r.status_code == 422
    r = call(admin, "get", "/alerts?state=sleeping")
    assert r.status_code == 422
    assert snapshot() == before


def test_org_admin_manages_own_rules_with_audit(users):
    admin = client_for(users["admin_a"])
    r = call(admin, "post", "/rules", RULE_BODY)
    assert r.status_code == 201, r.content
    rule = r.json()
    assert rule["organisation_id"] == users["admin_a"].organisation_id and rule["params"]["duration"] == 300
    r = call(admin, "patch", f"/rules/{rule['id']}", {"params": {"levels": [80, 120, 160, 260]}, "level": 3})
    assert r.status_code == 200 and r.json()["params"]["levels"] == [80, 120, 160, 260]
    assert call(admin, "get", f"/rules/{rule['id']}").json()["level"] == 3
    assert call(admin, "delete", f"/rules/{rule['id']}").status_code == 204
    assert not Rule.objects.exists()
    assert list(AuditEntry.objects.filter(action__startswith="alerts.rule").values_list("action", flat=True)) == [
        "alerts.rule_create", "alerts.rule_update", "alerts.rule_delete"]


def test_subscriptions_crud(users):
    admin = client_for(users["admin_a"])
    r = call(admin, "post", "/subscriptions", {"name": "值班", "channel": "webhook", "target": "https://example.org/h",
                                               "secret": "s3cret", "min_level": 3, "events": ["alerts.raised"]})
    assert r.status_code == 201 and "secret" not in r.json()
    sub_id = r.json()["id"]
    assert [s["id"] for s in call(admin, "get", "/subscriptions").json()["items"]] == [sub_id]
    assert call(client_for(users["admin_b"]), "get", "/subscriptions").json()["items"] == []
    assert call(admin, "delete", f"/subscriptions/{sub_id}").status_code == 204
    assert not Subscription.objects.exists()
    assert AuditEntry.objects.filter(action="alerts.subscription_delete").count() == 1


def test_alert_list_filters_visibility_and_query_count(users, django_assert_max_num_queries):
    a, b = users["staff_a"].organisation_id, users["staff_b"].organisation_id
    for i in range(30):
        make_alert(org=a if i % 2 else b, level=1 + i % 4, town=TOWN_A if i % 3 else TOWN_B, key=f"k{i}",
                   prop="pm25" if i < 20 else "smoke", at=T0 + timedelta(minutes=i))
    make_alert(key="county", level=4, at=T0 - timedelta(days=1))
    services.resolve_alert(Alert.objects.get(key="k1").id)
    staff = client_for(users["staff_a"])
    with django_assert_max_num_queries(6):
        r = call(staff, "get", "/alerts?limit=10")
    body = r.json()
    assert body["count"] == 16 and len(body["items"]) == 10  # 15 of A + 1 county-wide
    times = [i["raised_at"] for i in body["items"]]
    assert times == sorted(times, reverse=True)
    platform = client_for(users["platform"])
    assert call(platform, "get", "/alerts").json()["count"] == 31

    def keys(query):
        return {i["title"] for i in call(platform, "get", "/alerts?limit=500&" + query).json()["items"]}

    assert keys("state=resolved") == {"alert k1"}
    assert len(keys("state=open")) == 30
    assert keys("level=4") == {"alert county"} | {f"alert k{i}" for i in range(3, 30, 4)}
    assert keys("property=smoke") == {f"alert k{i}" for i in range(20, 30)}
    assert keys(f"town={TOWN_B}") == {f"alert k{i}" for i in range(0, 30, 3)}
    since = (T0 + timedelta(minutes=25)).isoformat().replace("+00:00", "Z")
    assert keys(f"since={since}") == {f"alert k{i}" for i in range(25, 30)}
    # detail of another organisation's alert: not found
    other = Alert.objects.get(key="k0")
    assert call(staff, "get", f"/alerts/{other.id}").status_code == 404


def test_rule_list_visibility_and_query_count(users, django_assert_max_num_queries):
    make_rule(org=users["staff_a"].organisation_id, name="A")
    make_rule(org=users["staff_b"].organisation_id, name="B")
    make_rule(name="county", kind="multi_level", params={"levels": [1, 2, 3, 4]})
    staff = client_for(users["staff_a"])
    with django_assert_max_num_queries(6):
        r = call(staff, "get", "/rules")
    assert sorted(i["name"] for i in r.json()["items"]) == ["A", "county"]
    r = call(client_for(users["platform"]), "get", "/rules?kind=multi_level")
    assert [i["name"] for i in r.json()["items"]] == ["county"]
