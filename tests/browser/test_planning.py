"""The site pre-check as the natural resources and planning bureau's staff: draw a parcel with Leaflet-Geoman's
polygon tool (mouse clicks on the map), run the check, read the report and fetch its PDF; the page on a phone;
another department's staff are refused."""

import re

import pytest

from .conftest import screenshot

pytestmark = pytest.mark.browser
BUREAU = "natural-resources-staff"


def _draw_polygon(page, points):
    page.locator(".leaflet-pm-icon-polygon").first.click()
    box = page.locator("#planning-map").bounding_box()
    for fx, fy in points + points[:1]:  # the last click, on the first vertex, closes the ring
        page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        page.wait_for_timeout(150)


def test_draw_a_parcel_and_read_the_report(new_page, server):
    from playwright.sync_api import expect

    page, watch = new_page(1600, 1000, user=BUREAU)
    page.goto(server + "/planning/")
    expect(page.locator("h1")).to_contain_text("选址预审")
    expect(page.locator("#planning-map path.leaflet-interactive").first).to_be_visible(timeout=20_000)
    _draw_polygon(page, [(0.30, 0.30), (0.42, 0.30), (0.42, 0.42), (0.30, 0.42)])
    geometry = page.locator("#pc-geometry").input_value()
    assert '"Polygon"' in geometry and geometry.count("[") >= 6
    expect(page.locator("#pc-status")).to_contain_text("已画出地块")
    screenshot(page, "planning-drawn")
    page.fill("#pc-name", "浏览器测试地块")
    page.locator("#pc-submit").click()
    page.wait_for_url(re.compile(r"/planning/checks/\d+/$"))
    expect(page.locator("h1")).to_contain_text("浏览器测试地块")
    # a parcel of kilometres in the county's farmland lattice meets permanent basic farmland
    expect(page.locator("#check-verdict")).to_contain_text("禁止")
    expect(page.locator("#check-rules")).to_contain_text("永久基本农田")
    assert float(page.locator("#check-area").inner_text().replace(",", "")) > 10_000
    expect(page.locator("#check-map path.leaflet-interactive").first).to_be_visible(timeout=20_000)
    screenshot(page, "planning-report", full_page=True)
    pdf = page.request.get(server + page.locator("#check-pdf").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"
    page.goto(server + "/planning/checks/")
    expect(page.locator("#pc-checks")).to_contain_text("浏览器测试地块")
    assert watch.errors == []


def test_precheck_on_a_phone(new_page, server):
    from playwright.sync_api import expect

    page, watch = new_page(390, 844, user=BUREAU)
    page.goto(server + "/planning/")
    expect(page.locator("#planning-map")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "planning-phone", full_page=True)
    assert watch.errors == []


def test_other_departments_are_refused(new_page, server):
    page, _watch = new_page(1280, 800, user="housing-staff")
    response = page.goto(server + "/planning/")
    assert response.status == 403
