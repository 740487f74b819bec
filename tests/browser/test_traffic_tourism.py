"""Public traffic and tourism pages with the demo loaded, on a desktop and a phone: road conditions (TPI,
segment map, chart), parking (live vacant spaces), traffic notices, attractions with their load and warnings,
visitor statistics; Chinese, no console errors, nothing from the internet."""

import pytest

pytestmark = pytest.mark.browser

PAGES = (
    ("/traffic/", "实时路况", ("交通运行指数", "路段")),
    ("/traffic/parking/", "停车", ("空余车位", "县人民医院停车场")),
    ("/traffic/notices/", "交通管制公告", ("振兴路", "道路封闭")),
    ("/tourism/", "景区客流", ("冠县万亩梨园", "瞬时承载量")),
    ("/tourism/stats/", "游客统计", ("法定节假日", "按景区")),
)


@pytest.mark.parametrize("size", [(1920, 1080), (360, 780)])
def test_public_traffic_and_tourism_pages(new_page, server, size):
    for path, heading, texts in PAGES:
        page, watch = new_page(*size)
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").first.inner_text().strip() == heading, path
        body = page.locator("body").inner_text()
        for t in texts:
            assert t in body, (path, t)
        assert watch.errors == [], (path, watch.errors)
    page, watch = new_page(*size)
    page.goto(server + "/traffic/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#traffic-map path.leaflet-interactive").count() > 10  # the segments, coloured by level
    assert page.locator("#tpi-chart canvas").count() == 1
    assert watch.errors == []
