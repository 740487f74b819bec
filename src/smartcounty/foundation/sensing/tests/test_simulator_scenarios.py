"""The simulator's weather-driven pollution and river models, and its named scenarios (pure functions of time)."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from smartcounty.foundation.sensing import services
from smartcounty.foundation.sensing import simulator as sim

HOUR = sim.HOUR
S = services.to_ms(datetime(2026, 11, 10, tzinfo=UTC))
times = st.integers(min_value=S - 400 * 24 * HOUR, max_value=S + 400 * 24 * HOUR)


def test_heavy_pollution_builds_while_stagnant_and_the_front_clears_it():
    sc = ("heavy-pollution", S)
    at = [sim.burden(S + h * HOUR, sc) for h in range(0, 241)]
    assert at[24] < at[48] < at[72] < at[96]  # accumulates day by day in the calm
    assert min(at[60:108]) > 150  # µg/m³: daily AQI above 200 (HJ 633)
    assert at[120] < 0.3 * at[107]  # the front ventilates it within half a day
    assert max(at[130:240]) < 100
    assert sim.wind_speed(S + 60 * HOUR, sc) < 1.5 < 6 < sim.wind_speed(S + 110 * HOUR, sc)
    assert sim.temperature(S + 114 * HOUR, sc) < sim.temperature(S + 114 * HOUR) - 4  # the cold air behind it
    # the same hours without the scenario are not an episode
    assert max(sim.burden(S + h * HOUR) for h in range(0, 241)) < 150


def test_rainstorm_rain_and_river_crest():
    sc = ("rainstorm", S)
    total = sum(sim.raining(S + h * HOUR + HOUR // 2, sc) for h in range(0, 8))
    in_4h = sum(sim.raining(S + h * HOUR + HOUR // 2, sc) for h in range(2, 6))
    assert in_4h >= 50 and 70 <= total <= 110
    assert all(sim.raining(S + h * HOUR, sc) == 0 for h in range(9, 24))
    rise = [sim.river_rise(S // HOUR + h, sc) for h in range(0, 72)]
    crest = rise.index(max(rise))
    assert 6 <= crest <= 14 and rise[crest] > 3.0  # over every demo gauge's warning mark (2.2-2.9 m above base)
    assert rise[48] < 0.5 * rise[crest]  # receding
    s = sim.Stream(1, "water_level", "water", 0, 300_000, {"base_level": 37.6, "warning_level": 40.5, "_count": 4})
    levels = [sim.value(s, S + h * HOUR, sc)[0] for h in range(0, 48)]
    assert max(levels) > 40.5 and levels[0] < 40.5 and levels[-1] < 40.5


@settings(max_examples=60, deadline=None)
@given(times)
def test_more_wind_means_faster_removal_and_rain_washes_out(ms):
    hour = ms // HOUR
    source, removal = sim._hour_rates(hour, None)
    assert source > 0 and removal > 0.02
    ms_mid = hour * HOUR + HOUR // 2
    expected = 0.02 + 0.04 * sim.wind_speed(ms_mid) * sim.mixing(ms_mid) + 0.12 * sim.raining(ms_mid) ** 0.5
    assert removal == pytest.approx(expected)


@settings(max_examples=60, deadline=None)
@given(times)
def test_natural_weather_stays_plausible(ms):
    assert 0 <= sim.burden(ms) < 150  # no heavy pollution without a scenario
    assert 0 <= sim.river_rise(ms // HOUR) < 2.2  # natural rain never reaches a demo warning mark
    assert 0.0 <= sim.wind_speed(ms) <= 6.1
    assert 15 <= sim.humidity(ms) <= 100
    assert 0.35 <= sim.mixing(ms) <= 1.0


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=23))
def test_mixing_is_shallow_at_night_and_deepest_in_the_afternoon(hour):
    local_midnight = S - services.SHANGHAI_OFFSET_MS % (24 * HOUR) + 24 * HOUR
    ms = local_midnight + hour * HOUR
    assert sim.local_hour(ms) == pytest.approx(hour)
    assert sim.mixing(ms) <= sim.mixing(local_midnight + 13 * HOUR)
    if hour < 7 or hour > 19:
        assert sim.mixing(ms) == 0.35


def test_simulate_command_rejects_bad_arguments():
    with pytest.raises(CommandError):
        call_command("simulate", "--once", "--start", "2026-11-10T00:00")  # --start without --scenario
    with pytest.raises(CommandError):
        call_command("simulate", "--once", "--scenario", "rainstorm", "--start", "yesterday")
    with pytest.raises(CommandError):
        call_command("simulate", "--now", "2026-11-10T00:00")  # --now without --once
    with pytest.raises(ValueError):
        sim.Simulator(scenario=("flood", S))
