"""The security office's page as 县委网信办's staff (cyberspace-staff), with the demo loaded, on a wall and a
phone: the demo's attacks as security events with their evidence, the block list (lifting one), the critical
systems with their 等保 states, and the certificates with days left. Chinese, no console errors, nothing from
the internet, no sideways scrolling; another department's staff are refused."""

import pytest

from .conftest import screenshot

pytestmark = pytest.mark.browser
OFFICE = "cyberspace-staff"


@pytest.mark.parametrize("size", [(1920, 1080), (390, 844)])
def test_security_page(new_page, server, size):
    from playwright.sync_api import expect

    page, watch = new_page(*size, user=OFFICE)
    page.goto(server + "/security/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("网络安全态势")
    events = page.locator("#security-events tbody tr[data-event]")
    assert events.count() >= 4
    text = page.locator("#security-events").inner_text()
    for name in ("SQL 注入探测", "跨站脚本（XSS）探测", "扫描器访问", "撞库（同一地址多次登录失败）"):
        assert name in text, name
    systems = page.locator("#security-systems").inner_text()
    assert "冠县政务云平台" in systems and "已逾期" in systems and "30天内到期" in systems and "第3级" in systems
    sites = page.locator("#security-sites").inner_text()
    assert "7天内到期" in sites and "不受信任" in sites and "www.guanxian.gov.cn" in sites
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0] + 1
    screenshot(page, f"security-index-{size[0]}", full_page=True)
    assert watch.errors == [], watch.errors

    page.locator("#security-events tbody tr[data-event] a").first.click()
    page.wait_for_load_state("networkidle")
    assert "/security/events/" in page.url
    assert page.locator("#security-evidence tbody tr").count() >= 1
    assert watch.errors == [], watch.errors


def test_lifting_a_block(new_page, server):
    page, watch = new_page(1920, 1080, user=OFFICE)
    page.goto(server + "/security/")
    blocks = page.locator("#security-blocks tbody tr[data-block]")
    before = blocks.count()
    assert before >= 1
    ip = blocks.first.locator("code").inner_text()
    blocks.first.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert f"已解除对 {ip} 的封禁" in page.locator("body").inner_text()
    assert page.locator("#security-blocks tbody tr[data-block]").count() == before - 1
    assert watch.errors == [], watch.errors


def test_other_departments_are_refused(new_page, server):
    page, _watch = new_page(1920, 1080, user="housing-staff")
    response = page.goto(server + "/security/")
    assert response.status == 403
    assert page.locator("nav a[href='/security/']").count() == 0
