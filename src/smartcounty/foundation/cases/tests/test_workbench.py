"""The workbench: my tasks, my organisation's and overdue cases; filters, pagination, bulk steps,
who is refused, and the number of queries a page takes."""

import json

import pytest

from smartcounty.foundation.cases import services
from smartcounty.foundation.cases.models import Case
from smartcounty.foundation.cases.tests.conftest import bj

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases/workbench"


def make(world, n=1, **kw):
    kw.setdefault("category", "road")
    return [services.create_case("cases.test", title=f"事件{i}", reporter=world.resident, **kw) for i in range(n)]


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def ids(r):
    assert r.status_code == 200, r.content
    return {row["id"] for row in r.json()["items"]}


def handled(world, n):
    cases = make(world, n)
    for c in cases:
        services.transition(c.pk, "register", actor=world.centre_staff)
        services.transition(c.pk, "handle", actor=world.dept_staff, data={"result": "已处理"})
    return cases


def test_anonymous_residents_and_other_organisations_are_refused(client, world):
    (case,) = make(world)
    assert client.get(URL).status_code == 401
    assert client.post(f"{URL}/bulk", json.dumps({"ids": [case.pk], "step": "close"}),
                       content_type="application/json").status_code == 401
    assert get(client, world.resident).status_code == 403
    assert client.get("/cases/workbench/").status_code == 403
    for view in ("mine", "org", "overdue"):
        assert ids(get(client, world.other_staff, view=view)) == set()
    assert client.get("/cases/workbench/?view=org").status_code == 200
    assert case.number not in client.get("/cases/workbench/?view=org").content.decode()


def test_my_tasks_follow_the_state_and_my_role(client, world):
    a, b = make(world, 2)
    assert ids(get(client, world.centre_staff)) == {a.pk, b.pk}
    assert ids(get(client, world.dept_staff)) == set()
    services.transition(a.pk, "register", actor=world.centre_staff)
    assert ids(get(client, world.centre_staff)) == {b.pk}
    assert ids(get(client, world.dept_staff)) == {a.pk}
    # my organisation's: the department is responsible for both (assignment rule), the centre owns both
    assert ids(get(client, world.dept_staff, view="org")) == {a.pk, b.pk}
    assert ids(get(client, world.centre_staff, view="org")) == {a.pk, b.pk}
    row = next(r for r in get(client, world.dept_staff).json()["items"])
    assert row["state_title"] == "dispatched" and {s["key"] for s in row["steps"]} == {"ask", "handle"}
    assert {s["key"]: s["bulk"] for s in row["steps"]} == {"ask": True, "handle": False}


def test_overdue_for_the_queue_and_the_supervisor(client, world):
    late = make(world, 1, now=bj(2026, 12, 1, 9, 0))[0]
    fresh = make(world, 1)[0]
    services.sweep(now=bj(2026, 12, 2, 9, 0))
    assert Case.objects.get(pk=late.pk).overdue
    assert ids(get(client, world.centre_staff, view="overdue")) == {late.pk}
    assert ids(get(client, world.sup_staff, view="overdue")) == {late.pk}
    assert ids(get(client, world.dept_staff, view="overdue")) == set()
    assert fresh.pk in ids(get(client, world.centre_staff))


def test_filters(client, world):
    road = make(world, 1, town_code="371525100", grid_code="371525100001001",
                now=bj(2026, 11, 2, 9, 0))[0]
    light = make(world, 1, category="light", town_code="371525101", now=bj(2026, 11, 20, 9, 0))[0]
    staff = world.centre_staff
    assert ids(get(client, staff, view="org", town_code="371525100")) == {road.pk}
    assert ids(get(client, staff, view="org", grid_code="371525100001001")) == {road.pk}
    assert ids(get(client, staff, view="org", case_type="cases.test", state="new")) == {road.pk, light.pk}
    assert ids(get(client, staff, view="org", case_type="citymgmt.none")) == set()
    assert ids(get(client, staff, view="org", since="2026-11-10")) == {light.pk}
    assert ids(get(client, staff, view="org", until="2026-11-10")) == {road.pk}
    assert get(client, staff, view="org", since="2026-11-10", until="2026-11-01").status_code == 422
    assert get(client, staff, view="colour").status_code == 422
    assert get(client, staff, limit=0).status_code == 422
    page = client.get("/cases/workbench/", {"view": "org", "town": "371525100"}).content.decode()
    assert road.number in page and light.number not in page


def test_pages_and_counts(client, world):
    make(world, 7)
    r = get(client, world.centre_staff, limit=3, offset=0).json()
    assert r["count"] == 7 and len(r["items"]) == 3
    r2 = get(client, world.centre_staff, limit=3, offset=6).json()
    assert len(r2["items"]) == 1
    assert not ({i["id"] for i in r["items"]} & {i["id"] for i in r2["items"]})


