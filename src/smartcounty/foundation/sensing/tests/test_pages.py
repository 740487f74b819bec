import pytest
from django.urls import reverse

from smartcounty.foundation.sensing import services

pytestmark = pytest.mark.django_db


def _fill(network):
    from datetime import UTC, datetime, timedelta
    now = datetime.now(UTC)
    services.ingest([{"datastream": d.id, "phenomenonTime": (now - timedelta(minutes=m)).isoformat(), "result": m}
                     for d in network.values() for m in range(0, 120, 5)], source="http")


def test_sensor_list_and_map_show_own_organisation(client, network, people, django_assert_max_num_queries):
    _fill(network)
    url = reverse("sensing:things")
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(people["resident"])
    assert client.get(url).status_code == 403
    client.force_login(people["staff_a"])
    with django_assert_max_num_queries(16):  # +2: the menu's security and planning entries look up their organisation
        r = client.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and "清泉空气站" in html and "卫运河水位站" not in html
    assert "vendor/leaflet.markercluster/leaflet.markercluster.js" in html and "sensor-markers" in html
    client.force_login(people["platform"])
    assert "卫运河水位站" in client.get(url, {"kind": "water"}).content.decode()


def test_datastream_page_has_chart_and_refuses_other_organisations(client, network, people):
    _fill(network)
    url = reverse("sensing:datastream", args=[network["pm25_1"].id])
    client.force_login(people["staff_b"])
    assert client.get(url).status_code == 403
    client.force_login(people["staff_a"])
    for span in ("24h", "7d", "30d"):
        r = client.get(url, {"range": span})
        assert r.status_code == 200
    html = r.content.decode()
    assert "vendor/echarts/echarts.min.js" in html and 'id="series"' in html
    assert client.get(reverse("sensing:datastream", args=[999999])).status_code == 404


def test_menu_entry_for_sensing_staff(client, people):
    client.force_login(people["staff_a"])
    assert reverse("sensing:things") in client.get("/").content.decode()
