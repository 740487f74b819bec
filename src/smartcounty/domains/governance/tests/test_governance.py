"""Grid governance: grid workers report field events, 受理 → 分流 → 办理 → 办结 → 回访, statistics."""

import json
from datetime import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from smartcounty.domains.governance import services
from smartcounty.domains.governance.catalogue import CATEGORIES
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.cases.services import BEIJING
from smartcounty.foundation.places import services as places
from smartcounty.kernel.problems import ApiError

pytestmark = pytest.mark.django_db
TOWN, G1, G2 = "371525001", "37152500100101", "37152500100102"


def square(x0, y0, d):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + d, y0], [x0 + d, y0 + d], [x0, y0 + d], [x0, y0]]]}


def bj(*a):
    return datetime(*a, tzinfo=BEIJING)


def user(username, role, org=None):
    return get_user_model().objects.create_user(username=username, password="Guanxian-2026!", role=role,
                                                organisation_id=org, kind="resident" if role == "resident" else "staff")


@pytest.fixture
def gov(db):
    accounts.ensure_plan_organisations()
    ids = accounts.organisation_ids_by_code()
    places.ensure_divisions()
    places.import_geojson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": TOWN, "name": "清泉街道"}, "geometry": square(115.40, 36.45, 0.1)}]},
        "town")
    places.import_geojson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": G1, "name": "一号网格"}, "geometry": square(115.40, 36.45, 0.05)},
        {"type": "Feature", "properties": {"code": G2, "name": "二号网格"}, "geometry": square(115.45, 36.45, 0.05)}]},
        "grid")
    services.configure(centre_organisation_id=ids["politics-law"], supervisor_organisation_id=ids["gov-office"])
    services.route_category("G01", ids["justice"])
    services.route_category("G02", ids["emergency"])
    w = SimpleNamespace(ids=ids, worker=user("w1", "grid_worker", ids["politics-law"]),
                        worker2=user("w2", "grid_worker", ids["politics-law"]),
                        centre=user("zfw", "staff", ids["politics-law"]),
                        centre_admin=user("zfw-admin", "org_admin", ids["politics-law"]),
                        other_admin=user("sfj-admin", "org_admin", ids["justice"]),
                        justice=user("sfj", "staff", ids["justice"]), resident=user("r", "resident"))
    services.assign_worker(w.worker, G1)
    services.assign_worker(w.worker2, G2)
    return w


def go(case, key, u, now, **kw):
    return cases.transition(case.pk, key, actor=u, now=now, **kw)


def test_flow_and_who_may_act(gov):
    t = bj(2026, 12, 1, 9, 0)
    case = services.report_event(gov.worker, category="G01", description="宅基地纠纷", lon=115.42, lat=36.47, now=t)
    assert (case.grid_code, case.town_code, case.state) == (G1, TOWN, "reported")
    assert case.queue_organisation_id == gov.ids["politics-law"]
    with pytest.raises(ApiError) as err:
        go(case, "accept", gov.justice, t)
    assert err.value.status == 403
    case = go(case, "accept", gov.centre, t)
    case = go(case, "divert", gov.centre, t)
    assert case.organisation_id == gov.ids["justice"] and case.due_at == bj(2026, 12, 4, 9, 0)  # 3 working days
    with pytest.raises(ApiError):
        go(case, "finish", gov.centre, t, data={"result": "x"})  # the department finishes, not the centre
    case = go(case, "finish", gov.justice, bj(2026, 12, 2, 16, 0), data={"result": "调解成功"})
    assert case.is_closed
    with pytest.raises(ApiError) as err:
        go(case, "revisit", gov.worker2, bj(2026, 12, 3, 9, 0), data={"rating": 5}, note="满意")
    assert err.value.status == 403
    case = go(case, "redo", gov.worker, bj(2026, 12, 3, 9, 0), note="当事人反映未履行")
    assert case.state == "handling" and case.reopen_count == 1 and not case.is_closed
    case = go(case, "finish", gov.justice, bj(2026, 12, 3, 16, 0), data={"result": "已履行"})
    case = go(case, "revisit", gov.worker, bj(2026, 12, 4, 9, 0), data={"rating": 5}, note="满意")
    assert case.state == "revisited" and case.rating == 5


