"""Who may do what (every endpoint and page: anonymous, a resident, another department's staff, the brigade's and
the bureau's staff), masking of team members, query counts of the lists, the import page."""

import pytest

from smartcounty.domains.emergency import services

from .conftest import LAT, LON, depot, team

pytestmark = pytest.mark.django_db
API = "/api/v1/emergency"


def seed(world):
    d = depot("D1")
    t = team("T1", org=world.brigade)
    services.add_member(t, name="张建军", phone="13906351001", skills="灭火")
    item = services.ensure_item("TENT", "帐篷", "顶")
    services.receive(d, item, 100, actor=world.staff)
    services.create_shelter(code="S1", name="东关小学操场", shelter_class="urgent", lon=LON, lat=LAT + 0.002,
                            effective_area_m2=3000)
    pk = services.open_incident(title="燃气泄漏", kind="hazmat", level=2, lon=LON, lat=LAT, actor=world.staff)
    w = services.publish_warning(pk, headline="请勿靠近", instruction="撤离", level=3, actor=world.staff)
    return {"d": d, "t": t, "item": item, "i": pk, "w": w}


READS = ["/resources", "/resources/summary", f"/resources/nearest?lon={LON}&lat={LAT}", "/resources/{t}",
         "/resources/{d}", "/shelters", "/items", "/depots/{d}/ledger", "/incidents", "/incidents/{i}",
         "/incidents/{i}/report.pdf"]
PAGES = ["/emergency/", "/emergency/resources/", "/emergency/resources/{d}/", "/emergency/resources/{t}/",
         "/emergency/incidents/{i}/", "/emergency/incidents/{i}/report/", "/emergency/incidents/{i}/report/?format=pdf",
         "/emergency/duty/"]


def test_reads_refused_to_anonymous_residents_and_other_departments(client, world):
    ids = seed(world)
    for path in READS:
        url = API + path.format(**ids)
        client.logout()
        assert client.get(url).status_code == 401, url
        for user in (world.resident, world.other):
            client.force_login(user)
            assert client.get(url).status_code == 403, (url, user.username)
        for user in (world.staff, world.fire, world.admin):
            client.force_login(user)
            assert client.get(url).status_code == 200, (url, user.username)


def test_pages_by_role(client, world):
    ids = seed(world)
    for path in PAGES:
        url = path.format(**ids)
        client.logout()
        assert client.get(url).status_code == 302, url
        client.force_login(world.resident)
        assert client.get(url).status_code == 403, url
        client.force_login(world.fire)
        r = client.get(url)
        assert r.status_code == 200, url
    client.force_login(world.other)  # the menu shows the lists to every staff member: open, empty, saying why
    assert "只有" in client.get("/emergency/").content.decode()
    assert client.get("/emergency/incidents/{i}/".format(**ids)).status_code == 403
    client.logout()
    assert "请勿靠近" in client.get("/emergency/warnings/").content.decode()
    assert client.get(f"{API}/warnings").status_code == 200
    assert client.get(f"{API}/warnings/{ids['w']['identifier']}/cap.xml").status_code == 200