def test_bulk_step(client, world):
    cases = handled(world, 3)
    (new,) = make(world)
    client.force_login(world.centre_staff)
    body = {"ids": [c.pk for c in cases] + [new.pk], "step": "close", "note": "批量结案"}
    r = client.post(f"{URL}/bulk", json.dumps(body), content_type="application/json")
    assert r.status_code == 200, r.content
    out = r.json()
    assert sorted(out["done"]) == sorted(c.pk for c in cases)
    assert [(f["id"], f["code"]) for f in out["failed"]] == [(new.pk, "conflict")]
    assert set(Case.objects.filter(pk__in=out["done"]).values_list("state", flat=True)) == {"closed"}
    # a step that needs data is taken case by case
    r = client.post(f"{URL}/bulk", json.dumps({"ids": [new.pk], "step": "register"}), content_type="application/json")
    assert r.status_code == 422
    # another organisation's staff move nothing
    more = handled(world, 2)
    client.force_login(world.other_staff)
    r = client.post(f"{URL}/bulk", json.dumps({"ids": [c.pk for c in more], "step": "close"}),
                    content_type="application/json")
    assert r.json()["done"] == [] and {f["code"] for f in r.json()["failed"]} == {"forbidden"}
    assert set(Case.objects.filter(pk__in=[c.pk for c in more]).values_list("state", flat=True)) == {"handled"}


def test_bulk_from_the_page(client, world):
    cases = handled(world, 2)
    client.force_login(world.centre_staff)
    page = client.get("/cases/workbench/").content.decode()
    assert 'name="ids"' in page and 'value="close"' in page
    r = client.post("/cases/workbench/bulk/", {"ids": [c.pk for c in cases], "step": "close", "note": "",
                                               "back": "/cases/workbench/?view=org"})
    assert r.status_code == 302 and r["Location"] == "/cases/workbench/?view=org"
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("state", flat=True)) == {"closed"}
    r = client.post("/cases/workbench/bulk/", {"ids": [cases[0].pk], "step": "close", "back": "https://evil.example/"})
    assert r["Location"] == "/cases/workbench/"
    client.force_login(world.resident)
    assert client.post("/cases/workbench/bulk/", {"ids": [cases[0].pk], "step": "close"}).status_code == 403


def test_query_counts_do_not_grow_with_the_rows(client, world, django_assert_max_num_queries):
    make(world, 40, town_code="371525100")
    client.force_login(world.centre_staff)
    get(client, world.centre_staff)  # warm the calendar cache and the session
    for view in ("mine", "org", "overdue"):
        with django_assert_max_num_queries(4):
            r = client.get(URL, {"view": view, "limit": 40})
        assert r.status_code == 200
    with django_assert_max_num_queries(10):  # +2: the menu's security and planning entries look up their organisation
        r = client.get("/cases/workbench/", {"view": "org", "town": "371525100"})
    assert r.status_code == 200 and r.content.decode().count('name="ids"') == 40


def test_the_platform_administrator_sees_the_county(client, world, django_user_model):
    admin = django_user_model.objects.create_user("wb-admin", role="platform_admin", kind="staff")
    late = make(world, 1, now=bj(2026, 12, 1, 9, 0))[0]
    waiting = make(world, 1)[0]
    services.transition(waiting.pk, "register", actor=world.centre_staff)  # now on the department's queue
    (done,) = handled(world, 1)
    services.transition(done.pk, "close", actor=world.centre_staff)
    services.sweep(now=bj(2026, 12, 2, 9, 0))
    # every organisation's open cases (the centre's and the department's), least time left first
    mine = get(client, admin).json()["items"]
    assert [r["id"] for r in mine][0] == late.pk and {r["id"] for r in mine} == {late.pk, waiting.pk}
    assert ids(get(client, admin, view="overdue")) == {late.pk}
    assert ids(get(client, admin, view="org")) == {late.pk, waiting.pk, done.pk}
    page = client.get("/cases/workbench/").content.decode()
    assert late.number in page and waiting.number in page and "全部在办" in page
    # and he may take a step on many cases at once, with the same checks
    (ready,) = handled(world, 1)
    r = client.post("/cases/workbench/bulk/", {"ids": [ready.pk], "step": "close", "back": "/cases/workbench/"})
    assert r.status_code == 302 and Case.objects.get(pk=ready.pk).state == "closed"
    # staff without an organisation are still refused
    loose = django_user_model.objects.create_user("wb-loose", role="staff", kind="staff")
    assert get(client, loose).status_code == 403
    assert client.get("/cases/workbench/").status_code == 403
