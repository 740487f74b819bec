"""The platform's own pages: Chinese error pages in the site's layout, the home page's links, the maps'
configuration (tile presets and the offline background), and units shown as symbols."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from smartcounty.kernel import tiles, units

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_chinese_and_in_the_site_layout(client):
    r = client.get("/no-such-page/")
    page = r.content.decode()
    assert r.status_code == 404 and 'class="topbar"' in page and "此页面不存在" in page
    assert "Not Found" not in page and "The requested resource" not in page


def test_a_refused_page_is_chinese_and_in_the_site_layout(client, django_user_model):
    from django.views import defaults

    request = RequestFactory().get("/cockpit/")
    request.user = django_user_model(username="x")
    r = defaults.permission_denied(request, PermissionDenied())
    page = r.content.decode()
    assert r.status_code == 403 and 'class="topbar"' in page and "您无权打开此页面" in page
    assert "403 Forbidden" not in page


def test_a_server_error_page_is_chinese():
    from django.views import defaults

    r = defaults.server_error(RequestFactory().get("/"))
    assert r.status_code == 500 and "平台出现了错误" in r.content.decode()


def test_the_home_page_links_the_menu_and_shows_no_plan_action_numbers(client):
    page = client.get("/").content.decode()
    assert 'id="home-links"' in page and "/portal/" in page
    assert "对应行动" not in page and "Plan actions" not in page


def test_maps_get_the_offline_background_without_tiles(client):
    page = client.get("/places/").content.decode()
    assert '"tiles": []' in page and "/api/v1/places/background.geojson" in page


def test_the_tianditu_preset_needs_a_key_and_uses_the_w_layers():
    with pytest.raises(tiles.TileSettingError):
        tiles.tile_layers({"SMARTCOUNTY_TILE_PRESET": "tianditu"})
    layers = tiles.tile_layers({"SMARTCOUNTY_TILE_PRESET": "tianditu", "SMARTCOUNTY_TIANDITU_KEY": "abc123"})
    assert [("vec_w" in t["url"], "cva_w" in t["url"]) for t in layers] == [(True, False), (False, True)]
    assert all("tk=abc123" in t["url"] and "TILEMATRIX={z}" in t["url"] and t["crs"] == "wgs84" for t in layers)
    assert tiles.tile_origins(layers) == ["https://*.tianditu.gov.cn"]


def test_a_gcj02_tile_server_is_marked_for_the_offset():
    layers = tiles.tile_layers({"SMARTCOUNTY_TILE_URL": "https://webrd0{s}.is.autonavi.com/{z}/{x}/{y}",
                                "SMARTCOUNTY_TILE_CRS": "gcj02", "SMARTCOUNTY_TILE_SUBDOMAINS": "1234"})
    assert layers[0]["crs"] == "gcj02" and layers[0]["subdomains"] == "1234"
    assert tiles.tile_origins(layers) == ["https://*.is.autonavi.com"]
    with pytest.raises(tiles.TileSettingError):
        tiles.tile_layers({"SMARTCOUNTY_TILE_URL": "https://x/{z}/{x}/{y}", "SMARTCOUNTY_TILE_CRS": "bd09"})
    assert tiles.tile_layers({}) == []


def test_the_gcj02_offset_barely_changes_within_one_street_view():
    """The maps shift GCJ-02 tiles by the offset at the view's centre (re-aligned after every move). Across
    the county the offset changes by about 30 m, too much for one shift; within a street-level view
    (±0.01°, about 2 km) anywhere in the county it changes by under 6 m."""
    import math

    from smartcounty.kernel import geo

    def offset_m(lon, lat):
        g_lon, g_lat = geo.wgs84_to_gcj02(lon, lat)
        return (g_lon - lon) * 111320 * math.cos(math.radians(lat)), (g_lat - lat) * 110540

    def change(a, b):
        return math.dist(offset_m(*a), offset_m(*b))

    assert change((115.2, 36.3), (115.8, 36.8)) > 20
    worst = max(change((x, y), (x + dx, y + dy)) for x in (115.2, 115.5, 115.8) for y in (36.3, 36.5, 36.8)
                for dx in (-0.01, 0.01) for dy in (-0.01, 0.01))
    assert worst < 6


def test_units_are_shown_as_symbols():
    assert units.display("ug/m3") == "μg/m³" and units.display("Cel") == "℃" and units.display("mm") == "mm"
    assert units.display(None) == ""
