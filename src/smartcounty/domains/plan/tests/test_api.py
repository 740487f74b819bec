"""Every endpoint and page refuses the anonymous (401 / sign-in), residents and grid workers (403), and other
organisations where the rule is per organisation; lists keep their query counts whatever their length."""

import json
from datetime import date

import pytest
from django.test import Client

from smartcounty.domains.plan import services

READS = ["/api/v1/plan/actions", "/api/v1/plan/actions/13", "/api/v1/plan/tasks", "/api/v1/plan/tasks/{task}",
         "/api/v1/plan/reminders", "/api/v1/plan/kpis", "/api/v1/plan/projects", "/api/v1/plan/projects/{project}",
         "/api/v1/plan/report?month=2026-12"]
PAGES = ["/plan/", "/plan/actions/13/", "/plan/tasks/{task}/", "/plan/report/", "/plan/projects/",
         "/plan/projects/{project}/"]


@pytest.fixture
def world(plan):
    office = services.reader(plan.office)
    t = services.create_task(office, action=13, year=2026, title="任务", deadline=date(2026, 12, 31),
                             owner_organisation_id=plan.ids["housing"])
    p = services.create_project(office, code="GX-A-1", name="项目", owner_organisation_id=plan.ids["housing"],
                                actions=[13], budget=100, approved_on=date(2025, 1, 1))
    plan.task, plan.project = t.id, p.id
    return plan


def client(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def post(c, url, body):
    return c.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_reads_need_plan_view(world):
    for raw in READS:
        url = raw.format(task=world.task, project=world.project)
        assert client().get(url).status_code == 401, url
        assert client(world.resident).get(url).status_code == 403, url
        assert client(world.worker).get(url).status_code == 403, url
        assert client(world.housing).get(url).status_code == 200, url
        assert client(world.admin).get(url).status_code == 200, url
    for raw in PAGES:
        url = raw.format(task=world.task, project=world.project)
        assert client().get(url).status_code == 302, url
        assert client(world.resident).get(url).status_code == 403, url
        assert client(world.housing).get(url).status_code == 200, url


@pytest.mark.django_db
def test_managing_is_the_office_s(world):
    task = {"action": 13, "year": 2026, "title": "新任务", "deadline": "2026-12-30",
            "owner_organisation_id": world.ids["housing"]}
    project = {"code": "GX-A-2", "name": "新项目", "owner_organisation_id": world.ids["housing"], "actions": [13],
               "budget": "10.00", "approved_on": "2026-01-05"}
    for url, body in (("/api/v1/plan/tasks", task), ("/api/v1/plan/projects", project),
                      (f"/api/v1/plan/projects/{world.project}/stage", {"stage": "building", "on": "2026-02-01"}),
                      ("/api/v1/plan/kpis/refresh", None)):
        assert post(client(), url, body).status_code == 401, url
        assert post(client(world.housing_admin), url, body).status_code == 403, url
        assert post(client(world.worker), url, body).status_code == 403, url
        assert post(client(world.office), url, body).status_code in (200, 201), url


@pytest.mark.django_db
def test_reporting_is_the_owner_s(world):
    url = f"/api/v1/plan/tasks/{world.task}/progress"
    body = {"progress": 30, "text": "进展"}
    assert post(client(), url, body).status_code == 401
    assert post(client(world.office), url, body).status_code == 403  # another organisation's task
    assert post(client(world.worker), url, body).status_code == 403
    r = post(client(world.housing), url, body)
    assert r.status_code == 200 and r.json()["progress"] == 30
    r = post(client(world.housing), url, {"progress": 30, "text": "进展", "extra": 1})
    assert r.status_code == 422
    url = f"/api/v1/plan/tasks/{world.task}/completion"
    assert post(client(world.office), url, {"text": "完成"}).status_code == 403
    assert post(client(world.housing), url, {"text": "完成", "completed_on": "2026-12-01"}).status_code == 200
    url = f"/api/v1/plan/tasks/{world.task}/evaluation"
    assert post(client(world.housing), url, {"accept": True, "score": 90}).status_code == 403
    assert post(client(world.office), url, {"accept": True, "score": 90}).status_code == 200
    url = f"/api/v1/plan/projects/{world.project}/spending"
    body = {"on": "2025-06-01", "amount": "5.00"}
    assert post(client(world.worker), url, body).status_code == 403
    other = services.reader(world.office)
    assert other.manages
    assert post(client(world.housing), url, body).status_code == 201
    assert post(client(world.office), url, body).status_code == 201


@pytest.mark.django_db
def test_pages_post_forms(world):
    c = client(world.housing)
    r = c.post(f"/plan/tasks/{world.task}/progress/", {"progress": "20", "text": "推进中"})
    assert r.status_code == 302
    assert services.task(services.reader(world.housing), world.task).progress == 20
    assert client(world.office).post(f"/plan/tasks/{world.task}/progress/", {"progress": "20", "text": "x"}) \
        .status_code == 403
    r = client(world.office).post("/plan/actions/13/tasks/", {"title": "页面交办", "year": "2026",
                                                              "deadline": "2026-12-20",
                                                              "owner": str(world.ids["housing"])})
    assert r.status_code == 302
    assert client(world.housing).post("/plan/actions/13/tasks/", {"title": "x"}).status_code == 403


@pytest.mark.django_db
def test_list_query_counts_do_not_grow(world, django_assert_max_num_queries):
    office = services.reader(world.office)
    for i in range(30):
        services.create_task(office, action=1 + i % 30, year=2026, title=f"任务{i}", deadline=date(2026, 12, 1 + i % 28),
                             owner_organisation_id=world.ids["housing"])
        services.create_project(office, code=f"GX-Q-{i}", name=f"项目{i}", owner_organisation_id=world.ids["housing"],
                                actions=[1 + i % 30, 2], budget=10, approved_on=date(2025, 1, 1))
    services.refresh_kpis()
    c = client(world.housing)
    # pages: +2 for the menu, whose security and planning entries look up their organisation (one query each)
    for url, most in (("/api/v1/plan/tasks?limit=50", 8), ("/api/v1/plan/projects?limit=50", 8),
                      ("/api/v1/plan/actions", 8), ("/api/v1/plan/kpis", 6), ("/api/v1/plan/reminders", 6),
                      ("/plan/", 18), ("/plan/actions/2/", 20), ("/plan/projects/", 12), ("/plan/report/", 26)):
        with django_assert_max_num_queries(most):
            assert c.get(url).status_code == 200, url
