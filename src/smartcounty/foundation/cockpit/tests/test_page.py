import json
import re
from urllib.parse import parse_qs

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


def test_public_mode_page(client, settings, db, caplog):
    # The public page renders its panels' first data from the database, like the staff page: without
    # ``db`` every panel failed (logged, shown as unavailable) and the page still answered 200.
    settings.SMARTCOUNTY_COCKPIT_PUBLIC = True
    r = client.get("/cockpit/")
    assert r.status_code == 200
    assert '"ok": true' in r.content.decode() and '"ok": false' not in r.content.decode()
    assert not [rec for rec in caplog.records if rec.levelname in ("ERROR", "CRITICAL")]


def test_tile_layer_only_when_configured(client, staff_a, settings):
    client.force_login(staff_a)
    assert '"tile_url": ""' in client.get("/cockpit/").content.decode()
    settings.SMARTCOUNTY_TILE_URL = "https://t0.tianditu.gov.cn/vec_w/wmts?tk=KEY"
    assert "tianditu" in client.get("/cockpit/").content.decode()


def test_page_preloads_its_first_map_view_and_names_it_to_the_script(client, staff_a):
    shown = CockpitPanel(key="testmod.pins", title="测试图层", kind="map-layer",
                         data=lambda ctx: {"points": [{"id": "1", "lon": 115.5, "lat": 36.5, "label": str(ctx.bbox)}],
                                           "total": 1})
    hidden = CockpitPanel(key="testmod.off", title="默认关闭", kind="map-layer", default_on=False,
                          data=lambda ctx: {"points": [], "total": 0})
    with registered(shown, hidden):
        client.force_login(staff_a)
        html = client.get("/cockpit/").content.decode()
        (preload,) = re.findall(r'<link rel="preload" as="fetch" crossorigin href="([^"]+)">', html)
        url = preload.replace("&amp;", "&")
        # The browser fetches the county's first view while it still loads the scripts; the script asks
        # for exactly that URL (a preload is only used for the same request).
        config = json.loads(re.search(r'<script id="cockpit-config" type="application/json">(.*?)</script>', html).group(1))
        assert config["first_view"] == url
        path, query = url.split("?")
        params = parse_qs(query)
        assert path == "/api/v1/cockpit/layers" and params["bbox"] == ["115.27,36.36,115.78,36.7"]
        keys = params["layers"][0].split(",")
        assert "testmod.pins" in keys and "testmod.off" not in keys  # a layer that starts hidden is not asked
        answers = {a["key"]: a for a in client.get(url).json()}
    assert list(answers) == keys
    assert answers["testmod.pins"]["ok"]
    assert answers["testmod.pins"]["data"]["points"][0]["label"] == "(115.27, 36.36, 115.78, 36.7)"
