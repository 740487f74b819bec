"""The delivery network's coverage; monthly e-commerce sales imported from files (bad rows reported, none
written); figures by month and town; open data through the catalog; who may do what."""

import io
import json
from datetime import date

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcounty.domains.logistics import services
from smartcounty.domains.logistics.models import MonthlySales, Shop
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.catalog import services as catalog
from smartcounty.foundation.places import services as places
from smartcounty.kernel.problems import ApiError

pytestmark = pytest.mark.django_db
HEAD = "店铺名称,平台,品类,乡镇,月份,订单数,销售额（元）\n"


def user(username, role, org=None):
    return get_user_model().objects.create_user(username=username, password="Guanxian-2026!", role=role,
                                                organisation_id=org, kind="staff")


@pytest.fixture
def setup(db):
    accounts.ensure_plan_organisations()
    places.ensure_divisions()
    return accounts.organisation_ids_by_code()


def test_coverage(setup):
    towns = places.towns()
    services.save_site(name="县物流中心", level="county", lon=115.44, lat=36.48)
    services.save_site(name="甲站", level="town", lon=115.44, lat=36.48, town_code=towns[0].code)
    services.save_site(name="甲1村点", level="village", lon=115.45, lat=36.48, town_code=towns[0].code,
                       village_code=towns[0].code + "201")
    services.save_site(name="甲1村点二", level="village", lon=115.45, lat=36.49, town_code=towns[0].code,
                       village_code=towns[0].code + "201")
    services.save_site(name="乙2村点", level="village", lon=115.45, lat=36.48, town_code=towns[1].code,
                       village_code=towns[1].code + "202")
    cov = services.coverage()
    assert (cov["county_centres"], cov["towns"], cov["towns_covered"], cov["villages_covered"]) == (1, 18, 1, 2)
    assert cov["town_rate"] == round(1 / 18, 4)
    first = cov["by_town"][0]
    assert (first["stations"], first["points"], first["villages"]) == (1, 2, 1)
    with pytest.raises(ApiError):
        services.save_site(name="错", level="village", lon=115.45, lat=36.48, town_code=towns[0].code,
                           village_code="123")
    with pytest.raises(ApiError):
        services.save_site(name="错", level="province", lon=115.45, lat=36.48)


def test_sales_import_all_or_nothing_then_figures_and_open_data(setup):
    towns = places.towns()
    bad = (HEAD + f"鸭梨店,淘宝,生鲜,{towns[0].name},2026-01,100,3800\n"
                  f"鸭梨店,淘宝,生鲜,{towns[0].name},2026-01,100,3800\n"  # row 3: same shop and month
                  ",京东,生鲜,,2026-01,1,1\n"                              # row 4: no shop
                  "灵芝店,京东,保健,火星镇,2026-13,-1,abc\n").encode()       # row 5: town, month, orders, amount
    result = services.import_sales(bad, "s.csv")
    assert result["imported"] == 0 and MonthlySales.objects.count() == 0 and Shop.objects.count() == 0
    assert sorted({(e["row"], e["column"]) for e in result["errors"]}) == [
        (3, "month"), (4, "shop"), (5, "amount"), (5, "month"), (5, "orders"), (5, "town")]
    good = (HEAD + f"鸭梨店,淘宝,生鲜,{towns[0].name},2026-01,100,3800\n"
                   f"鸭梨店,淘宝,生鲜,{towns[0].name},2026年2月,120,4560.5\n"
                   f"灵芝店,京东,保健,{towns[1].code},2026-02,10,990\n").encode()
    assert services.import_sales(good, "s.csv")["imported"] == 3
    assert services.monthly() == [{"month": "2026-01", "orders": 100, "amount": 3800.0, "shops": 1},
                                  {"month": "2026-02", "orders": 130, "amount": 5550.5, "shops": 2}]
    assert [r["amount"] for r in services.by_town(date(2026, 2, 1))] == [4560.5, 990.0]
    wb = openpyxl.Workbook()
    wb.active.append(["店铺名称", "平台", "月份", "订单数", "销售额"])
    wb.active.append(["鸭梨店", "淘宝", "2026-01", 150, 5700])
    buf = io.BytesIO()
    wb.save(buf)
    assert services.import_sales(buf.getvalue(), "s.xlsx")["imported"] == 1  # a re-import replaces the month
    assert services.monthly()[0]["orders"] == 150
    assert services.publish_open_data() == 3
    rows = catalog.read_rows(catalog.get_resource(services.OPEN_DATA_CODE), public=True).rows
    assert {r["month"] for r in rows} == {"2026-01", "2026-02"} and "鸭梨店" not in json.dumps(rows, ensure_ascii=False)


