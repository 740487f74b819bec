"""Air-quality forecast: the model against persistence on synthetic series, little history, stored runs
(idempotent retraining) and the heavy-pollution assessment reading the forecast."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from smartcounty.domains.environment import forecast as fc
from smartcounty.domains.environment import forecasting, live
from smartcounty.domains.environment.models import ForecastRun, ForecastValue
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing

HOUR = 3_600_000


def synthetic(days=40, seed=1, weather_effect=True):
    """Hourly AQI with a daily cycle, a humidity/wind dependence and AR(1) noise, with its weather."""
    rng = np.random.default_rng(seed)
    n = 24 * days
    hours = [i % 24 for i in range(n)]
    rh, wind, e = np.empty(n), np.empty(n), np.empty(n)
    rh[0], wind[0], e[0] = 60.0, 3.0, 0.0
    for i in range(1, n):
        rh[i] = 60 + 0.97 * (rh[i - 1] - 60) + rng.normal(0, 3)
        wind[i] = max(0.0, 3 + 0.95 * (wind[i - 1] - 3) + rng.normal(0, 0.5))
        e[i] = 0.8 * e[i - 1] + rng.normal(0, 5)
    aqi = 90 + 30 * np.sin(2 * np.pi * np.array(hours) / 24) + e
    if weather_effect:
        aqi += 1.5 * (rh - 60) - 6 * (wind - 3)
    return list(aqi), hours, {"humidity": list(rh), "wind_speed": list(wind)}


def test_model_beats_persistence_on_a_daily_cycle_with_weather():
    aqi, hours, weather = synthetic()
    b = fc.backtest(aqi, hours, weather, days=7)
    assert b.origins == 7 and b.pairs > 300
    assert b.model_mae < 0.6 * b.persistence_mae
    assert b.skill > 0.4


def test_weather_features_improve_the_forecast_when_aqi_depends_on_weather():
    # The wind clears the air half a day after it rises: the origin's wind tells of tomorrow's AQI.
    aqi, hours, weather = synthetic(seed=3, weather_effect=False)
    wind = weather["wind_speed"]
    aqi = [a - 8 * (wind[i - 12] - 3) if i >= 12 else a for i, a in enumerate(aqi)]
    with_weather = fc.backtest(aqi, hours, weather, days=10)
    without = fc.backtest(aqi, hours, None, days=10)
    assert with_weather.model_mae < without.model_mae


def test_forecast_covers_72_hours_in_range():
    aqi, hours, weather = synthetic(days=20)
    f = fc.forecast(aqi, hours, weather)
    assert f.method == fc.RIDGE and f.model_leads == 72 and len(f.values) == 72
    assert all(0 <= v <= 500 for v in f.values)
    # the forecast follows the daily cycle: next afternoon peak above the next night's trough
    last_hour = hours[-1]
    by_hour = {(last_hour + lead) % 24: v for lead, v in enumerate(f.values[:24], start=1)}
    assert by_hour[6] > by_hour[18]  # sin peaks at hour 6, troughs at 18


def test_little_history_degrades_to_persistence():
    aqi, hours, weather = synthetic(days=2)
    f = fc.forecast(aqi[:30], hours[:30], {k: v[:30] for k, v in weather.items()})
    assert f.method == fc.PERSISTENCE and f.model_leads == 0
    assert f.values == tuple([aqi[29]] * 72)
    assert fc.forecast([], [], None) is None
    assert fc.forecast([50, None], [0, 1]) is None  # no AQI at the origin
    b = fc.backtest(aqi[:30], hours[:30])
    assert b.model_mae == b.persistence_mae  # persistence against itself
    assert fc.backtest([], []).pairs == 0 and fc.backtest([], []).skill is None


def test_gaps_and_a_missing_weather_series_are_tolerated():
    aqi, hours, weather = synthetic(days=20)
    for i in range(100, 130):
        aqi[i] = None
    weather["temperature"] = [None] * len(aqi)
    f = fc.forecast(aqi, hours, weather)
    assert f.method == fc.RIDGE and len(f.values) == 72


@settings(max_examples=25, deadline=None)
@given(level=st.floats(0, 500), days=st.integers(5, 8))
def test_a_constant_series_is_forecast_as_itself(level, days):
    n = 24 * days
    f = fc.forecast([level] * n, [i % 24 for i in range(n)])
    assert all(abs(v - level) < 1e-6 for v in f.values)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0, 800)), min_size=100, max_size=200))
def test_forecasts_stay_within_the_aqi_scale(values):
    values[-1] = 100.0
    f = fc.forecast(values, [i % 24 for i in range(len(values))])
    assert all(0 <= v <= 500 for v in f.values)


# --- stored runs on a real database ---------------------------------------------------------------


def _iso(ms):
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


@pytest.fixture
def stations(db):
    sensing.sync_observed_properties()
    air = sensing.create_thing("air-fc", "预报测试站", lon=115.44, lat=36.48, kind="air")
    met = sensing.create_thing("met-fc", "气象测试站", lon=115.45, lat=36.49, kind="weather")
    aqi_ds = sensing.create_datastream(air, "aqi", expected_interval_s=3600)
    streams = {code: sensing.create_datastream(met, code, expected_interval_s=3600)
               for code in ("humidity", "wind_speed")}
    aqi, _, weather = synthetic(days=20, seed=5)
    end = (sensing.to_ms(datetime.now(UTC)) // HOUR - 1) * HOUR
    start = end - (len(aqi) - 1) * HOUR
    # the synthetic clock starts at hour-of-day 0: align it to Beijing midnight
    start -= (start + sensing.SHANGHAI_OFFSET_MS) // HOUR % 24 * HOUR
    items = [{"datastream": aqi_ds.id, "phenomenonTime": _iso(start + i * HOUR), "result": round(v, 1)}
             for i, v in enumerate(aqi)]
    for code, series in weather.items():
        items += [{"datastream": streams[code].id, "phenomenonTime": _iso(start + i * HOUR), "result": round(v, 2)}
                  for i, v in enumerate(series)]
    sensing.ingest(items, source="test")
    return air, start, len(aqi)


def test_run_forecasts_stores_72_hours_and_its_backtest(stations):
    air, start, n = stations
    runs = forecasting.run_forecasts()
    assert len(runs) == 1
    run = runs[0]
    assert run.thing_id == air.id and run.method == fc.RIDGE
    assert run.issued_at == sensing.from_ms(start + (n - 1) * HOUR)
    assert run.model_mae < run.persistence_mae and run.backtest_pairs > 300
    values = list(run.values.order_by("lead_hours"))
    assert [v.lead_hours for v in values] == list(range(1, 73))
    assert values[0].target == run.issued_at + timedelta(hours=1)


def test_retraining_is_idempotent(stations):
    first = forecasting.run_forecasts()[0]
    before = list(first.values.order_by("lead_hours").values_list("target", "aqi"))
    second = forecasting.run_forecasts()[0]
    assert second.id == first.id
    assert ForecastRun.objects.count() == 1 and ForecastValue.objects.count() == 72
    assert list(second.values.order_by("lead_hours").values_list("target", "aqi")) == before


def test_command_prints_the_backtest_against_persistence(stations, capsys):
    call_command("environment_forecast", "--backtest-days", "3")
    out = capsys.readouterr().out
    assert "预报测试站" in out and "MAE model" in out and "persistence" in out and "skill" in out


def test_command_without_stations(db, capsys):
    call_command("environment_forecast")
    assert "no station" in capsys.readouterr().out


def test_heavy_pollution_assessment_reads_the_forecast(db):
    sensing.sync_observed_properties()
    thing = sensing.create_thing("air-hp", "测试空气站", lon=115.44, lat=36.48, kind="air")
    pm25 = sensing.create_datastream(thing, "pm25", expected_interval_s=900)
    now_hour = sensing.to_ms(datetime.now(UTC)) // HOUR * HOUR
    h0 = now_hour - 2 * HOUR
    sensing.ingest([{"datastream": pm25.id, "phenomenonTime": _iso(h0 + m * 60_000), "result": 40}
                    for m in (0, 15, 30, 45)], source="test")
    end = h0 + HOUR
    # Observed: clean. Without a forecast: no warning.
    assert live.assess_county(end).level is None
    run = ForecastRun.objects.create(thing_id=thing.id, station_name=thing.name, issued_at=sensing.from_ms(h0),
                                     method=fc.RIDGE, model_leads=72, model_mae=10.0, persistence_mae=20.0)
    ForecastValue.objects.bulk_create([
        ForecastValue(run=run, lead_hours=lead, target=sensing.from_ms(h0 + lead * HOUR), aqi=250.0)
        for lead in range(1, 73)])
    periods = live.forecast_periods(end)
    assert [p.forecast for p in periods] == [True, True, True] and periods[0].aqi == 250.0
    # Forecast daily AQI > 150 for 72 h and > 200 for 24 h: orange under the Shandong draft.
    assert live.assess_county(end).level == "orange"
    alert = alerts.find_open_alert(live.SOURCE, live.WARNING_KEY)
    assert alert is not None and alert.level == 3
    # A stale run (origin more than a day before) is not used.
    assert live.forecast_periods(end + 30 * HOUR) == []
    # Nor one whose backtest does not beat persistence: it is no forecast.
    ForecastRun.objects.filter(pk=run.pk).update(model_mae=25.0)
    assert live.forecast_periods(end) == []


def test_page_shows_map_trend_forecast_and_skill(client, stations, django_assert_max_num_queries):
    air, start, n = stations
    forecasting.run_forecasts(backtest_days=3)
    with django_assert_max_num_queries(20):
        response = client.get("/environment/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "vendor/leaflet/leaflet.js" in html and "vendor/echarts/echarts.min.js" in html
    assert "https://" not in html.split("aqi-tile-url")[1].split("</script>")[0]  # no external tiles by default
    assert 'id="forecast-skill"' in html and "预报测试站" in html
    page_stations = response.context["stations"]
    assert len(page_stations) == 1
    s = page_stations[0]
    assert s["lon"] == pytest.approx(115.44) and len(s["forecast"]) == 72 and len(s["trend"]) == 72
    assert s["colour"].startswith("#")
    skill = response.context["skill"]
    assert skill["model_mae"] < skill["persistence_mae"]


def test_page_uses_the_configured_tiles(client, stations, settings):
    settings.SMARTCOUNTY_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    assert "tiles.example.gov.cn" in client.get("/environment/").content.decode()


def test_catch_up_computes_aqi_from_history_that_came_without_events(db):
    sensing.sync_observed_properties()
    thing = sensing.create_thing("air-cu", "补算测试站", lon=115.44, lat=36.48, kind="air")
    pm25 = sensing.create_datastream(thing, "pm25", expected_interval_s=900)
    now_hour = sensing.to_ms(datetime.now(UTC)) // HOUR * HOUR
    items = [{"datastream": pm25.id, "phenomenonTime": _iso(now_hour - h * HOUR + m * 60_000), "result": 75}
             for h in range(1, 6) for m in (0, 15, 30, 45)]
    sensing.ingest(items, source="test", publish=False)
    assert live.catch_up(10, now_hour) == 5
    assert live.catch_up(10, now_hour) == 0  # idempotent
    aqi = sensing.latest_values(thing_id=thing.id, property_code="aqi")[0]
    assert [r[2] for r in sensing.observations(aqi.id)] == [114.0] * 5


def test_retraining_is_a_scheduled_background_service(stations):
    from smartcounty.kernel import registry

    assert registry.background.get("environment.forecast").run is forecasting.run_background
    assert len(forecasting.run_once()) == 1
    assert ForecastRun.objects.count() == 1 and ForecastValue.objects.count() == 72
