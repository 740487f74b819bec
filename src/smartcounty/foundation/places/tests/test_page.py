"""The public map page: Chinese first, English complete, the demo banner, the vendored Leaflet."""

from io import StringIO

import pytest
from django.urls import reverse

from smartcounty.foundation.places import demo


@pytest.fixture
def loaded(db):
    demo.load(stdout=StringIO())


def test_page_in_chinese_with_demo_banner(client, loaded):
    html = client.get(reverse("places:map"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "演示用边界" in html and 'id="demo-banner"' in html
    assert "清泉街道" in html and "/static/vendor/leaflet/leaflet.js" in html
    assert "http://" not in html.split("<body", 1)[1].replace("http://www.w3.org", "")  # nothing from the internet
    assert "镇街与网格" in html


def test_page_in_english(client, loaded):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("places:map"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Demo geometry." in html and "Towns and streets" in html


def test_no_banner_once_real_geometry_is_imported(client, db):
    from smartcounty.foundation.places.demo import ensure_divisions

    ensure_divisions()
    html = client.get(reverse("places:map")).content.decode()
    assert 'id="demo-banner"' not in html


def test_menu_entry_is_public(client, loaded):
    html = client.get("/").content.decode()
    assert reverse("places:map") in html


def test_tile_layer_only_when_configured(client, loaded, settings):
    assert '"places-tile-url" type="application/json">""<' in client.get(reverse("places:map")).content.decode()
    settings.SMARTCOUNTY_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    assert "tiles.example.gov.cn" in client.get(reverse("places:map")).content.decode()
