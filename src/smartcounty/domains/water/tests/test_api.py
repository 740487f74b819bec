"""The water API, the water-quality stations (GB 3838 on the page, the API and the cockpit) and the water
data published into the catalog, on a real database."""

from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from smartcounty.domains.water import demo, gb3838, opendata
from smartcounty.foundation.sensing import services as sensing

pytestmark = pytest.mark.django_db
API = "/api/v1/water"


def _ingest(ds, values, minutes_apart=60):
    now = datetime.now(UTC)
    sensing.ingest([{"datastream": ds.id, "phenomenonTime": (now - timedelta(minutes=minutes_apart * (len(values) - i)))
                     .isoformat(), "result": v} for i, v in enumerate(values)], source="test", publish=False)


@pytest.fixture
def net(db):
    sensing.sync_observed_properties()
    g = sensing.create_thing("water-a", "卫运河测试水位站", lon=115.3, lat=36.5, kind="water", town_code="371525106",
                             properties={"warning_level": 40.5, "guarantee_level": 41.8})
    level = sensing.create_datastream(g, "water_level", expected_interval_s=300)
    _ingest(level, [39.8, 40.2, 40.9])
    r = sensing.create_thing("rain-a", "测试雨量站", lon=115.4, lat=36.5, kind="rain", town_code="371525001")
    rain = sensing.create_datastream(r, "rainfall", expected_interval_s=300)
    _ingest(rain, [2.0, 3.5, 1.0], minutes_apart=30)
    return level, rain


@pytest.fixture
def quality_stations(db):
    Organisation = apps.get_model("accounts", "Organisation")
    Organisation.objects.get_or_create(code="ecology-environment", defaults={"name": "市生态环境局冠县分局"})
    demo.load()
    # readings: the reservoir (lake) clean; a river stretch with ammonia nitrogen 1.3 mg/L (class IV)
    samples = {
        "wq-reservoir-north": {"ph": 7.9, "dissolved_oxygen": 8.0, "codmn": 3.0, "nh3n": 0.3, "tp": 0.02},
        "wq-wei-donggucheng": {"ph": 7.7, "dissolved_oxygen": 6.2, "codmn": 5.0, "nh3n": 1.3, "tp": 0.15},
    }
    ids = {}
    for row in sensing.latest_values():
        ids[(row.thing_id, row.property_code)] = row.id
    codes = {code: sensing.create_thing(code, "", lon=0, lat=0).id for code in samples}  # existing: returned
    for code, sample in samples.items():
        for prop, v in sample.items():
            _ingest(type("D", (), {"id": ids[(codes[code], prop)]}), [v])
    return codes