def test_api_and_pages(client, setup):
    staff, other = user("swj", "staff", setup["commerce"]), user("nyj", "staff", setup["agriculture"])
    assert client.get("/api/v1/logistics/coverage").status_code == 200  # public
    assert client.get("/api/v1/logistics/sites").json()["count"] == 0
    assert client.get("/logistics/").status_code == 200
    f = lambda: SimpleUploadedFile("s.csv", (HEAD + "鸭梨店,淘宝,生鲜,,2026-01,100,3800\n").encode())  # noqa: E731
    site = json.dumps({"name": "站", "level": "county", "lon": 115.44, "lat": 36.48})
    for who in (None, other):
        if who:
            client.force_login(who)
        expected = 401 if who is None else 403
        assert client.get("/api/v1/logistics/sales/monthly").status_code == (401 if who is None else 200)
        assert client.post("/api/v1/logistics/sales/imports", {"file": f()}).status_code == expected
        assert client.post("/api/v1/logistics/sites", site, content_type="application/json").status_code == expected
        assert client.post("/api/v1/logistics/sales/open-data").status_code == expected
    assert client.get("/logistics/ecommerce/").status_code == 200  # every department reads the statistics
    resident = get_user_model().objects.create_user(username="jm", password="Guanxian-2026!", role="resident",
                                                    kind="resident")
    client.force_login(resident)
    assert client.get("/api/v1/logistics/sales/monthly").status_code == 403
    assert client.get("/logistics/ecommerce/").status_code == 403
    client.force_login(staff)
    assert client.post("/api/v1/logistics/sites", site, content_type="application/json").status_code == 201
    assert client.post("/api/v1/logistics/sales/imports", {"file": f()}).json()["imported"] == 1
    bad = SimpleUploadedFile("s.csv", (HEAD + "鸭梨店,淘宝,生鲜,,2026-01,x,3800\n").encode())
    r = client.post("/api/v1/logistics/sales/imports", {"file": bad})
    assert r.status_code == 422 and r.json()["errors"][0]["row"] == 2
    assert client.get("/api/v1/logistics/sales/monthly").json()[0]["orders"] == 100
    assert client.get("/api/v1/logistics/sales/by-town?month=2026-01-01").status_code == 200
    page = client.get("/logistics/ecommerce/")
    assert page.status_code == 200 and "2026-01" in page.content.decode()
    assert client.post("/api/v1/logistics/sales/open-data").json()["rows"] == 1


def test_demo(setup):
    from smartcounty.domains.logistics import demo

    demo.load()
    demo.load()
    cov = services.coverage()
    assert cov["towns_covered"] == 18 and cov["villages_covered"] == 27
    assert len(services.monthly()) == 12


def test_cockpit_layer_of_sites(setup):
    from smartcounty.foundation.cockpit.schemas import PanelContext
    from smartcounty.kernel import registry

    services.save_site(name="县物流中心", level="county", lon=115.44, lat=36.48)
    services.save_site(name="远处", level="county", lon=115.60, lat=36.60)
    panel = registry.cockpit_panels.get("logistics.sites")
    out = panel.data(PanelContext(bbox=(115.4, 36.4, 115.5, 36.5), limit=10))
    assert out["total"] == 1 and out["points"][0]["label"] == "县物流中心（县级物流中心）"
