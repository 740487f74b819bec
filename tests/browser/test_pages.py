"""(a) The cockpit, the portal home and a dataset page render with no console errors and no failed
requests, at a wall display's 1920×1080 and a phone's 360×780; screenshots are kept."""

import re

import pytest

from .conftest import STAFF, screenshot

pytestmark = pytest.mark.browser

SIZES = {"wall": (1920, 1080), "phone": (360, 780)}


@pytest.mark.parametrize("size", SIZES)
def test_cockpit_renders_live_and_in_chinese(new_page, server, size):
    page, watch = new_page(*SIZES[size], user=STAFF)
    page.goto(server + "/cockpit/")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text() == "冠县城市运行驾驶舱"
    # Figures got their data (no dash left where a number belongs, unless the module says "no data yet").
    figures = page.locator(".ck-figure")
    assert figures.count() >= 2
    # The map drew the towns (vector shapes on the county map) and the layer control is there.
    page.wait_for_selector("#ck-map .leaflet-overlay-pane path, #ck-map canvas", state="attached")
    assert page.locator(".leaflet-control-layers").count() == 1
    # The live status shows a successful update.
    assert page.locator("#ck-status").inner_text().startswith("更新于")
    if size == "wall":
        box = page.locator("#ck-map").bounding_box()
        assert box["width"] > 900 and box["height"] > 500, box
        # One screen: nothing scrolls on the wall display.
        assert page.evaluate("document.documentElement.scrollHeight") <= 1080 + 2
    else:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    screenshot(page, f"cockpit-{size}")
    assert watch.errors == []


@pytest.mark.parametrize("size", SIZES)
def test_portal_home_renders(new_page, server, size):
    page, watch = new_page(*SIZES[size])
    page.goto(server + "/portal/")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text() == "冠县居民服务"
    assert page.locator("text=我身边的今日空气质量").count() == 1
    # Pick a town: the air card updates in place (HTMX), no reload.
    options = page.locator("#pt-town option")
    if options.count() > 1:
        code = options.nth(1).get_attribute("value")
        page.select_option("#pt-town", code)
        page.wait_for_load_state("networkidle")
        assert page.locator("#pt-air .pt-air, #pt-air p").count() >= 1
    # Readable on a phone: no sideways scrolling, body text at least 14 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0] + 1
    size_px = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.pt-services a span') || document.body).fontSize)")
    assert size_px >= 14
    screenshot(page, f"portal-{size}")
    assert watch.errors == []


@pytest.mark.parametrize("size", SIZES)
def test_dataset_page_renders(new_page, server, size):
    page, watch = new_page(*SIZES[size])
    page.goto(server + "/catalog/")
    page.wait_for_load_state("networkidle")
    link = page.locator("a[href*='/catalog/']").filter(has_text=re.compile(r"冠县")).first
    if link.count() == 0:
        pytest.fail("the open-data portal lists no demo dataset")
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0] + 1
    screenshot(page, f"dataset-{size}")
    assert watch.errors == []


def test_staff_home_renders(new_page, server):
    page, watch = new_page(360, 780, user=STAFF)
    page.goto(server + "/portal/staff/")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text() == "我和本单位的待办事项"
    screenshot(page, "staff-home-phone")
    assert watch.errors == []
