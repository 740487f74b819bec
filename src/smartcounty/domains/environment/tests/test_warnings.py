"""Heavy-pollution warning levels: the Shandong 2022 draft (default) and the other configured schemes."""

from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.environment.warnings import (
    MEP_2017,
    ORANGE,
    RED,
    SHANDONG_2022_DRAFT,
    XINZHOU_2020,
    YELLOW,
    Assessment,
    DailyAqi,
    LevelRule,
    Sustained,
    WarningScheme,
    assess,
    transition,
)


def days(*aqis, hourly=None, primary=("PM2_5",)):
    return [DailyAqi(a, primary, max_hourly_aqi=hourly) for a in aqis]


def test_default_is_the_labelled_shandong_draft():
    assert assess([]).scheme == "shandong-2022-draft"
    assert SHANDONG_2022_DRAFT.draft is True


def test_no_warning_below_the_criteria():
    assert assess(days(150, 150, 150, 150, hourly=400)).level is None  # > 150 is strict
    assert assess(days(151, 100, 151, hourly=250)).level is None  # not consecutive


def test_shandong_yellow_needs_48h_over_150_and_an_hour_over_200():
    assert assess(days(151, 151, hourly=201)).level == YELLOW
    assert assess(days(151, 151, hourly=200)).level is None  # hourly must exceed 200
    assert assess(days(151, 151)).level is None  # no hourly value known
    assert assess(days(151, hourly=300)).level is None  # 24 h only


def test_shandong_orange_72h_over_150_and_24h_over_200():
    assert assess(days(160, 201, 160)).level == ORANGE
    assert assess(days(160, 200, 160, hourly=250)).level == YELLOW  # 200 is not > 200
    assert assess(days(160, 201)).level is None  # only 48 h (and no hourly: not even yellow)
    # The > 200 day must belong to the same episode.
    assert assess(days(160, 160, 160, 100, 201)).level is None


def test_shandong_red_72h_over_200_and_24h_over_300():
    a = assess(days(120, 210, 301, 210, 90))
    assert a.level == RED and a.episode == (1, 3)
    assert assess(days(210, 300, 210)).level == ORANGE  # 300 is not > 300: falls back to orange
    assert assess(days(210, 301)).level is None  # too short for red/orange; no hourly for yellow


def test_only_the_highest_level_is_returned():
    a = assess(days(160, 210, 310, 310, 210, hourly=400))
    assert a.level == RED and isinstance(a, Assessment) and a.reasons


def test_o3_led_episode_gets_the_single_level_rule():
    o3 = days(180, 190, 260, primary=("O3",))
    a = assess(o3)
    assert a.level == YELLOW and a.o3 is True  # not orange, even with > 200: O3 is not graded
    assert assess(days(180, primary=("O3",))).level is None  # 1 day is not enough
    # PM2.5 days still grade normally even when next to O3 days.
    mixed = days(160, primary=("O3",)) + days(160, 201, 160)
    assert assess(mixed).level == ORANGE
    # Joint primaries (O3 and PM2.5) are graded.
    assert assess(days(160, 201, 160, primary=("PM2_5", "O3"))).level == ORANGE


def test_other_schemes():
    assert assess(days(201, 201), XINZHOU_2020).level == YELLOW
    assert assess(days(201, 201, 201), XINZHOU_2020).level == ORANGE
    assert assess(days(201, 301, 301, 201), XINZHOU_2020).level == RED
    assert assess(days(500), XINZHOU_2020).level == RED  # reaching 500 is enough
    assert assess(days(201), MEP_2017).level == "blue"
    assert assess(days(201, 301, 201), MEP_2017).level == ORANGE


def test_criteria_are_configuration():
    strict = WarningScheme("test", "test", "", True, (LevelRule(YELLOW, (Sustained(100, 24),)),))
    assert assess(days(101), strict).level == YELLOW
    hourly = WarningScheme("h", "h", "", True, (LevelRule(RED, (Sustained(150, 18),)),), step_hours=6)
    assert assess(days(151, 151), hourly).level is None
    assert assess(days(151, 151, 151), hourly).level == RED


def test_transitions():
    assert transition(None, YELLOW) == "issue"
    assert transition(YELLOW, ORANGE) == "upgrade"
    assert transition(RED, YELLOW) == "downgrade"
    assert transition(ORANGE, None) == "lift"
    assert transition(RED, RED) == "keep"


@given(st.lists(st.integers(min_value=0, max_value=500), max_size=8), st.integers(0, 7), st.integers(1, 100))
def test_raising_a_day_never_lowers_the_level(aqis, i, bump):
    rank = {None: 0, YELLOW: 1, ORANGE: 2, RED: 3}
    series = days(*aqis, hourly=250)
    before = assess(series).level
    if aqis:
        i %= len(aqis)
        series[i] = DailyAqi(min(500, aqis[i] + bump), ("PM2_5",), 250)
    assert rank[assess(series).level] >= rank[before]


def test_series_from_hourly_values_to_an_assessment():
    from datetime import UTC, datetime

    from smartcounty.domains.environment.series import daily_series, hourly_aqi

    start = datetime(2026, 11, 1, 16, tzinfo=UTC)  # 2026-11-02 00:00 Shanghai
    pm25 = [130.0] * 24 + [200.0] * 24 + [130.0] * 24  # 2026 IAQI 172, 250, 172
    pm25[30] = None  # one missing hour does not break a day (23 ≥ 20 valid)
    pm25[10] = 300.0  # one hourly peak
    hours = hourly_aqi({"PM2_5": pm25}, start)
    assert hours[10].aqi == 350 and hours[30].aqi is None
    series = daily_series({"PM2_5": pm25}, start)
    # day 1: mean (23*130 + 300)/24 = 137.1 → 137 → 150 + 22/35*50 = 181.4 → 182
    assert [p.aqi for p in series] == [182, 250, 172]
    assert series[0].max_hourly_aqi == 350 and series[0].primary == ("PM2_5",)
    assert series[1].start == datetime(2026, 11, 2, 16, tzinfo=UTC)
    assert assess(series).level == ORANGE
    broken = pm25[:24] + [None] * 5 + pm25[29:]  # 5 missing hours: day 2 has no daily AQI
    assert daily_series({"PM2_5": broken}, start)[1].aqi is None
    assert assess(daily_series({"PM2_5": broken}, start)).level is None
