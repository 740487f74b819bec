import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.economy import industries
from smartcounty.kernel.problems import ApiError


def test_sections_cover_divisions_01_to_97_once():
    covered = [d for _n, lo, hi in industries.SECTIONS.values() for d in range(lo, hi + 1)]
    assert covered == sorted(covered) and covered[0] == 1 and covered[-1] == 97
    assert len(covered) == len(set(covered))
    # GB/T 4754-2017 has no divisions 35-?: every number in 1..97 is assigned, except none are skipped
    assert industries.section_of_division(13) == "C" and industries.section_of_division(43) == "C"
    assert industries.section_of_division(44) == "D" and industries.section_of_division(70) == "K"


@pytest.mark.parametrize("raw,code", [("c", "C"), ("C33", "C33"), ("33", "C33"), ("3311", "C3311"), (" a01 ", "A01"),
                                      ("G54", "G54")])
def test_normalise(raw, code):
    assert industries.normalise(raw) == code


@pytest.mark.parametrize("raw", ["", "Z", "C44", "A06", "CC", "C3", "98", "C33111"])
def test_bad_codes(raw):
    with pytest.raises(ApiError) as err:
        industries.normalise(raw)
    assert err.value.field == "industry"


@given(st.integers(1, 97))
def test_every_division_gets_its_section(d):
    code = industries.normalise(f"{d:02d}")
    letter = code[0]
    _name, lo, hi = industries.SECTIONS[letter]
    assert lo <= d <= hi and industries.name(code)


def test_names():
    assert industries.name("C33") == "金属制品业"
    assert industries.name("C") == "制造业"
    assert industries.name("K70") == "房地产业"
