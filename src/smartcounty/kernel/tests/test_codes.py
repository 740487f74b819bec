"""Code validators against published vectors, plus checksum properties.

Vectors: resident IDs from python-stdnum ``tests/test_cn_ric.doctest`` and ``ric.spec.ts`` of the
JavaScript stdnum (standards-cn.md §7); credit codes from python-stdnum
``tests/test_cn_uscc.doctest`` ("found online and should all be valid numbers"); Guan County's
division codes from standards-cn.md §8.
"""

import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.kernel import codes

VALID_IDS = ["360426199101010071", "120103198806018241", "44011320141005001X", "44011320141005001x"]
INVALID_IDS = [
    "360426199101010072",  # checksum (stdnum ric.spec.ts)
    "36042619910102009X",  # checksum (stdnum test_cn_ric)
    "360426199113010079",  # month 13
    "T60426199101010078",  # format
    "990426199112010074",  # no province 99
    "36042619910101007",  # length
    "",
    None,
]
VALID_USCC = [
    "121200004013590816", "91110000600037341L", "91110000710926094P", "91120224064012553U",
    "91152201078371135X", "9115220107837757XE", "91310115MA1K3BTP2B", "91340600MA2PBM9HXD",
    "91371082775260043P", "9144030071526726XG", "91620105L015101280", "92340602MA2PBMEM24",
    "92340621MA2UK3PJXE", "91 110000 600037341L",
]
INVALID_USCC = ["91110000600037341N", "9111000060003IOZSV", "12345", "A1110000600037341L", "91990000600037341L", ""]


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_resident_ids(number):
    parsed = codes.validate_resident_id(number)
    assert parsed.number == number.upper()
    assert codes.is_valid_resident_id(number)


def test_resident_id_parts():
    parsed = codes.validate_resident_id("360426199101010071")
    assert parsed.birth_date == date(1991, 1, 1) and parsed.area == "360426"
    assert parsed.sex == "male"
    assert codes.validate_resident_id("120103198806018241").sex == "female"


@pytest.mark.parametrize("number", INVALID_IDS)
def test_invalid_resident_ids(number):
    assert not codes.is_valid_resident_id(number)
    with pytest.raises(codes.CodeError):
        codes.validate_resident_id(number)


def test_resident_id_birth_in_the_future_is_refused():
    first17 = "37152520300101001"
    number = first17 + codes.resident_id_check_char(first17)
    assert not codes.is_valid_resident_id(number)
    assert codes.validate_resident_id(number, today=date(2031, 1, 1)).birth_date == date(2030, 1, 1)


def test_id_weights_are_the_standards():
    assert codes._ID_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@given(st.text(alphabet=string.digits, min_size=17, max_size=17), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_breaks_the_id_checksum(first17, pos, delta):
    check = codes.resident_id_check_char(first17)
    changed = first17[:pos] + str((int(first17[pos]) + delta) % 10) + first17[pos + 1:]
    assert codes.resident_id_check_char(changed) != check


@pytest.mark.parametrize("code", VALID_USCC)
def test_valid_credit_codes(code):
    parsed = codes.validate_uscc(code)
    assert len(parsed.code) == 18 and codes.is_valid_uscc(code)


def test_credit_code_parts():
    parsed = codes.validate_uscc("91371082775260043P")
    assert (parsed.authority, parsed.entity_type, parsed.division, parsed.organisation_code) == (
        "9", "1", "371082", "775260043")


@pytest.mark.parametrize("code", INVALID_USCC)
def test_invalid_credit_codes(code):
    assert not codes.is_valid_uscc(code)


def test_credit_code_with_a_bad_organisation_code_is_refused():
    # a correct GB 32100 check character over an organisation code whose GB 11714 check is wrong
    body = "91371082775260044"
    assert not codes.is_valid_uscc(body + codes.uscc_check_char(body))


@given(st.text(alphabet=codes.USCC_ALPHABET, min_size=17, max_size=17), st.integers(0, 16), st.integers(1, 30))
def test_any_single_character_change_breaks_the_uscc_checksum(first17, pos, delta):
    check = codes.uscc_check_char(first17)
    i = (codes.USCC_ALPHABET.index(first17[pos]) + delta) % 31
    changed = first17[:pos] + codes.USCC_ALPHABET[i] + first17[pos + 1:]
    assert codes.uscc_check_char(changed) != check


GUAN_TOWNS = {
    "371525001": "subdistrict", "371525002": "subdistrict", "371525003": "subdistrict",
    "371525101": "town", "371525112": "town", "371525200": "township", "371525206": "township",
    "371525209": "township",
}


@pytest.mark.parametrize(("code", "kind"), GUAN_TOWNS.items())
def test_guan_county_township_codes(code, kind):
    parsed = codes.validate_division_code(code)
    assert parsed.level == "township" and parsed.parent == "371525"
    assert codes.township_kind(code) == kind


@pytest.mark.parametrize(("code", "level", "parent"), [
    ("370000", "province", None), ("371500", "prefecture", "370000"), ("371525", "county", "371500"),
    ("371525101", "township", "371525"), ("371525101201", "village", "371525101"),
])
def test_division_levels_and_parents(code, level, parent):
    assert codes.validate_division_code(code).level == level
    assert codes.parent_division_code(code) == parent


@pytest.mark.parametrize("code", ["3715", "99152500", "991525", "371525000", "371525101000", "37152x", "370025",
                                  "370000101", None])
def test_invalid_division_codes(code):
    assert not codes.is_valid_division_code(code)


def test_grid_codes():
    grid = codes.validate_grid_code("37152510100103")
    assert (grid.county, grid.town, grid.community, grid.serial) == ("371525", "371525101", "371525101001", 3)
    assert codes.make_grid_code("371525101001", 3) == "37152510100103"


@pytest.mark.parametrize("code", [
    "3715251010010",  # 13 digits
    "371525101001031",  # 15 digits (Beijing DB11 style)
    "37152510100100",  # serial 00
    "37152500000101",  # street 000
    "37152510100001",  # community 000
    "37150010100101",  # prefecture, not county
    "99152510100101",  # no province 99
    "3715251010010A",
])
def test_invalid_grid_codes(code):
    assert not codes.is_valid_grid_code(code)


@pytest.mark.parametrize("serial", [0, 100, -1, "1"])
def test_make_grid_code_refuses_bad_serials(serial):
    with pytest.raises(codes.CodeError):
        codes.make_grid_code("371525101001", serial)
