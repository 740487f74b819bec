"""Who may do what on every page and endpoint (anonymous, residents, the window, departments), query counts of
the lists, and the pages' forms."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcounty.domains.services import services
from smartcounty.domains.services.models import Application, Licence

from .conftest import item_code, material_ids

pytestmark = pytest.mark.django_db
API = "/api/v1/services"
PDF = b"%PDF-1.4\n%%EOF\n"


def test_public_pages_and_endpoints_open_for_anyone(client, world):
    code = item_code("居住证申领")
    for url in ("/services/", "/services/?q=居住证", f"/services/items/{code}/", "/services/verify/",
                "/services/statistics/", f"{API}/items?q=户籍", f"{API}/items/{code}", f"{API}/statistics"):
        assert client.get(url).status_code == 200, url
    assert client.get("/services/items/371525019999999999900/").status_code == 404
    assert client.get("/services/verify/NOSUCHCODE22/").status_code == 404
    body = client.get("/services/?q=居住证").content.decode()
    assert "居住证申领" in body and "户籍证明开具" not in body


def test_signed_in_pages_send_anonymous_visitors_to_sign_in_and_refuse_residents_the_desk(client, world):
    for url in ("/services/mine/", f"/services/items/{item_code('居住证申领')}/apply/", "/services/desk/",
                "/services/window/", "/services/rectification/"):
        assert client.get(url).status_code == 302, url
    client.force_login(world.resident)
    assert client.get("/services/mine/").status_code == 200
    for url in ("/services/desk/", "/services/window/", "/services/rectification/"):
        assert client.get(url).status_code == 403, url
    client.force_login(world.police)
    assert client.get("/services/desk/").status_code == 200
    assert "只有政务服务中心" in client.get("/services/window/").content.decode()


def test_api_reads_and_writes_need_the_right_people(client, world):
    assert client.get(f"{API}/applications").status_code == 401
    body = {"item_code": item_code("户籍证明开具"), "channel": "window", "applicant_name": "张三"}
    client.force_login(world.resident)
    assert client.post(f"{API}/applications", body, content_type="application/json").status_code == 403
    client.force_login(world.police)  # a department is not the window
    assert client.post(f"{API}/applications", body, content_type="application/json").status_code == 403
    client.force_login(world.clerk)
    r = client.post(f"{API}/applications", body, content_type="application/json")
    assert r.status_code == 201, r.content
    app_id = r.json()["id"]
    client.force_login(world.market)
    assert client.get(f"{API}/applications/{app_id}").status_code == 404
    assert client.post(f"{API}/applications/{app_id}/steps", {"step": "accept"},
                       content_type="application/json").status_code == 404
    client.force_login(world.clerk)
    assert client.post(f"{API}/applications/{app_id}/steps", {"step": "accept"},
                       content_type="application/json").json()["state"] == "review"
    r = client.post(f"{API}/applications/{app_id}/steps", {"step": "approve"}, content_type="application/json")
    assert r.status_code == 403
    client.force_login(world.police)
    r = client.post(f"{API}/applications/{app_id}/steps", {"step": "approve"}, content_type="application/json")
    assert r.status_code == 422  # the opinion is required
    r = client.post(f"{API}/applications/{app_id}/steps", {"step": "approve", "opinion": "同意"},
                    content_type="application/json")
    assert r.json()["state"] == "approved"
    assert client.post(f"{API}/applications", {"item_code": "x" * 30}, content_type="application/json"
                       ).status_code == 422
    client.force_login(world.resident)
    r = client.post(f"{API}/applications", {"item_code": item_code("户籍证明开具"),
                                            "materials": [{"material_id": 999999, "file_name": "a.pdf"}]},
                    content_type="application/json")
    assert r.status_code == 422 and "材料" in r.json()["detail"]


def test_list_endpoints_and_pages_use_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(25):
        services.submit(world.resident, item_code("户籍证明开具"))
    client.force_login(world.clerk)
    with django_assert_max_num_queries(12):
        assert len(client.get(f"{API}/applications?limit=20").json()["items"]) == 20
    with django_assert_max_num_queries(16):
        assert client.get("/services/desk/").status_code == 200
    client.logout()
    with django_assert_max_num_queries(8):
        assert client.get(f"{API}/items?limit=50").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/services/?q=证明").status_code == 200


def test_a_resident_applies_on_the_page_with_a_file_then_reads_his_application(client, world):
    code = item_code("户籍证明开具")
    ids = material_ids("户籍证明开具")
    client.force_login(world.resident)
    r = client.post(f"/services/items/{code}/apply/", {
        "id_number": "371525199001011234", "phone": "13900001234",
        f"m{ids['居民身份证']}": SimpleUploadedFile("id.pdf", PDF, content_type="application/pdf")})
    assert r.status_code == 302
    app = Application.objects.get()
    page = client.get(r["Location"]).content.decode()
    assert app.number in page and "待预审" in page and "居民户口簿" in page  # still missing
    client.force_login(world.other_resident)
    assert client.get(r["Location"]).status_code == 404


def test_the_window_page_takes_in_and_the_staff_take_steps_on_the_page(client, world):
    code = item_code("户籍证明开具")
    ids = material_ids("户籍证明开具")
    client.force_login(world.clerk)
    assert "户籍证明开具" in client.get("/services/window/?q=户籍").content.decode()
    r = client.post("/services/window/", {"item": code, "name": "李秀兰", "phone": "13905351234",
                                          "window": "综合受理1号窗口", **{f"paper{i}": "1" for i in ids.values()}})
    assert r.status_code == 302, r.content.decode()[:500]
    app = Application.objects.get()
    assert app.channel == "window" and app.materials.count() == 2
    client.post(r["Location"], {"step": "accept"})
    client.force_login(world.police)
    client.post(r["Location"], {"step": "approve", "opinion": "同意"})
    client.post(r["Location"], {"step": "issue"})
    lic = Licence.objects.get()
    page = client.get(r["Location"]).content.decode()
    assert lic.verify_code in page and "<svg" in page
    verified = client.get(f"/services/verify/?code={lic.verify_code}", follow=True).content.decode()
    assert "有效" in verified and "李秀兰" not in verified and "李" in verified
