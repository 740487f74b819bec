from datetime import UTC, datetime

import pytest

from smartcounty.foundation.places import services as places
from smartcounty.foundation.sensing import demo, services, simulator
from smartcounty.foundation.sensing.models import Datastream, Thing

pytestmark = pytest.mark.django_db
DAY = simulator.DAY


def test_demo_network_is_complete_and_idempotent():
    n = demo.load()
    assert n == Datastream.objects.count() == demo.load()
    air = Thing.objects.filter(kind="air")
    assert air.count() == 18
    assert {loc for loc in Datastream.objects.filter(property_code="pm25").values_list("town_code", flat=True)} == {
        t.code for t in places.town_points()}
    assert Thing.objects.filter(kind="water").count() >= 3 and Thing.objects.filter(kind="smoke").count() >= 5
    weather = set(Datastream.objects.filter(thing__kind="weather").values_list("property_code", flat=True))
    assert weather == {"temperature", "humidity", "wind_speed", "wind_gust", "visibility", "pressure", "rainfall"}
    assert not Thing.objects.filter(is_demo=False).exists()


def test_simulator_backfills_then_sends_what_is_due():
    demo.load()
    # a datastream another module derives (e.g. AQI) on a demo thing is not simulated
    derived = services.create_datastream(Thing.objects.get(code="air-371525001"), "aqi", expected_interval_s=3600)
    sim = simulator.Simulator(backfill_hours=2)
    sim.streams = simulator.load_streams()
    now = services.to_ms(datetime(2026, 11, 28, 4, 0, 30, tzinfo=UTC))
    assert sim.backfill(now) > len(sim.streams)
    assert sim.backfill(now) == 0  # streams with data are not backfilled again
    sent = sim.step(now)
    assert 0 < sent <= len(sim.streams)
    assert sim.step(now) == 0  # nothing new is due in the same minute
    assert sim.step(now + 60_000) > 0
    assert derived.id not in {st.id for st in sim.streams}
    assert Datastream.objects.get(pk=derived.id).last_ms is None
    pm = Datastream.objects.filter(property_code="pm25").exclude(last_value=None).values_list("last_value", flat=True)
    assert pm and all(0 < v < 1000 for v in pm)


def _series(kind, prop, start, hours, step=60_000, station=0, props=None):
    s = simulator.Stream(1000 + station, prop, kind, station, 60_000, props or {})
    return [simulator.value(s, ms) for ms in range(start, start + hours * simulator.HOUR, step)]


def test_values_are_plausible_and_have_daily_cycles():
    start = services.to_ms(datetime(2026, 7, 1, 16, tzinfo=UTC))  # midnight in Beijing, summer
    temps = [v[0] for v in _series("weather", "temperature", start, 24) if v]
    assert 10 < min(temps) < max(temps) < 42
    afternoon, dawn = temps[15 * 60], temps[5 * 60]
    assert afternoon > dawn + 5
    hum = [v[0] for v in _series("weather", "humidity", start, 72, step=600_000) if v]
    assert all(15 <= h <= 100 for h in hum)
    flow = [v[0] for v in _series("traffic", "traffic_flow", start, 24, props={"lanes": 4}) if v]
    assert flow[8 * 60] > 2 * flow[3 * 60]  # morning peak vs. the small hours


def test_incidents_happen_water_over_warning_and_smoke_alarm():
    props = {"base_level": 37.0, "warning_level": 40.0, "_count": 4}
    start = services.to_ms(datetime(2026, 11, 1, tzinfo=UTC))
    levels = [v[0] for st in range(4) for v in _series("water", "water_level", start, 48, step=600_000,
                                                       station=st, props=props) if v]
    assert max(levels) > 40.0 and min(levels) < 38.0
    alarms = [v[0] for st in range(5) for v in _series("smoke", "smoke", start, 48, step=300_000, station=st) if v]
    assert 1.0 in alarms and alarms.count(0.0) > 10 * alarms.count(1.0)
