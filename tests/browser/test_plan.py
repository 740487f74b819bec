"""The leading group's page (plan supervision) with the demo loaded, on a wall and a phone, as the office's
staff (gov-staff, who manages the plan): the 30 actions with their lights, the indicators with targets and
ECharts trends, the projects; an action's page and the printable monthly report. Chinese, no console errors,
nothing from the internet, no sideways scrolling on the phone."""

import pytest

from .conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [(1920, 1080), (390, 844)])
def test_leading_group_page(new_page, server, size):
    page, watch = new_page(*size, user="gov-staff")
    page.goto(server + "/plan/")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text().strip() == "行动计划督办"
    rows = page.locator("#plan-actions tbody tr")
    assert rows.count() == 30
    first = page.locator("#plan-actions tr[data-action='1']").inner_text()
    assert "持续推进政务信息系统迁移上云" in first and "县政府办公室" in first
    lights = {page.locator(f"#plan-actions .plan-light[data-light='{k}']").count() for k in ("red", "yellow")}
    assert min(lights) > 0  # the demo has actions overdue and near their deadline
    assert "逾期" in page.locator("#plan-counts").inner_text()
    kpis = page.locator("#plan-kpis").inner_text()
    for name in ("督办任务按期办结率", "案件按时办结率", "已开放数据的公共数据领域", "目标"):
        assert name in kpis, name
    assert page.locator(".plan-chart canvas").count() >= 5  # a trend chart per indicator with values
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0] + 1
    screenshot(page, f"plan-index-{size[0]}")
    assert watch.errors == [], watch.errors

    page.locator("#plan-actions tr[data-action='14'] a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().strip() == "14. 智慧应急管理"
    assert "县应急管理局" in page.locator("dl").inner_text()
    assert page.locator(".plan-tasks tbody tr").count() == 4
    assert page.locator("form.plan-form button").count() == 1  # gov-staff may assign a task
    assert watch.errors == [], watch.errors

    page.goto(server + "/plan/report/")
    page.wait_for_load_state("networkidle")
    assert "行动计划督办情况通报" in page.locator("h1").inner_text()
    page.emulate_media(media="print")
    assert page.locator(".topbar").is_hidden() and page.locator("form.noprint").is_hidden()
    assert watch.errors == [], watch.errors