def test_writes_refused_outside_and_resources_only_for_the_bureau(client, world):
    ids = seed(world)
    command = [
        ("/incidents", {"title": "新事件", "kind": "fire", "level": 1, "lon": LON, "lat": LAT}),
        ("/incidents/{i}/notes", {"text": "到场"}),
        ("/incidents/{i}/tasks", {"team_id": ids["t"], "title": "警戒"}),
        ("/incidents/{i}/warnings", {"headline": "注意", "instruction": "绕行", "level": 2}),
    ]
    manage = [
        ("/resources", {"kind": "vehicle", "code": "V9", "name": "消防车", "lon": LON, "lat": LAT}),
        ("/depots/{d}/receive", {"item_id": ids["item"], "quantity": 5}),
        ("/depots/{d}/issue", {"item_id": ids["item"], "quantity": 5}),
        ("/depots/{d}/count", {"item_id": ids["item"], "counted": 90}),
        ("/teams/{t}/members", {"name": "李海涛", "phone": "13906351002"}),
        ("/shelters", {"code": "S9", "name": "广场", "shelter_class": "short", "lon": LON, "lat": LAT,
                       "effective_area_m2": 5000}),
    ]
    for group, allowed in ((command, (world.fire, world.staff)), (manage, (world.staff,))):
        for path, body in group:
            url = API + path.format(**ids)
            client.logout()
            assert client.post(url, body, content_type="application/json").status_code == 401, url
            for user in (world.resident, world.other) + ((world.fire,) if group is manage else ()):
                client.force_login(user)
                assert client.post(url, body, content_type="application/json").status_code == 403, (url, user)
            client.force_login(allowed[-1])
            assert client.post(url, body, content_type="application/json").status_code == 201, url
    client.force_login(world.staff)
    assert client.put(f"{API}/resources/{ids['t']}/status", {"status": "out"},
                      content_type="application/json").status_code == 200
    r = client.post(f"{API}/depots/{ids['d']}/issue", {"item_id": ids["item"], "quantity": 10_000},
                    content_type="application/json")
    assert r.status_code == 409 and r["Content-Type"].startswith("application/problem+json")
    r = client.post(f"{API}/incidents", {"title": "x", "kind": "fire", "level": 9, "lon": LON, "lat": LAT},
                    content_type="application/json")
    assert r.status_code == 422
    client.force_login(world.fire)
    assert client.post(f"{API}/warnings/{ids['w']['id']}/withdraw").status_code == 200
    r = client.post(f"{API}/incidents/{ids['i']}/close", {"review": "处置完毕，经验已整理归档。"},
                    content_type="application/json")
    assert r.status_code == 409  # the task given above is still open
    quiet = services.open_incident(title="误报", kind="fire", level=1, lon=LON, lat=LAT, actor=world.staff)
    for user, code in ((world.other, 403), (world.fire, 200)):
        client.force_login(user)
        assert client.post(f"{API}/incidents/{quiet}/close", {"review": "核实为误报，已向报警人说明。"},
                           content_type="application/json").status_code == code


def test_member_phones_masked_for_the_brigade_and_shown_to_the_bureau(client, world):
    ids = seed(world)
    client.force_login(world.fire)
    m = client.get(f"{API}/resources/{ids['t']}").json()["members"][0]
    assert "13906351001" not in m["phone"] and m["name"] != "张建军"
    client.force_login(world.staff)
    m = client.get(f"{API}/resources/{ids['t']}").json()["members"][0]
    assert m["phone"] == "13906351001"


def test_list_query_counts(client, world, django_assert_max_num_queries):
    seed(world)
    for i in range(30):
        team(f"TT{i}", lon=LON + i * 0.001)
    client.force_login(world.staff)
    for url, n in ((f"{API}/resources?limit=50", 8), (f"{API}/incidents", 8), (f"{API}/shelters", 8),
                   ("/emergency/resources/", 16), ("/emergency/", 14)):
        with django_assert_max_num_queries(n):
            assert client.get(url).status_code == 200, url


def test_import_page_reports_rows_and_writes_nothing(client, world):
    client.force_login(world.staff)
    bad = "类型,编码,名称,经度,纬度\n救援队伍,T-A,甲队,115.44,36.48\n救援飞船,T-B,乙队,115.44,36.48\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post("/emergency/import/", {"what": "resources", "file": SimpleUploadedFile("r.csv", bad)})
    assert r.status_code == 422 and "救援飞船" not in r.content.decode()
    assert len(services.resource_list(kind="team")) == 0
    good = ("类型,编码,名称,经度,纬度,乡镇,避难场所类别,有效避难面积\n救援队伍,T-A,甲队,115.44,36.48,清泉街道,,\n"
            "避难场所,S-A,广场,115.45,36.49,,紧急避难场所,2000\n").encode()
    r = client.post("/emergency/import/", {"what": "resources", "file": SimpleUploadedFile("r.csv", good)})
    assert r.status_code == 200
    assert len(services.resource_list(kind="team")) == 1 and services.shelter_list()[0]["capacity"] == 2000
    client.force_login(world.fire)
    assert client.get("/emergency/import/").status_code == 403
