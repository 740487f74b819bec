"""24-hour means and the O3 8-hour moving mean with their data-validity rules, missing hours included."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.environment.aqi import (
    HJ633_2026,
    compute_aqi,
    daily_concentrations,
    daily_max_1h,
    daily_max_8h,
    hours_of_day,
    mean_24h,
    moving_8h,
)


def test_mean_24h_needs_20_hours():
    day = [10.0] * 24
    assert mean_24h(day) == 10
    four_missing = [None] * 4 + [20.0] * 20
    assert mean_24h(four_missing) == 20  # exactly 20 valid: valid, mean over the valid hours only
    five_missing = [None] * 5 + [20.0] * 19
    assert mean_24h(five_missing) is None
    assert mean_24h([float("nan")] * 5 + [20.0] * 19) is None
    assert mean_24h(five_missing, min_hours=18) == 20
    with pytest.raises(ValueError):
        mean_24h([1.0] * 25)


def test_moving_8h_needs_6_of_8():
    hours = [8.0 * i for i in range(10)]
    m = moving_8h(hours)
    assert m[:5] == [None] * 5  # fewer than 6 hours so far
    assert m[5] == sum(hours[:6]) / 6
    assert m[7] == sum(hours[:8]) / 8
    assert m[9] == sum(hours[2:10]) / 8
    gappy = [100.0, None, 100.0, 100.0, None, 100.0, 100.0, 100.0]
    assert moving_8h(gappy)[7] == 100  # 6 of 8
    gappier = [100.0, None, 100.0, None, None, 100.0, 100.0, 100.0]
    assert moving_8h(gappier)[7] is None  # 5 of 8


def test_daily_max_8h_windows_and_validity():
    day = [50.0] * 24
    day[12:20] = [200.0] * 8  # one 8-hour block at 12:00-20:00
    assert daily_max_8h(day) == 200
    # Hours before 08:00 only enter windows ending at 08:00 or later.
    early = [None] * 24
    early[0:8] = [300.0] * 8
    early[8:] = [40.0] * 16
    assert daily_max_8h(early) == 300  # window 00-08 is the first counted
    # 14 valid windows are needed: lose the morning hours so that only 13 windows stay valid.
    sparse = [80.0] * 24
    for h in range(0, 14):
        sparse[h] = None
    # windows ending at h+1 need 6 valid of hours h-7..h: valid when h >= 19 → ending 20..24 = 5 windows
    assert daily_max_8h(sparse) is None
    # ... but an exceedance stands even with fewer windows (HJ 663 rule).
    high = [170.0 if v is not None else None for v in sparse]
    assert daily_max_8h(high) == 170
    assert daily_max_8h(high, limit=None) is None
    with pytest.raises(ValueError):
        daily_max_8h([1.0] * 23)


def test_daily_max_1h():
    assert daily_max_1h([1.0] * 23 + [9.0]) == 9
    assert daily_max_1h([None] * 5 + [9.0] * 19) is None


def test_hours_of_day_places_values_by_shanghai_hour():
    day = date(2026, 5, 1)
    start_utc = datetime(2026, 4, 30, 16, tzinfo=UTC)  # 00:00 Shanghai
    obs = [(start_utc + timedelta(hours=h), float(h)) for h in range(-2, 26) if h != 5]
    hours = hours_of_day(obs, day)
    assert hours[0] == 0 and hours[23] == 23 and hours[5] is None
    with pytest.raises(ValueError):
        hours_of_day([(start_utc, 1.0), (start_utc, 2.0)], day)
    with pytest.raises(ValueError):
        hours_of_day([(start_utc + timedelta(minutes=5), 1.0)], day)
    with pytest.raises(ValueError):
        hours_of_day([(datetime(2026, 5, 1, 3), 1.0)], day)


def test_daily_aqi_from_hours_with_missing_hours():
    pm25 = [None] * 3 + [80.0] * 21  # 21 valid → mean 80
    pm10 = [None] * 6 + [100.0] * 18  # 18 valid → no daily mean
    o3 = [60.0] * 24
    inputs = daily_concentrations({"PM2_5": pm25, "PM10": pm10, "O3": o3})
    assert inputs["PM2_5_24H"] == 80 and inputs["PM10_24H"] is None and inputs["O3_8H"] == 60
    r = compute_aqi(inputs, when=date(2026, 5, 1))
    assert r.version == HJ633_2026
    assert r.aqi == 119  # 100 + 20/55*50 = 118.18 → 119
    assert r.primary == ("PM2_5",) and "PM10" not in r.sub_indices
    with pytest.raises(ValueError):
        daily_concentrations({"PM25": pm25})


@given(st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=1000)), min_size=24, max_size=24))
def test_averages_stay_within_the_data(hours):
    vals = [v for v in hours if v is not None]
    m = mean_24h(hours)
    if m is not None:
        assert min(vals) - 1e-9 <= m <= max(vals) + 1e-9
    x = daily_max_8h(hours)
    if x is not None:
        assert min(vals) - 1e-9 <= x <= max(vals) + 1e-9
