"""The incident command view as the emergency bureau's staff: the demo incident's map draws the incident, its
nearest resources and covering shelters; giving a task adds it to the list and the timeline; the situation
report opens; the resource map draws; on a phone nothing scrolls sideways. Then market's special-equipment list
(the other half of issue 22) as the market bureau sees it, and another department seeing neither."""

import re

import pytest

from .conftest import screenshot

pytestmark = pytest.mark.browser
BUREAU = "emergency-staff"


def _open_demo_incident(page, server):
    page.goto(server + "/emergency/?state=open")
    link = page.locator("#incident-list tbody tr", has_text="幸福家园小区燃气泄漏").locator("a").first
    link.click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/emergency/incidents/\d+/$", page.url)


def test_command_view_map_task_and_report(new_page, server):
    from playwright.sync_api import expect

    page, watch = new_page(1920, 1080, user=BUREAU)
    _open_demo_incident(page, server)
    expect(page.locator("h1")).to_contain_text("幸福家园小区燃气泄漏")
    expect(page.locator("#incident-level")).to_have_text("较大")
    drawn = page.locator("#command-map .leaflet-interactive")
    expect(drawn.first).to_be_visible()
    assert drawn.count() >= 4  # the affected circle, the incident, shelters, resources
    assert page.locator("#nearest-resources tbody tr").count() == 5
    assert page.locator("#covering-shelters tbody tr").count() >= 1
    tasks = page.locator("#incident-tasks tbody tr")
    before = tasks.count()
    screenshot(page, "emergency-command-wall", full_page=True)

    page.fill("#task-form input[name=title]", "运送棉被至避难场所")
    page.locator("#task-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    expect(tasks).to_have_count(before + 1)
    expect(page.locator("#incident-timeline")).to_contain_text("运送棉被至避难场所")

    page.locator("a", has_text="态势报告").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text("态势报告")
    assert page.request.get(page.url + "?format=pdf").body()[:5] == b"%PDF-"
    assert watch.errors == []


def test_resource_map_and_the_command_view_on_a_phone(new_page, server):
    page, watch = new_page(390, 844, user=BUREAU)
    page.goto(server + "/emergency/resources/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#resource-map .leaflet-interactive").count() >= 10
    assert page.locator("#resource-list tbody tr").count() >= 10
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    screenshot(page, "emergency-resources-phone", full_page=True)
    _open_demo_incident(page, server)
    assert page.locator("#command-map .leaflet-interactive").count() >= 4
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    screenshot(page, "emergency-command-phone", full_page=True)
    assert watch.errors == []


def test_market_equipment_list(new_page, server):
    page, watch = new_page(1920, 1080, user="market-regulation-staff")
    page.goto(server + "/market/")
    assert int(page.locator("#overdue-count").inner_text()) >= 1
    assert page.locator("#equipment-list tbody tr").count() >= 1
    page.goto(server + "/market/?state=overdue")
    for text in page.locator("#equipment-list tbody tr").all_inner_texts():
        assert "已超期" in text
    assert watch.errors == []


def test_other_departments_see_why_and_residents_read_warnings(new_page, server):
    page, watch = new_page(1920, 1080, user="gov-staff")
    page.goto(server + "/emergency/")
    assert "县应急管理局" in page.locator("[role=status]").inner_text()
    assert page.locator("#incident-list").count() == 0
    anon, watch2 = new_page(390, 844)
    anon.goto(server + "/emergency/warnings/")
    assert "幸福家园小区燃气泄漏" in anon.locator("#public-warnings").inner_text()
    assert watch.errors == [] and watch2.errors == []
