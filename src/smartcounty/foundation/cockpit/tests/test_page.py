import re

from smartcounty.foundation.cockpit.schemas import CockpitPanel
from smartcounty.foundation.cockpit.tests.conftest import registered


def test_page_needs_sign_in_and_the_cockpit_permission(client, resident):
    r = client.get("/cockpit/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    client.force_login(resident)
    assert client.get("/cockpit/").status_code == 403


def test_page_renders_in_chinese_with_vendored_scripts_only(client, staff_a):
    panel = CockpitPanel(key="testmod.fig", title="测试指标", kind="figure", data=lambda ctx: {"value": 42})
    with registered(panel):
        client.force_login(staff_a)
        r = client.get("/cockpit/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "冠县城市运行驾驶舱" in html
    assert 'data-panel="testmod.fig"' in html and "测试指标" in html
    assert "vendor/leaflet/leaflet.js" in html and 'data-echarts="/static/vendor/echarts/echarts.min.js"' in html
    # Nothing is loaded from elsewhere: every src/href is local.
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)
    # The first data comes with the page.
    assert '"testmod.fig": {"ok": true, "data": {"value": 42}}' in html


def test_page_in_english(client, staff_a):
    client.force_login(staff_a)
    r = client.get("/cockpit/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Guan County operations cockpit" in r.content.decode()


def test_public_mode_page(client, settings):
    settings.SMARTCOUNTY_COCKPIT_PUBLIC = True
    assert client.get("/cockpit/").status_code == 200


def test_tile_layer_only_when_configured(client, staff_a, settings):
    client.force_login(staff_a)
    assert '"tile_url": ""' in client.get("/cockpit/").content.decode()
    settings.SMARTCOUNTY_TILE_URL = "https://t0.tianditu.gov.cn/vec_w/wmts?tk=KEY"
    assert "tianditu" in client.get("/cockpit/").content.decode()
