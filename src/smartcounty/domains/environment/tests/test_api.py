"""The environment API on a real database: readings by station, town and county (hourly and daily) against
HJ 633 computed by hand, forecasts labelled by their backtest, authorisation, pagination and query counts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from smartcounty.domains.environment import forecast as fc
from smartcounty.domains.environment import live
from smartcounty.domains.environment.aqi import (
    DAILY,
    HOURLY,
    category_for,
    compute_aqi,
    daily_concentrations,
    iaqi,
)
from smartcounty.domains.environment.models import ForecastRun, ForecastValue
from smartcounty.foundation.sensing import services as sensing

pytestmark = pytest.mark.django_db
HOUR = 3_600_000
API = "/api/v1/environment"
TOWN_A, TOWN_B = "371525001", "371525101"
#: HJ 633-2012 Table 2: 对健康影响情况, 建议采取的措施 per level
HJ633_TABLE2 = {
    1: ("空气质量令人满意，基本无空气污染", "各类人群可正常活动"),
    2: ("空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响", "极少数异常敏感人群应减少户外活动"),
    3: ("易感人群症状有轻度加剧，健康人群出现刺激症状", "儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼"),
    4: ("进一步加剧易感人群症状，可能对健康人群心脏、呼吸系统有影响",
        "儿童、老年人及心脏病、呼吸系统疾病患者避免长时间、高强度的户外锻炼，一般人群适量减少户外运动"),
    5: ("心脏病和肺病患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状",
        "儿童、老年人和心脏病、肺病患者应停留在室内，停止户外运动，一般人群减少户外运动"),
    6: ("健康人群运动耐受力降低，有明显强烈症状，提前出现某些疾病", "儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动"),
}


def _iso(ms):
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def _now_hour():
    return sensing.to_ms(datetime.now(UTC)) // HOUR * HOUR


def _station(code, town, pm25, hours=50, lon=115.44):
    """A station with PM2.5 ``pm25`` and fixed other pollutants, 4 values an hour (900 s) for ``hours`` hours."""
    thing = sensing.create_thing(code, f"{code}站", lon=lon, lat=36.48, kind="air", town_code=town)
    values = {"pm25": pm25, "pm10": 60, "so2": 8, "no2": 20, "co": 0.6, "o3": 40}
    streams = {c: sensing.create_datastream(thing, c, expected_interval_s=900) for c in values}
    start = _now_hour() - hours * HOUR
    items = [{"datastream": streams[c].id, "phenomenonTime": _iso(start + h * HOUR + m * 60_000), "result": v}
             for c, v in values.items() for h in range(hours) for m in (0, 15, 30, 45)]
    sensing.ingest(items, source="test", publish=False)
    return thing


@pytest.fixture
def network(db):
    sensing.sync_observed_properties()
    a = _station("air-a", TOWN_A, 80)
    b = _station("air-b", TOWN_A, 40, lon=115.45)
    c = _station("air-c", TOWN_B, 120, lon=115.6)
    assert live.catch_up(48, _now_hour()) == 3 * 48
    return a, b, c


def test_station_readings_carry_aqi_iaqi_category_and_health_advice(client, network):
    a, b, c = network
    r = client.get(f"{API}/stations")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 3
    by = {i["name"]: i for i in body["items"]}
    ra = by["air-a站"]
    # PM2.5 80 µg/m³ is the highest sub-index: IAQI on the 24 h column (HJ 633 hourly report)
    expected = iaqi("PM2_5_1H", 80, ra["version"].replace(" ", ""))
    assert ra["aqi"] == expected and ra["primary"] == ["PM2_5"] and ra["primary_labels"] == ["PM₂.₅"]
    assert {s["pollutant"] for s in ra["iaqi"]} == {"SO2", "NO2", "PM10", "PM2_5", "CO", "O3"}
    cat = ra["category"]
    level = category_for(expected).level
    assert cat["level"] == level and cat["colour"] == category_for(expected).hex
    assert (cat["health_effect"], cat["advice"]) == HJ633_TABLE2[level]
    rc = by["air-c站"]
    assert rc["exceeding"] == ["PM2_5"] and rc["aqi"] > 100
    assert (rc["category"]["health_effect"], rc["category"]["advice"]) == HJ633_TABLE2[rc["category"]["level"]]
    assert client.get(f"{API}/stations", {"town": TOWN_B}).json()["count"] == 1
    assert client.get(f"{API}/stations", {"town": "12"}).status_code == 422


def test_town_and_county_use_the_mean_concentrations_of_their_stations(client, network):
    towns = {t["key"]: t for t in client.get(f"{API}/towns").json()["items"]}
    hour = datetime.fromisoformat(towns[TOWN_A]["start"])
    pm = {s["pollutant"]: s["concentration"] for s in towns[TOWN_A]["iaqi"]}
    assert pm["PM2_5"] == pytest.approx(60)  # (80 + 40) / 2
    assert towns[TOWN_A]["aqi"] == compute_aqi({"PM2_5_1H": 60, "PM10_1H": 60, "SO2_1H": 8, "NO2_1H": 20,
                                                "CO_1H": 0.6, "O3_1H": 40}, report=HOURLY, when=hour).aqi
    assert towns[TOWN_A]["stations"] == 2 and towns[TOWN_B]["stations"] == 1
    county = client.get(f"{API}/county").json()
    assert {s["pollutant"]: s["concentration"] for s in county["iaqi"]}["PM2_5"] == pytest.approx(80)
    assert county["stations"] == 3 and county["name"]


def test_hourly_and_daily_series(client, network):
    a, b, c = network
    r = client.get(f"{API}/stations/{a.id}/hourly", {"hours": 24, "limit": 10})
    body = r.json()
    assert r.status_code == 200 and body["count"] == 24 and len(body["items"]) == 10
    assert all(i["aqi"] == body["items"][0]["aqi"] for i in body["items"])
    day_start = sensing.bucket_start(_now_hour(), "1day") - 24 * HOUR
    daily = client.get(f"{API}/towns/{TOWN_A}/daily", {"days": 2}).json()["items"]
    full = [d for d in daily if d["start"] == _iso(day_start).replace("+00:00", "Z")]
    if full:  # the fixture's 50 hours cover yesterday (Beijing) completely
        conc = daily_concentrations({"PM2_5": [60] * 24, "PM10": [60] * 24, "SO2": [8] * 24, "NO2": [20] * 24,
                                     "CO": [0.6] * 24, "O3": [40] * 24})
        expected = compute_aqi(conc, report=DAILY, when=sensing.from_ms(day_start + 12 * HOUR))
        assert full[0]["aqi"] == expected.aqi and full[0]["report"] == "daily"
    assert client.get(f"{API}/county/hourly", {"hours": 999}).status_code == 422
    assert client.get(f"{API}/towns/abc/daily").status_code == 422
    assert client.get(f"{API}/stations/999999/hourly").json()["count"] == 0


def test_list_queries_do_not_grow_with_the_stations(client, network, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert client.get(f"{API}/stations").json()["count"] == 3
    with django_assert_max_num_queries(12):
        assert client.get(f"{API}/towns").json()["count"] == 2
    for i in range(5):
        _station(f"air-x{i}", TOWN_B, 50 + i, lon=115.5 + i / 100)
    live.catch_up(3, _now_hour())
    with django_assert_max_num_queries(12):
        assert client.get(f"{API}/stations").json()["count"] == 8
    with django_assert_max_num_queries(12):
        assert client.get(f"{API}/towns").json()["count"] == 2


def _run(thing, model_mae, persistence_mae, method=fc.RIDGE, leads=72):
    issued = sensing.from_ms(_now_hour() - HOUR)
    run = ForecastRun.objects.create(thing_id=thing.id, station_name=thing.name, issued_at=issued, method=method,
                                     model_leads=leads, model_mae=model_mae, persistence_mae=persistence_mae,
                                     backtest_pairs=100, backtest_origins=5, history_hours=200)
    ForecastValue.objects.bulk_create([ForecastValue(run=run, lead_hours=h, target=issued + timedelta(hours=h),
                                                     aqi=50.0 + h) for h in range(1, 73)])
    return run


def test_a_run_is_a_forecast_only_when_its_backtest_beats_persistence(client, network):
    a, b, c = network
    _run(a, 10.0, 20.0)
    _run(b, 25.0, 20.0)
    _run(c, 20.0, 20.0, method=fc.PERSISTENCE, leads=0)
    items = {i["station_id"]: i for i in client.get(f"{API}/forecasts").json()["items"]}
    assert items[a.id]["status"] == "forecast" and items[a.id]["is_forecast"] is True
    assert items[a.id]["backtest"]["skill"] == pytest.approx(0.5)
    assert items[b.id]["status"] == "not_better" and items[b.id]["is_forecast"] is False
    assert items[c.id]["status"] == "persistence" and "历史" in items[c.id]["status_label"]
    detail = client.get(f"{API}/forecasts/{a.id}").json()
    assert len(detail["values"]) == 72 and detail["values"][0]["lead_hours"] == 1
    skill = client.get(f"{API}/forecasts/skill").json()
    assert skill["stations"] == 3 and skill["stations_forecast"] == 1
    assert client.get(f"{API}/forecasts/999999").status_code == 404
    # the county's forecast days (read by the heavy-pollution warning) use published runs only
    from smartcounty.domains.environment import forecasting

    hourly = forecasting.county_forecast_hourly(_now_hour())
    assert hourly and all(v == pytest.approx(51.0 + i) for i, v in enumerate(hourly.values()))
    # the page draws no forecast line for a station whose run is not published
    page = client.get("/environment/")
    stations = {s["id"]: s for s in page.context["stations"]}
    assert len(stations[a.id]["forecast"]) == 72 and stations[b.id]["forecast"] == []
    assert 'id="forecast-published"' in page.content.decode()


def test_warning_endpoint(client, network):
    body = client.get(f"{API}/warning").json()
    assert body["in_force"] is False and body["scheme"] and body["scheme_title"]


@pytest.fixture
def people(db):
    Organisation = apps.get_model("accounts", "Organisation")
    env = Organisation.objects.create(code="ecology-environment", name="市生态环境局冠县分局")
    water = Organisation.objects.create(code="water", name="县水利局")
    User = get_user_model()

    def make(name, role, org):
        return User.objects.create_user(name, password="Test-password-1", role=role, organisation=org,
                                        kind="resident" if role == "resident" else "staff",
                                        is_staff=role == "platform_admin")

    return {"env": make("env-staff", "staff", env), "other": make("water-staff", "staff", water),
            "resident": make("resident", "resident", None), "platform": make("platform", "platform_admin", None)}


def _audits(action):
    return apps.get_model("kernel", "AuditEntry").objects.filter(action=action).count()


def test_retraining_is_for_the_environment_bureau_and_audited(client, network, people):
    url = f"{API}/forecast-runs"
    assert client.post(url).status_code == 401
    for who in ("other", "resident"):
        client.force_login(people[who])
        assert client.post(url).status_code == 403
    assert _audits("environment.forecast_run") == 0
    client.force_login(people["env"])
    r = client.post(url)
    assert r.status_code == 200, r.content
    assert len(r.json()) == 3 and _audits("environment.forecast_run") == 1
    client.force_login(people["platform"])
    assert client.post(url).status_code == 200


def test_openapi_documents_the_environment_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for p in ("/api/v1/environment/stations", "/api/v1/environment/county/daily", "/api/v1/environment/forecasts",
              "/api/v1/environment/warning"):
        assert p in paths


def test_aqi_by_town_is_published_into_the_open_catalog(network, people):
    from smartcounty.domains.environment import opendata
    from smartcounty.foundation.catalog import services as catalog

    assert opendata.publish() == {opendata.AQI_BY_TOWN: 2}
    resource = catalog.get_resource("gx-aqi-by-town")
    assert resource.open_type == "open" and resource.domain == "10"
    rows = {r["town_code"]: r for r in catalog.read_rows(resource, public=True, channel="test").rows}
    assert set(rows) == {TOWN_A, TOWN_B} and rows[TOWN_A]["stations"] == 2 and rows[TOWN_A]["category"]