def test_grid_workers_report_only_in_their_grids(gov):
    with pytest.raises(ApiError) as err:
        services.report_event(gov.worker, category="G02", lon=115.47, lat=36.47)  # G2 belongs to worker2
    assert err.value.status == 403
    with pytest.raises(ApiError):
        services.report_event(gov.centre, category="G02", grid_code=G1)  # not a grid worker
    with pytest.raises(ApiError) as err:
        services.report_event(gov.worker, category="G99")
    assert err.value.status == 422
    case = services.report_event(gov.worker, category="G02")  # their only grid
    assert case.grid_code == G1
    with pytest.raises(ApiError):
        services.assign_worker(gov.centre, G1)  # staff are not grid workers
    with pytest.raises(ApiError):
        services.assign_worker(gov.worker, "37152500100199")  # no such grid


def test_statistics_by_town_and_grid(gov):
    t = bj(2026, 12, 1, 9, 0)
    a = services.report_event(gov.worker, category="G01", now=t)
    services.report_event(gov.worker, category="G02", now=t)
    c = services.report_event(gov.worker2, category="G02", now=t)
    go(a, "accept", gov.centre, t)
    go(a, "divert", gov.centre, t)
    go(a, "finish", gov.justice, bj(2026, 12, 1, 11, 0), data={"result": "ok"})
    go(c, "reject", gov.centre, bj(2026, 12, 1, 12, 0), note="重复")  # late: the 2-hour limit ended at 11:00
    rows = services.statistics("grid", since=bj(2026, 12, 1), until=bj(2027, 1, 1), user=gov.centre)
    assert rows == [
        {"key": G1, "total": 2, "closed": 1, "on_time": 1, "reworked": 0, "closure_rate": 0.5, "on_time_rate": 1.0,
         "rework_rate": 0.0, "avg_handling_hours": 2.0},
        {"key": G2, "total": 1, "closed": 1, "on_time": 0, "reworked": 0, "closure_rate": 1.0, "on_time_rate": 0.0,
         "rework_rate": 0.0, "avg_handling_hours": 3.0}]
    [town] = services.statistics("town", since=bj(2026, 12, 1), until=bj(2027, 1, 1), user=gov.centre)
    assert (town["key"], town["total"], town["closed"], town["on_time"], town["avg_handling_hours"]) == (
        TOWN, 3, 2, 1, 2.5)
    mine = services.statistics("town", user=gov.justice)
    assert [(r["total"]) for r in mine] == [1]  # another department: its own cases only


def test_api_authorisation(client, gov):
    body = json.dumps({"category": "G03", "description": "低保咨询"})
    for method, url in (("post", "/api/v1/governance/events"), ("get", "/api/v1/governance/workers"),
                        ("post", "/api/v1/governance/workers"), ("get", "/api/v1/governance/statistics")):
        r = getattr(client, method)(url, body, content_type="application/json") if method == "post" else client.get(url)
        assert r.status_code == 401 and r["Content-Type"] == "application/problem+json"
    client.force_login(gov.resident)
    assert client.post("/api/v1/governance/events", body, content_type="application/json").status_code == 403
    assert client.get("/api/v1/governance/statistics").status_code == 403
    client.force_login(gov.worker)
    r = client.post("/api/v1/governance/events", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["grid_code"] == G1
    bad = client.post("/api/v1/governance/events", json.dumps({"category": "G03", "extra": 1}),
                      content_type="application/json")
    assert bad.status_code == 422
    assign = json.dumps({"user_id": gov.worker.pk, "grid_code": G2})
    client.force_login(gov.other_admin)  # administrator of another organisation
    assert client.post("/api/v1/governance/workers", assign, content_type="application/json").status_code == 403
    client.force_login(gov.centre_admin)
    r = client.post("/api/v1/governance/workers", assign, content_type="application/json")
    assert r.status_code == 201 and r.json()["town_code"] == TOWN
    r = client.get(f"/api/v1/governance/workers?grid_code={G2}")
    assert sorted(x["username"] for x in r.json()["items"]) == ["w1", "w2"]
    r = client.get("/api/v1/governance/statistics?by=town")
    assert r.json()[0]["total"] == 1
    assert client.get("/api/v1/governance/statistics?by=planet").status_code == 422
    r = client.get("/governance/")
    assert r.status_code == 200 and "清泉街道" in r.content.decode()
    client.force_login(gov.resident)
    assert client.get("/governance/").status_code == 403


def test_categories_have_limits():
    assert set(CATEGORIES) == {"G01", "G02", "G03", "G04", "G05", "G06"}
    assert CATEGORIES["G01"][0] == "矛盾纠纷"
