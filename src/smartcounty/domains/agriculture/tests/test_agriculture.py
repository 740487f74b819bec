"""Farms and plots, crops and seasons; pest, frost and soil-drought warnings from simulated field sensors as
alerts; advisories on the portal; who may see what."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.agriculture import services, warnings
from smartcounty.domains.agriculture.models import Advisory, Sensor
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.places import services as places
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel import codes

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
RID17 = "37152519700101123"
RID = RID17 + codes.resident_id_check_char(RID17)


def square(lon, lat, d):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d],
                                                [lon, lat]]]}


def user(username, role, org=None):
    return get_user_model().objects.create_user(username=username, password="Guanxian-2026!", role=role,
                                                organisation_id=org, kind="staff")


@pytest.fixture
def farm(db):
    accounts.ensure_plan_organisations()
    places.ensure_divisions()
    pk = services.create_farm(name="清泉果园", operator_kind="id", operator_code=RID, operator_name="王秀英",
                              town_code="371525001")
    plot = services.add_plot(pk, name="东园", geometry=square(115.44, 36.48, 0.004))
    services.add_season(plot, crop="pear", sown_on=date(2026, 3, 1), harvest_on=date(2026, 12, 31))
    return pk


def feed(sensor_pk, values, end=NOW):
    ds = Sensor.objects.get(pk=sensor_pk).datastream_id
    n = len(values)
    sensing.ingest([{"datastream": ds, "phenomenonTime": (end - timedelta(hours=n - i)).isoformat(), "result": v}
                    for i, v in enumerate(values)], source="test")


def test_plot_area_in_mu():
    # a square kilometre is 1500 亩; 0.009° of latitude is 1000.0 m, 0.009/cos(36.48°) of longitude about the same
    import math

    d_lat = 1000 / 111_195.0
    d_lon = d_lat / math.cos(math.radians(36.48 + d_lat / 2))
    geom = {"type": "Polygon", "coordinates": [[[115.4, 36.48], [115.4 + d_lon, 36.48], [115.4 + d_lon, 36.48 + d_lat],
                                                [115.4, 36.48 + d_lat], [115.4, 36.48]]]}
    assert services.plot_area_mu(geom) == pytest.approx(1500, rel=0.005)
    from smartcounty.kernel.problems import ApiError

    with pytest.raises(ApiError):
        services.plot_area_mu({"type": "Point", "coordinates": [115.4, 36.4]})


def test_pest_warning_from_a_simulated_trap(farm, django_capture_on_commit_callbacks):
    trap = services.add_sensor(farm, kind="pest_trap", code="T1", lon=115.441, lat=36.481, pest="梨小食心虫",
                               threshold=15)
    with django_capture_on_commit_callbacks(execute=True):  # the sensing.observations handler judges the trap
        feed(trap, [0.5] * 24, end=NOW - timedelta(days=1))
    assert alerts.find_open_alert("agriculture", "pest_trap:T1") is None
    with django_capture_on_commit_callbacks(execute=True):
        feed(trap, [1.0] * 24)  # 24 moths in a day: over 15, under 30
    alert = alerts.find_open_alert("agriculture", "pest_trap:T1")
    assert alert is not None and alert.level == 2
    [adv] = Advisory.objects.filter(source="warning")
    assert "梨小食心虫" in adv.title and adv.town_code == "371525001"
    with django_capture_on_commit_callbacks(execute=True):
        feed(trap, [0.1] * 24, end=NOW + timedelta(days=1))
    assert alerts.find_open_alert("agriculture", "pest_trap:T1") is None


def test_frost_warning_uses_the_weather_signal_only_while_a_crop_grows(farm, django_capture_on_commit_callbacks):
    wx = services.add_sensor(farm, kind="weather", code="W1", lon=115.442, lat=36.482)
    with django_capture_on_commit_callbacks(execute=True):
        feed(wx, [3.0] * 20 + [-1.0, -3.5, -2.0, 1.0])
    alert = alerts.find_open_alert("agriculture", "weather:W1")
    assert alert is not None and alert.level == 2  # -3.5 ℃: 霜冻黄色
    assert services.check(NOW)[0]["level"] == 2
    out = services.check(datetime(2027, 1, 20, 4, 0, tzinfo=UTC))  # no data in the window: nothing changes
    assert out[0]["level"] == 0


def test_soil_drought_levels(farm):
    soil = services.add_sensor(farm, kind="soil", code="S1", lon=115.443, lat=36.483)
    feed(soil, [45.0] * 24)
    [judged] = services.check(NOW)
    assert judged["level"] == 2 and alerts.find_open_alert("agriculture", "soil:S1").level == 2  # 中旱


@pytest.mark.parametrize("r,level", [(61, 0), (60, 1), (50.1, 1), (50, 2), (40, 3), (30.1, 3), (30, 4), (5, 4)])
def test_drought_levels_gb_t_32136(r, level):
    assert warnings.drought_level(r) == level


@pytest.mark.parametrize("t,code", [(0.5, None), (0.0, "1101"), (-2.9, "1101"), (-3.0, "1102"), (-5.0, "1103"),
                                    (-12, "1103")])
def test_frost_signal_codes(t, code):
    s = warnings.frost_signal(t)
    assert (s.code if s else None) == code


@given(st.floats(-40, 40), st.floats(-40, 40))
def test_colder_is_never_a_lower_frost_level(a, b):
    lo, hi = sorted((a, b))
    rank = lambda t: (warnings.frost_signal(t).rank if warnings.frost_signal(t) else 0)  # noqa: E731
    assert rank(lo) >= rank(hi)


@given(st.floats(0, 1000), st.floats(0, 1000), st.floats(0.5, 100))
def test_pest_level_is_monotonic(a, b, threshold):
    lo, hi = sorted((a, b))
    assert warnings.pest_level(lo, threshold) <= warnings.pest_level(hi, threshold)


def test_api_authorisation_masking_and_portal(client, farm):
    ids = accounts.organisation_ids_by_code()
    staff, admin = user("nyj", "staff", ids["agriculture"]), user("nyj-admin", "org_admin", ids["agriculture"])
    other = user("swj", "staff", ids["commerce"])
    resident = get_user_model().objects.create_user(username="jm", password="Guanxian-2026!", role="resident",
                                                    kind="resident")
    for url in ("/api/v1/agriculture/farms", f"/api/v1/agriculture/farms/{farm}", "/api/v1/agriculture/plots.geojson"):
        assert client.get(url).status_code == 401
        client.force_login(resident)
        assert client.get(url).status_code == 403
        client.force_login(other)  # another department reads, with the farmer's data masked
        assert client.get(url).status_code == 200
        client.logout()
    client.force_login(resident)
    assert client.get("/agriculture/farms/").status_code == 403
    client.force_login(other)
    assert client.get("/api/v1/agriculture/farms").json()["items"][0]["operator_name"] == "王**"
    assert client.post(f"/api/v1/agriculture/farms/{farm}/plots", json.dumps({"name": "x", "geometry": square(
        115.4, 36.4, 0.01)}), content_type="application/json").status_code == 403
    assert client.post("/api/v1/agriculture/advisories", json.dumps({"title": "x", "body": "y"}),
                       content_type="application/json").status_code == 403
    client.force_login(staff)
    r = client.get("/api/v1/agriculture/farms")
    assert r.json()["count"] == 1 and r.json()["items"][0]["operator_name"] == "王**"
    assert r.json()["items"][0]["area_mu"] > 0
    assert "*" in client.get(f"/api/v1/agriculture/farms/{farm}").json()["operator_code"]
    geo = client.get("/api/v1/agriculture/plots.geojson?bbox=115.4,36.4,115.5,36.5").json()
    assert len(geo["features"]) == 1
    assert client.get("/api/v1/agriculture/plots.geojson?bbox=116,37,116.1,37.1").json()["features"] == []
    r = client.post("/api/v1/agriculture/advisories", json.dumps({"title": "小麦冬前管理", "body": "适时镇压"}),
                    content_type="application/json")
    assert r.status_code == 201
    assert client.get(f"/agriculture/farms/{farm}/").status_code == 200
    client.force_login(admin)
    assert client.get(f"/api/v1/agriculture/farms/{farm}").json()["operator_code"] == RID
    client.logout()
    assert client.get("/api/v1/agriculture/advisories").json()[0]["title"] == "小麦冬前管理"
    page = client.get("/agriculture/")
    assert page.status_code == 200 and "小麦冬前管理" in page.content.decode()


def test_demo(db):
    from smartcounty.domains.agriculture import demo

    accounts.ensure_plan_organisations()
    places.ensure_divisions()
    demo.load()
    demo.load()
    assert alerts.find_open_alert("agriculture", "pest_trap:GX-TRAP-01") is not None
    assert len(services.advisories()) >= 3


def test_cockpit_layer_of_plots(farm):
    from smartcounty.foundation.cockpit.schemas import PanelContext
    from smartcounty.kernel import registry

    panel = registry.cockpit_panels.get("agriculture.plots")
    inside = panel.data(PanelContext(bbox=(115.4, 36.4, 115.5, 36.5)))
    assert [f["properties"]["name"] for f in inside["geojson"]["features"]] == ["东园"]
    assert panel.data(PanelContext(bbox=(116.0, 37.0, 116.1, 37.1)))["geojson"]["features"] == []
