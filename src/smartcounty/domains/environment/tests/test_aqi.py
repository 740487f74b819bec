"""HJ 633-2012 and HJ 633-2026: every breakpoint, the special rules, rounding, primary pollutants."""

from datetime import UTC, date, datetime
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartcounty.domains.environment.aqi import (
    DAILY,
    HJ633_2012,
    HJ633_2026,
    HOURLY,
    AqiConfig,
    category_for,
    compute_aqi,
    iaqi,
    iaqi_exact,
    round_concentration,
    version_for,
)
from smartcounty.domains.environment.aqi import tables as t

EXACT = AqiConfig(round_concentrations=False)

# The standard's tables, typed out again here from the texts (not read from the module under test).
TABLE_2012 = {
    "SO2_24H": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "SO2_1H": (0, 150, 500, 650, 800),
    "NO2_24H": (0, 40, 80, 180, 280, 565, 750, 940),
    "NO2_1H": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "PM10_24H": (0, 50, 150, 250, 350, 420, 500, 600),
    "CO_24H": (0, 2, 4, 14, 24, 36, 48, 60),
    "CO_1H": (0, 5, 10, 35, 60, 90, 120, 150),
    "O3_1H": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "O3_8H": (0, 100, 160, 215, 265, 800),
    "PM2_5_24H": (0, 35, 75, 115, 150, 250, 350, 500),
}
TABLE_2026 = {
    **TABLE_2012,
    "PM10_24H": (0, 50, 120, 250, 350, 420, 500, 600),
    "PM2_5_24H": (0, 35, 60, 115, 150, 250, 350, 500),
}
ROWS = (0, 50, 100, 150, 200, 300, 400, 500)
TABLES = {HJ633_2012: TABLE_2012, HJ633_2026: TABLE_2026}

POINTS = [(v, m, i) for v, tab in TABLES.items() for m, col in tab.items() for i in range(len(col))]


def _id(p):
    v, m, i = p
    return f"{v}-{m}-{TABLES[v][m][i]}"


def test_tables_match_the_standards():
    assert t.BREAKPOINTS_2012 == TABLE_2012
    assert t.BREAKPOINTS_2026 == TABLE_2026
    # The popular wrong SO2 24 h column (the 1 h values) is not ours.
    assert t.BREAKPOINTS_2012["SO2_24H"][1:5] != (150, 500, 650, 800)


@pytest.mark.parametrize("point", POINTS, ids=[_id(p) for p in POINTS])
def test_every_breakpoint_at_below_above(point):
    version, measure, i = point
    bp = TABLES[version][measure][i]
    row = ROWS[i]
    assert iaqi_exact(measure, bp, version) == row
    assert iaqi(measure, bp, version, EXACT) == row
    assert iaqi(measure, bp, version) == row  # integer breakpoints survive concentration rounding
    eps = Fraction(1, 1000)
    if i > 0:
        below = iaqi_exact(measure, Fraction(bp) - eps, version)
        assert below < row
        assert iaqi(measure, Fraction(bp) - eps, version, EXACT) == row  # ceil brings it back up
    above = iaqi_exact(measure, Fraction(bp) + eps, version)
    if i < len(TABLES[version][measure]) - 1:
        assert row < above < ROWS[i + 1]
        assert iaqi(measure, Fraction(bp) + eps, version, EXACT) == row + 1


@pytest.mark.parametrize("version", [HJ633_2012, HJ633_2026])
@pytest.mark.parametrize("measure", [m for m in TABLE_2012 if m not in ("SO2_1H", "O3_8H")])
def test_past_the_top_caps_at_500(version, measure):
    top = TABLES[version][measure][-1]
    assert iaqi(measure, top * 1.5, version) == 500


def test_midpoint_examples():
    # Worked examples: linear interpolation, then ceil.
    assert iaqi("PM2_5_24H", 75, HJ633_2026) == 114  # 100 + 15/55*50 = 113.64
    assert iaqi("PM10_24H", 150, HJ633_2026) == 112  # 100 + 30/130*50 = 111.54
    assert iaqi("PM2_5_24H", 75, HJ633_2012) == 100
    assert iaqi("SO2_24H", 312.5, HJ633_2012, EXACT) == 125  # halfway 150..475
    assert iaqi("NO2_1H", 350, HJ633_2012) == 115  # 100 + 150/500*50 = 115
    assert iaqi_exact("CO_24H", Fraction(3), HJ633_2012) == 75
    assert iaqi("PM2_5_24H", Fraction("60.11"), HJ633_2026, EXACT) == 101  # ceil, not nearest


def test_concentration_rounding_half_even():
    assert round_concentration("PM2_5_24H", 35.5) == 36
    assert round_concentration("PM2_5_24H", 36.5) == 36
    assert round_concentration("PM2_5_24H", 35.4) == 35
    assert round_concentration("CO_24H", 1.25) == Fraction("1.2")
    assert round_concentration("CO_24H", 1.35) == Fraction("1.4")
    assert iaqi("PM2_5_24H", 35.4, HJ633_2026) == 50  # rounded to 35 first
    assert iaqi("PM2_5_24H", 35.4, HJ633_2026, EXACT) == 51
    assert iaqi("PM2_5_24H", 35.4, HJ633_2026, AqiConfig(rounding="none", round_concentrations=False)) == \
        Fraction(50) + Fraction(50, 25) * Fraction("0.4")


