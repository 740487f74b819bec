"""GB 3838-2002 class rules: every limit of every basic parameter, 劣V, lake phosphorus, TN, DO, pH."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.water.gb3838 import (
    LAKE,
    PARAMETERS,
    RIVER,
    WORSE_THAN_V,
    Gb3838Config,
    classify,
    parameter_class,
)

# GB 3838-2002 Table 1, typed out again from the standard (mg/L).
TABLE = {
    "codmn": ("2", "4", "6", "10", "15"),
    "cod": ("15", "15", "20", "30", "40"),
    "bod5": ("3", "3", "4", "6", "10"),
    "nh3n": ("0.15", "0.5", "1.0", "1.5", "2.0"),
    "tp": ("0.02", "0.1", "0.2", "0.3", "0.4"),
    "tn": ("0.2", "0.5", "1.0", "1.5", "2.0"),
    "cu": ("0.01", "1.0", "1.0", "1.0", "1.0"),
    "zn": ("0.05", "1.0", "1.0", "2.0", "2.0"),
    "fluoride": ("1.0", "1.0", "1.0", "1.5", "1.5"),
    "se": ("0.01", "0.01", "0.01", "0.02", "0.02"),
    "as": ("0.05", "0.05", "0.05", "0.1", "0.1"),
    "hg": ("0.00005", "0.00005", "0.0001", "0.001", "0.001"),
    "cd": ("0.001", "0.005", "0.005", "0.005", "0.01"),
    "cr6": ("0.01", "0.05", "0.05", "0.05", "0.1"),
    "pb": ("0.01", "0.01", "0.05", "0.05", "0.1"),
    "cn": ("0.005", "0.05", "0.2", "0.2", "0.2"),
    "phenol": ("0.002", "0.002", "0.005", "0.01", "0.1"),
    "oil": ("0.05", "0.05", "0.05", "0.5", "1.0"),
    "las": ("0.2", "0.2", "0.2", "0.3", "0.3"),
    "sulfide": ("0.05", "0.1", "0.2", "0.5", "1.0"),
    "fecal_coliform": ("200", "2000", "10000", "20000", "40000"),
}
LAKE_TP = ("0.01", "0.025", "0.05", "0.1", "0.2")
EPS = Decimal("0.000001")

CASES = [(k, i) for k in TABLE for i in range(5)]


@pytest.mark.parametrize(("key", "i"), CASES, ids=[f"{k}-{TABLE[k][i]}" for k, i in CASES])
def test_every_limit_at_and_just_above(key, i):
    limits = [Decimal(x) for x in TABLE[key]]
    at = limits[i]
    best = limits.index(at) + 1  # the best class with this limit (equal limits share it)
    assert parameter_class(key, str(at)) == best
    above = at + EPS
    expected = next((c + 1 for c, lim in enumerate(limits) if above <= lim), WORSE_THAN_V)
    assert parameter_class(key, str(above)) == expected
    if at - EPS >= 0:
        assert parameter_class(key, str(at - EPS)) <= best


def test_table_matches():
    for key, limits in TABLE.items():
        assert PARAMETERS[key].limits == limits
    assert PARAMETERS["tp"].lake_limits == LAKE_TP


@pytest.mark.parametrize(("value", "river", "lake"), [
    ("0.01", 1, 1), ("0.011", 1, 2), ("0.02", 1, 2), ("0.025", 2, 2), ("0.026", 2, 3), ("0.05", 2, 3),
    ("0.06", 2, 4), ("0.1", 2, 4), ("0.15", 3, 5), ("0.2", 3, 5), ("0.21", 4, WORSE_THAN_V),
    ("0.4", 5, WORSE_THAN_V), ("0.41", WORSE_THAN_V, WORSE_THAN_V),
])
def test_phosphorus_river_and_lake(value, river, lake):
    assert parameter_class("tp", value, RIVER) == river
    assert parameter_class("tp", value, LAKE) == lake


@pytest.mark.parametrize(("value", "cls"), [
    ("8", 1), ("7.5", 1), ("7.49", 2), ("6", 2), ("5.99", 3), ("5", 3), ("4.9", 4), ("3", 4),
    ("2.99", 5), ("2", 5), ("1.99", WORSE_THAN_V), ("0", WORSE_THAN_V),
])
def test_dissolved_oxygen_is_at_least(value, cls):
    assert parameter_class("do", value) == cls


def test_do_saturation_gives_class_i():
    assert parameter_class("do", "7.0", do_saturation=90) == 1
    assert parameter_class("do", "7.0", do_saturation=89.9) == 2
    assert classify({"do": 7.0}, do_saturation=95).water_class == 1


@pytest.mark.parametrize(("ph", "cls"), [("6", 1), ("5.99", 6), ("9", 1), ("9.01", 6), ("7.2", 1)])
def test_ph_range(ph, cls):
    assert parameter_class("ph", ph) == cls


def test_worst_parameter_decides_and_is_named():
    r = classify({"ph": 7.5, "do": 6.5, "codmn": 3.8, "cod": 18, "nh3n": 0.4, "tp": 0.12})
    assert r.per_parameter == {"ph": 1, "do": 2, "codmn": 2, "cod": 3, "nh3n": 2, "tp": 3}
    assert r.water_class == 3 and r.code == "III" and r.deciding == ("cod", "tp")
    assert r.exceedance == {}
    with translation.override("zh-hans"):
        assert (str(r.label), str(r.quality)) == ("Ⅲ类", "良好")
        assert str(classify({"do": 1}).label) == "劣Ⅴ类"
        assert str(classify({"do": 8}).quality) == "优"
    with translation.override("en"):
        assert str(r.quality) == "Good"


def test_worse_than_v_and_exceedance():
    r = classify({"do": 5, "nh3n": 2.5, "cod": 35})
    assert r.water_class == WORSE_THAN_V and r.code == "劣V" and r.deciding == ("nh3n",)
    assert r.exceedance == {"nh3n": Decimal("1.5"), "cod": Decimal("0.75")}
    r = classify({"ph": 9.5, "cod": 10})
    assert r.water_class == WORSE_THAN_V and r.deciding == ("ph",)


def test_lake_total_phosphorus_and_nitrogen():
    sample = {"do": 8, "codmn": 2, "nh3n": 0.1, "tp": 0.04, "tn": 1.2}
    river = classify(sample, RIVER)
    assert river.water_class == 2 and "tn" in river.ignored  # river: TN not evaluated, TP 0.04 is II
    lake = classify(sample, LAKE)
    assert lake.water_class == 4 and lake.deciding == ("tn",)  # lake TP 0.04 is III, TN 1.2 is IV
    assert classify(sample, RIVER, config=Gb3838Config(tn_for_rivers=True)).water_class == 4
    assert classify(sample, LAKE, config=Gb3838Config(tn_for_lakes=False)).water_class == 3


def test_faecal_coliform_is_off_by_default():
    assert classify({"cod": 10, "fecal_coliform": 50000}).water_class == 1
    assert classify({"cod": 10, "fecal_coliform": 50000},
                    config=Gb3838Config(fecal_coliform=True)).water_class == WORSE_THAN_V


def test_bad_input():
    with pytest.raises(ValueError):
        classify({"chlorophyll": 1})
    with pytest.raises(ValueError):
        classify({"cod": None})
    with pytest.raises(ValueError):
        classify({"cod": -1})
    with pytest.raises(ValueError):
        classify({"cod": 1}, water_body="sea")
    with pytest.raises(ValueError):
        classify({"cod": float("nan")})


@given(st.sampled_from(sorted(TABLE)), st.decimals(min_value=0, max_value=50000, places=6),
       st.decimals(min_value=0, max_value=50000, places=6))
def test_class_is_monotone_in_concentration(key, a, b):
    lo, hi = min(a, b), max(a, b)
    assert parameter_class(key, str(lo)) <= parameter_class(key, str(hi))


@given(st.dictionaries(st.sampled_from(["do", "codmn", "cod", "bod5", "nh3n", "tp"]),
                       st.decimals(min_value=0, max_value=100, places=3), min_size=1))
def test_sample_class_is_the_worst_parameter(sample):
    r = classify(sample)
    assert r.water_class == max(r.per_parameter.values())
    assert all(r.per_parameter[k] == r.water_class for k in r.deciding)
