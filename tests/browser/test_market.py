"""The special-equipment list as the market supervision bureau's staff: the overdue and due figures, the
overdue filter, one piece's schedule and inspection form (recording an inspection moves its due date), on a
wall display and a phone; another department's staff see only why the list is empty."""

import re

import pytest

from .conftest import screenshot

pytestmark = pytest.mark.browser
BUREAU = "market-regulation-staff"


def test_equipment_list_overdue_filter_and_inspection(new_page, server):
    from playwright.sync_api import expect

    page, watch = new_page(1920, 1080, user=BUREAU)
    page.goto(server + "/market/")
    expect(page.locator("h1")).to_have_text("特种设备")
    overdue = int(page.locator("#overdue-count").inner_text())
    due = int(page.locator("#due-count").inner_text())
    assert overdue >= 1 and due >= 1
    rows = page.locator("#equipment-list tbody tr")
    assert rows.count() >= overdue + due
    screenshot(page, "market-equipment-wall", full_page=True)

    page.select_option("select[name=state]", "overdue")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "state=overdue" in page.url
    expect(rows).to_have_count(overdue)
    for text in rows.all_inner_texts():
        assert "已超期" in text
    first = rows.first.locator("a").first
    code = first.inner_text().strip()
    first.click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/market/equipment/\d+/$", page.url)
    expect(page.locator("dl.facts")).to_contain_text(code)
    before = page.locator("#next-due").inner_text()
    assert "已超期" in before

    page.select_option("select[name=task]", "inspection")
    today = page.locator("input[name=done_on]").get_attribute("max")
    page.fill("input[name=done_on]", today)
    page.select_option("select[name=result]", "passed")
    page.fill("input[name=body]", "聊城市特种设备检验研究院")
    page.locator("#inspection-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    after = page.locator("#next-due").inner_text()
    assert after != before and "已超期" not in after
    expect(page.locator("table.list").last).to_contain_text("聊城市特种设备检验研究院")

    page.goto(server + "/market/")
    assert int(page.locator("#overdue-count").inner_text()) == overdue - 1
    assert watch.errors == []


def test_equipment_list_on_a_phone(new_page, server):
    page, watch = new_page(390, 844, user=BUREAU)
    page.goto(server + "/market/?state=due")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    assert page.locator("#equipment-list tbody tr").count() >= 1
    screenshot(page, "market-equipment-phone", full_page=True)
    page.goto(server + "/market/food/")
    assert page.locator("#food-list tbody tr").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    assert watch.errors == []


def test_other_departments_see_why_the_list_is_empty(new_page, server):
    page, watch = new_page(1920, 1080, user="gov-staff")
    page.goto(server + "/market/")
    assert "县市场监督管理局" in page.locator("[role=status]").inner_text()
    assert page.locator("#equipment-list").count() == 0
    assert watch.errors == []