def test_levels_against_their_marks(client, net, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        body = client.get(f"{API}/levels").json()
    assert body["count"] == 1
    g = body["items"][0]
    assert g["level"] == 40.9 and g["warning_level"] == 40.5 and g["guarantee_level"] == 41.8
    assert g["state"] == "above_warning" and g["state_name"] == "超警戒水位" and g["to_warning"] == pytest.approx(0.4)
    hourly = client.get(f"{API}/levels/{g['gauge_id']}/hourly", {"hours": 6}).json()
    assert hourly["count"] >= 1 and max(i["max"] for i in hourly["items"]) == 40.9
    assert client.get(f"{API}/levels/999999/hourly").status_code == 404
    assert client.get(f"{API}/levels/{g['gauge_id']}/hourly", {"hours": 9999}).status_code == 422


def test_rain_totals_and_drought(client, net):
    body = client.get(f"{API}/rain").json()
    totals = {t["hours"]: t["mm"] for t in body["items"][0]["totals"]}
    # values 90, 60 and 30 minutes ago; a window (now − w h, now] leaves its start out
    assert totals[1] == pytest.approx(1.0) and totals[3] == pytest.approx(6.5) and totals[24] == pytest.approx(6.5)
    rain_id = body["items"][0]["gauge_id"]
    assert sum(i["mm"] for i in client.get(f"{API}/rain/{rain_id}/hourly").json()["items"]) == pytest.approx(6.5)
    d = client.get(f"{API}/drought").json()
    # one gauge with today's data only (the window ends at today's Beijing midnight): not counted, and the
    # panel says how far it is from 27 days
    assert d["grade"] is None and d["gauges"] == 0 and d["gauges_short"] == 1 and d["covered_days"] == [0]
    assert d["min_days"] == 27 and d["window_days"] == 30


def test_water_quality_classified_by_gb3838(client, quality_stations):
    items = {i["station"]: i for i in client.get(f"{API}/quality").json()["items"]}
    lake = items["县城北调蓄水库水质自动站(示例)"]
    river = items["卫运河东古城水质自动站(示例)"]
    assert lake["water_body"] == "lake" and river["water_body"] == "river"
    # the same figures through gb3838.classify: TP 0.02 is class II for lakes (湖、库 column)
    expected = gb3838.classify({"ph": 7.9, "do": 8.0, "codmn": 3.0, "nh3n": 0.3, "tp": 0.02}, gb3838.LAKE)
    assert lake["water_class"] == expected.water_class == 2 and lake["class_label"] == "Ⅱ类"
    assert river["water_class"] == 4 and river["deciding"] == ["nh3n"]
    nh3n = next(p for p in river["parameters"] if p["key"] == "nh3n")
    assert nh3n["exceedance"] == pytest.approx(0.3) and nh3n["class_code"] == "IV"
    assert items["卫运河店子水质自动站(示例)"]["water_class"] is None  # no reading yet
    page = client.get("/water/").content.decode()
    assert 'id="quality-stations"' in page and "Ⅳ类" in page and "氨氮" in page
    from smartcounty.kernel import registry

    panel = registry.cockpit_panels.get("water.quality").data(None)
    assert any("Ⅳ类" in i["title"] and i["level"] == "warn" for i in panel["items"])


def test_page_has_map_and_charts(client, net, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        r = client.get("/water/")
    html = r.content.decode()
    assert 'id="water-map"' in html and 'id="level-chart"' in html and 'id="rain-chart"' in html
    assert "vendor/leaflet/leaflet.js" in html and "vendor/echarts/echarts.min.js" in html
    kinds = {p["kind"] for p in r.context["points"]}
    assert kinds == {"level", "rain"}


def test_water_data_published_into_the_open_catalog(client, net, quality_stations):
    Organisation = apps.get_model("accounts", "Organisation")
    Organisation.objects.get_or_create(code="water", defaults={"name": "县水利局"})
    out = opendata.publish()
    assert out == {opendata.LEVELS: 1, opendata.QUALITY: 2}
    from smartcounty.foundation.catalog import services as catalog

    res = catalog.get_resource(opendata.LEVELS)
    assert res.open_type == "open" and res.current_version.row_count == 1
    quality = catalog.get_resource("gx-surface-water-class")
    assert quality.open_type == "open"
    result = catalog.read_rows(quality, public=True, channel="test")
    assert sorted(r["water_class"] for r in result.rows) == ["Ⅱ类", "Ⅳ类"]
    opendata.publish()  # republished: a new version, still open
    assert catalog.get_resource(opendata.LEVELS).current_version.number == 2


@pytest.fixture
def people(db):
    Organisation = apps.get_model("accounts", "Organisation")
    water, _ = Organisation.objects.get_or_create(code="water", defaults={"name": "县水利局"})
    env, _ = Organisation.objects.get_or_create(code="ecology-environment", defaults={"name": "生态环境"})
    User = get_user_model()

    def make(name, role, org):
        return User.objects.create_user(name, password="Test-password-1", role=role, organisation=org,
                                        kind="resident" if role == "resident" else "staff")

    return {"water": make("water-staff", "staff", water), "other": make("env-staff", "staff", env),
            "resident": make("resident", "resident", None)}


def test_reassessing_the_drought_is_for_the_water_bureau_and_audited(client, net, people):
    url = f"{API}/drought/assess"
    assert client.post(url).status_code == 401
    for who in ("other", "resident"):
        client.force_login(people[who])
        assert client.post(url).status_code == 403
    client.force_login(people["water"])
    r = client.post(url)
    assert r.status_code == 200 and r.json()["gauges_short"] == 1
    assert apps.get_model("kernel", "AuditEntry").objects.filter(action="water.drought_assess").count() == 1


def test_openapi_documents_the_water_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for p in ("/api/v1/water/levels", "/api/v1/water/rain", "/api/v1/water/drought", "/api/v1/water/quality"):
        assert p in paths