# --- the over-800 rules ---------------------------------------------------------------------------

def test_so2_1h_over_800_2012_reports_the_24h_iaqi():
    assert iaqi("SO2_1H", 801, HJ633_2012) is None
    r = compute_aqi({"SO2_1H": 900, "SO2_24H": 475}, report=HOURLY, version=HJ633_2012)
    assert r.aqi == 150 and r.sub_indices["SO2"].measure == "SO2_24H"
    assert r.sub_indices["SO2"].note == "fallback"
    r = compute_aqi({"SO2_1H": 900, "PM2_5_1H": 40}, report=HOURLY, version=HJ633_2012)
    assert "SO2" not in r.sub_indices and r.unreported == ("SO2",)
    assert r.aqi == 57  # PM2.5 40 on the 2012 column: 50 + 5/40*50 = 56.25 → 57


def test_so2_1h_over_800_2026_is_200():
    assert iaqi("SO2_1H", 800, HJ633_2026) == 200
    assert iaqi("SO2_1H", Fraction("800.001"), HJ633_2026, EXACT) == 200
    assert iaqi("SO2_1H", 5000, HJ633_2026) == 200
    r = compute_aqi({"SO2_1H": 900, "SO2_24H": 100}, report=HOURLY, version=HJ633_2026)
    assert r.aqi == 200 and r.sub_indices["SO2"].measure == "SO2_1H"


def test_o3_8h_over_800_2012_reports_the_1h_iaqi():
    assert iaqi("O3_8H", 801, HJ633_2012) is None
    cfg = AqiConfig(daily_o3_1h=False)
    r = compute_aqi({"O3_8H": 850, "O3_1H": 1000}, report=DAILY, version=HJ633_2012, config=cfg)
    assert r.aqi == 400 and r.sub_indices["O3"].measure == "O3_1H"
    r = compute_aqi({"O3_8H": 850, "PM10_24H": 50}, report=DAILY, version=HJ633_2012)
    assert r.unreported == ("O3",) and r.aqi == 50


def test_o3_8h_over_800_2026_is_300():
    assert iaqi("O3_8H", 801, HJ633_2026) == 300
    r = compute_aqi({"O3_8H": 850}, report=DAILY, version=HJ633_2026)
    assert r.aqi == 300 and r.primary == ("O3",)


# --- version, reports, primary and exceeding pollutants ---------------------------------------------

def test_version_by_shanghai_date():
    assert version_for(date(2026, 2, 28)) == HJ633_2012
    assert version_for(date(2026, 3, 1)) == HJ633_2026
    # 2026-02-28 16:00 UTC is 2026-03-01 00:00 in Shanghai.
    assert version_for(datetime(2026, 2, 28, 15, 59, tzinfo=UTC)) == HJ633_2012
    assert version_for(datetime(2026, 2, 28, 16, 0, tzinfo=UTC)) == HJ633_2026
    with pytest.raises(ValueError):
        version_for(datetime(2026, 3, 1, 12))
    r = compute_aqi({"PM2_5_24H": 75}, when=datetime(2026, 2, 28, 16, 0, tzinfo=UTC))
    assert r.version == HJ633_2026 and r.aqi == 114


def test_pm25_2026_iaqi50_configurable():
    assert iaqi("PM2_5_24H", 30, HJ633_2026) == 43  # 30/35*50 = 42.86 with the final text
    draft = AqiConfig(pm25_2026_iaqi50=30)
    assert iaqi("PM2_5_24H", 30, HJ633_2026, draft) == 50
    assert iaqi("PM2_5_24H", 30, HJ633_2012, draft) == 43  # 2012 unaffected
    with pytest.raises(ValueError):
        iaqi("PM2_5_24H", 30, HJ633_2026, AqiConfig(pm25_2026_iaqi50=70))


def test_primary_only_above_50_and_ties_included():
    r = compute_aqi({"PM2_5_24H": 35, "PM10_24H": 50, "NO2_24H": 10}, version=HJ633_2012)
    assert r.aqi == 50 and r.primary == () and r.category.level == 1
    r = compute_aqi({"PM2_5_24H": 60, "PM10_24H": 120, "NO2_24H": 10}, version=HJ633_2026)
    assert r.aqi == 100 and r.primary == ("PM10", "PM2_5") and r.exceeding == ()
    r = compute_aqi({"PM2_5_24H": 150, "PM10_24H": 350, "SO2_24H": 800, "CO_24H": 2}, version=HJ633_2012)
    assert r.aqi == 200 and r.primary == ("SO2", "PM10", "PM2_5")
    assert r.exceeding == ("SO2", "PM10", "PM2_5")
    r = compute_aqi({"PM2_5_24H": 76, "PM10_24H": 100}, version=HJ633_2012)
    assert r.primary == ("PM2_5",) and r.exceeding == ("PM2_5",)


