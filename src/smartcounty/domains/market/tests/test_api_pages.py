"""Who may do what (every endpoint and page: anonymous, a resident, another department's staff, the
bureau's staff and administrator), query counts of the lists, the import page."""

from datetime import date

import pytest

from smartcounty.domains.market import services

from .conftest import elevator, make_uscc

pytestmark = pytest.mark.django_db
API = "/api/v1/market"


def seed(world, n=30):
    for i in range(n):
        elevator(f"311037152520150{i:05d}", date(2015 + i % 10, 1 + i % 12, 5), serial=1 + i % 4)
    return services.create_business(licence_no="JY13715250000001", name="冠县演示饭店", uscc=make_uscc(70),
                                    category="catering", town_code=world.town)


READS = ["/equipment", "/equipment/summary", "/equipment/{eq}", f"/units/{make_uscc(1)}", "/intervals", "/food",
         "/food/{biz}"]


def test_reads_refused_to_anonymous_residents_and_other_departments(client, world):
    biz = seed(world, 2)
    eq = services.equipment_list(services.Scope(True))[0]["id"]
    for path in READS:
        url = API + path.format(eq=eq, biz=biz)
        client.logout()
        assert client.get(url).status_code == 401, url
        for user in (world.resident, world.other):
            client.force_login(user)
            assert client.get(url).status_code == 403, (url, user.username)
        client.force_login(world.staff)
        assert client.get(url).status_code == 200, url


def test_writes_refused_outside_the_bureau(client, world):
    biz = seed(world, 1)
    eq = services.equipment_list(services.Scope(True))[0]["id"]
    writes = [
        ("/equipment", {"kind": "elevator", "registration_code": "31103715252020009999", "name": "新电梯",
                        "unit_uscc": make_uscc(5), "unit_name": "冠县演示单位", "first_use": "2020-01-01"}),
        (f"/equipment/{eq}/inspections", {"task": "inspection", "done_on": "2016-01-01", "result": "passed"}),
        (f"/food/{biz}/assessments", {"year": 2025, "static_score": 10, "dynamic_score": 10}),
        (f"/food/{biz}/inspections", {"done_on": "2026-01-01", "inspector": "王建国", "result": "conform"}),
        ("/food", {"licence_no": "JY13715250000002", "name": "冠县演示超市", "uscc": make_uscc(71),
                   "category": "sales"}),
    ]
    for path, body in writes:
        client.logout()
        assert client.post(API + path, body, content_type="application/json").status_code == 401, path
        client.force_login(world.other)
        assert client.post(API + path, body, content_type="application/json").status_code == 403, path
        client.force_login(world.staff)
        assert client.post(API + path, body, content_type="application/json").status_code == 201, path
    # the interval table and the due check: the bureau's administrator only
    for method, path, body in (("put", "/intervals/boiler", {"interval_months": 24}), ("post", "/check-due", {})):
        client.force_login(world.staff)
        assert getattr(client, method)(API + path, body, content_type="application/json").status_code == 403
        client.force_login(world.other)
        assert getattr(client, method)(API + path, body, content_type="application/json").status_code == 403
        client.force_login(world.admin)
        assert getattr(client, method)(API + path, body, content_type="application/json").status_code == 200


def test_import_endpoint_rejects_a_bad_file_whole(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = ("设备种类,设备注册代码,设备名称,使用单位统一社会信用代码,使用单位名称,投入使用日期\n"
            f"电梯,31103715252019000201,1号楼电梯,{make_uscc(3)},冠县演示物业,2019-04-01\n"
            "电梯,31103715252019000202,2号楼电梯,123,冠县演示物业,2019-04-01\n").encode()
    client.force_login(world.other)
    assert client.post(API + "/imports", {"file": SimpleUploadedFile("a.csv", body)}).status_code == 403
    client.force_login(world.staff)
    r = client.post(API + "/imports", {"file": SimpleUploadedFile("a.csv", body)})
    assert r.status_code == 422 and r.json()["errors"][0]["row"] == 3
    assert services.due_summary(services.Scope(True))["total"] == 0
    r = client.post("/market/import/", {"file": SimpleUploadedFile("a.csv", body)})
    assert r.status_code == 422 and "使用单位统一社会信用代码" in r.content.decode()


def test_list_query_counts(client, world, django_assert_max_num_queries):
    seed(world, 30)
    client.force_login(world.staff)
    with django_assert_max_num_queries(9):
        r = client.get(API + "/equipment?limit=25")
    assert r.json()["count"] == 30 and len(r.json()["items"]) == 25
    with django_assert_max_num_queries(9):
        assert client.get(API + "/equipment?state=overdue&kind=elevator&limit=25").status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(API + "/food?limit=25").json()["count"] == 1
    with django_assert_max_num_queries(16):
        assert client.get("/market/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"/market/units/{make_uscc(1)}/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get("/market/food/").status_code == 200


def test_pages_by_role(client, world):
    biz = seed(world, 2)
    eq = services.equipment_list(services.Scope(True))[0]["id"]
    details = [f"/market/equipment/{eq}/", f"/market/units/{make_uscc(1)}/", f"/market/food/{biz}/",
               "/market/import/"]
    client.force_login(world.other)
    for url in details:
        assert client.get(url).status_code == 403, url
    for url in ("/market/", "/market/food/"):  # menu pages: open, with nothing in them but why
        r = client.get(url)
        assert r.status_code == 200 and "31103715252015" not in r.content.decode()
    client.force_login(world.resident)
    for url in ("/market/", "/market/food/"):  # not in a resident's menu: refused
        assert client.get(url).status_code == 403, url
    client.logout()
    assert client.get("/market/").status_code == 302
    client.force_login(world.staff)
    for url in [*details, "/market/", "/market/food/"]:
        assert client.get(url).status_code == 200, url
    r = client.post(f"/market/equipment/{eq}/", {"task": "inspection", "done_on": "2016-02-01", "result": "passed"})
    assert r.status_code == 302
    r = client.post(f"/market/food/{biz}/", {"form": "inspect", "done_on": "2026-01-05", "inspector": "李娜",
                                           "result": "nonconform"})
    assert r.status_code == 422  # the rectification is missing
    client.force_login(world.other)
    assert client.post(f"/market/equipment/{eq}/", {"task": "inspection", "done_on": "2016-02-01",
                                                    "result": "passed"}).status_code == 403


def test_cockpit_panel_counts_for_the_bureau_only(world):
    from smartcounty.domains.market import panels
    from smartcounty.foundation.cockpit.schemas import PanelContext

    seed(world, 3)
    assert panels.overdue_figure(PanelContext(user=world.staff))["value"] == 3
    assert panels.overdue_figure(PanelContext(user=world.other))["value"] is None
