"""Authorisation of every endpoint and page, the history's scope, uploads, query counts."""

import io
import json
import zipfile

import pytest

from smartcounty.domains.planning import services
from smartcounty.domains.planning.tests.conftest import FAR, PARCEL

BASE = "/api/v1/planning"


def post_check(client, geometry=PARCEL, name="接口地块"):
    return client.post(f"{BASE}/checks", json.dumps({"name": name, "geometry": geometry}),
                       content_type="application/json")


def test_who_may_check(layers, client, make_user, authority, other_org, checker):
    assert post_check(client).status_code == 401
    assert client.get(f"{BASE}/checks").status_code == 401
    for user in (make_user("p-resident", "resident"), make_user("p-other", "staff", other_org),
                 make_user("p-grid", "grid_worker", authority)):
        client.force_login(user)
        assert post_check(client).status_code == 403, user.username
        assert client.get(f"{BASE}/checks").status_code == 403
        assert client.get(f"{BASE}/rules").status_code == 403
        assert client.get("/planning/").status_code == 403
        assert client.get("/planning/checks/").status_code == 403
    client.force_login(checker)
    r = post_check(client)
    assert r.status_code == 201 and r.json()["verdict"] == "block"
    cid = r.json()["id"]
    assert client.get(f"{BASE}/checks/{cid}").json()["layers"][0]["key"] == "t-farmland"
    pdf = client.get(f"{BASE}/checks/{cid}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert [x["code"] for x in client.get(f"{BASE}/rules").json()] == ["farmland", "eco", "ubd-outside", "ubd-inside"]
    admin = make_user("p-admin", "platform_admin")
    client.force_login(admin)
    assert post_check(client).status_code == 201
    assert client.get(f"{BASE}/checks").json()["count"] == 2


def test_history_is_scoped_to_the_organisation(layers, client, make_user, authority, checker):
    admin = make_user("p-admin2", "platform_admin")
    theirs = services.precheck(FAR, name="管理员的", actor=admin)  # admin has no organisation
    mine = services.precheck(PARCEL, name="自己的", actor=checker)
    client.force_login(checker)
    rows = client.get(f"{BASE}/checks").json()["items"]
    assert [r["id"] for r in rows] == [mine.id]
    assert client.get(f"{BASE}/checks/{theirs.id}").status_code == 404
    assert client.get(f"/planning/checks/{theirs.id}/").status_code == 404
    assert client.get(f"/planning/checks/{theirs.id}/report.pdf").status_code == 404
    assert client.get(f"{BASE}/checks", {"verdict": "block"}).json()["count"] == 1
    assert client.get(f"{BASE}/checks", {"verdict": "pass"}).json()["count"] == 0
    assert client.get(f"{BASE}/checks", {"verdict": "bogus"}).status_code == 422


def test_bad_input_is_a_chinese_422(layers, client, checker):
    client.force_login(checker)
    r = post_check(client, geometry={"type": "Polygon", "coordinates": [[[115.4, 36.5]]]})
    assert r.status_code == 422 and r["Content-Type"].startswith("application/problem+json")
    assert post_check(client, name="").status_code == 422


def test_upload_a_kml_parcel(layers, client, checker):
    ring = " ".join(f"{x},{y}" for x, y in PARCEL["coordinates"][0])
    kml = (f'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>p</name><Polygon><outerBoundaryIs>'
           f'<LinearRing><coordinates>{ring}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></kml>')
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(checker)
    r = client.post(f"{BASE}/checks/upload", {"name": "上传地块", "file": SimpleUploadedFile("p.kml", kml.encode())})
    assert r.status_code == 201, r.content
    assert r.json()["source"] == "upload" and r.json()["area_m2"] == pytest.approx(10_000, rel=0.005)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("p.shp", b"\0" * (4 * 1024 * 1024))
    r = client.post(f"{BASE}/checks/upload", {"name": "炸弹", "file": SimpleUploadedFile("p.zip", bomb.getvalue())})
    assert r.status_code == 422 and "压缩炸弹" in r.json()["detail"]


def test_pages(layers, client, checker, django_assert_max_num_queries):
    client.force_login(checker)
    r = client.get("/planning/")
    assert r.status_code == 200 and "选址预审" in r.content.decode() and "leaflet-geoman" in r.content.decode()
    r = client.post("/planning/", {"name": "页面地块", "geometry": json.dumps(PARCEL)})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "禁止" in page and "页面地块" in page and "report.pdf" in page
    r = client.post("/planning/", {"name": "空", "geometry": ""})
    assert r.status_code == 200 and "请先在地图上画出地块" in r.content.decode()
    for n in range(3):
        services.precheck(PARCEL, name=f"第{n}块", actor=checker)
    with django_assert_max_num_queries(12):
        r = client.get("/planning/checks/")
    assert r.status_code == 200 and r.content.decode().count("report.pdf") == 4
    assert client.get("/planning/checks/999999/").status_code == 404
    client.logout()
    assert client.get("/planning/").status_code == 302