def test_daily_o3_uses_the_larger_of_1h_and_8h():
    r = compute_aqi({"O3_8H": 160, "O3_1H": 300}, version=HJ633_2026)
    assert r.aqi == 150 and r.sub_indices["O3"].measure == "O3_1H"
    r = compute_aqi({"O3_8H": 160, "O3_1H": 300}, version=HJ633_2026, config=AqiConfig(daily_o3_1h=False))
    assert r.aqi == 100 and r.sub_indices["O3"].measure == "O3_8H"


def test_hourly_report_uses_1h_columns_and_pm_on_the_24h_column():
    r = compute_aqi({"SO2_1H": 500, "NO2_1H": 200, "CO_1H": 10, "O3_1H": 200, "PM10_1H": 120,
                     "PM2_5_1H": 59}, report=HOURLY, version=HJ633_2026)
    assert r.aqi == 100 and r.primary == ("SO2", "NO2", "PM10", "CO", "O3")
    with pytest.raises(ValueError):
        compute_aqi({"SO2_24H": 10, "O3_8H": 10}, report=HOURLY, version=HJ633_2026)
    with pytest.raises(ValueError):
        compute_aqi({"PM25": 10}, version=HJ633_2026)


def test_missing_values_are_skipped_and_no_value_gives_none():
    r = compute_aqi({"PM2_5_24H": None, "PM10_24H": float("nan")}, version=HJ633_2026)
    assert r.aqi is None and r.category is None
    with pytest.raises(ValueError):
        iaqi("PM10_24H", -1, HJ633_2026)
    with pytest.raises(ValueError):
        iaqi("PM10_24H", float("inf"), HJ633_2026)
    with pytest.raises(ValueError):
        compute_aqi({"PM10_24H": 10})


@pytest.mark.parametrize(("aqi", "level", "rgb"), [
    (0, 1, (0, 228, 0)), (50, 1, (0, 228, 0)), (51, 2, (255, 255, 0)), (100, 2, (255, 255, 0)),
    (101, 3, (255, 126, 0)), (150, 3, (255, 126, 0)), (151, 4, (255, 0, 0)), (200, 4, (255, 0, 0)),
    (201, 5, (153, 0, 76)), (300, 5, (153, 0, 76)), (301, 6, (126, 0, 35)), (500, 6, (126, 0, 35)),
])
def test_categories(aqi, level, rgb):
    cat = category_for(aqi)
    assert (cat.level, cat.rgb) == (level, rgb)


def test_category_names_in_chinese():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert [str(c.name) for c in t.CATEGORIES] == ["优", "良", "轻度污染", "中度污染", "重度污染", "严重污染"]
        assert str(t.CATEGORIES[4].colour_name) == "紫色"
    assert category_for(201).hex == "#99004C"


# --- properties -----------------------------------------------------------------------------------

MEASURES = sorted(TABLE_2012)
conc = st.fractions(min_value=0, max_value=5000, max_denominator=1000)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(MEASURES), st.sampled_from([HJ633_2012, HJ633_2026]), conc, conc)
def test_iaqi_is_monotone_and_bounded(measure, version, a, b):
    lo, hi = min(a, b), max(a, b)
    x, y = iaqi_exact(measure, lo, version), iaqi_exact(measure, hi, version)
    if x is None or y is None:  # 2012 over-800: no IAQI from this measure at all
        assert version == HJ633_2012 and measure in ("SO2_1H", "O3_8H") and hi > 800
        return
    assert 0 <= x <= y <= 500
    assert iaqi(measure, lo, version) <= iaqi(measure, hi, version)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(MEASURES), st.sampled_from([HJ633_2012, HJ633_2026]),
       st.fractions(min_value=0, max_value=4000, max_denominator=100))
def test_iaqi_is_continuous(measure, version, c):
    # Lipschitz with the steepest segment's slope: no jump anywhere, breakpoints included.
    column = TABLES[version][measure]
    slope = max(Fraction(ROWS[i] - ROWS[i - 1], column[i] - column[i - 1]) for i in range(1, len(column)))
    eps = Fraction(1, 10**6)
    x, y = iaqi_exact(measure, c, version), iaqi_exact(measure, c + eps, version)
    if x is None or y is None:
        return
    assert 0 <= y - x <= slope * eps


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["SO2_24H", "NO2_24H", "PM10_24H", "PM2_5_24H", "CO_24H", "O3_8H",
                                        "O3_1H"]), st.floats(min_value=0, max_value=3000), min_size=1),
       st.sampled_from([HJ633_2012, HJ633_2026]))
def test_aqi_is_the_max_iaqi(conc_map, version):
    r = compute_aqi(conc_map, version=version)
    values = [iaqi(m, c, version) for m, c in conc_map.items()]
    values = [v for v in values if v is not None]
    if not values:
        assert r.aqi is None
        return
    assert r.aqi == max(s.iaqi for s in r.sub_indices.values())
    assert 0 <= r.aqi <= 500
    assert r.aqi == max(values)
    if r.aqi > 50:
        assert all(r.sub_indices[p].iaqi == r.aqi for p in r.primary) and r.primary
