"""Validators for Chinese codes the platform stores. Codes are validated, never just stored.

* Administrative division codes (GB/T 2260 for 6 digits, GB/T 10114 / statistical division codes
  for the 9-digit township and 12-digit village levels).
* Unit-grid codes (单元网格, GB/T 30428.1 / CJ/T 213): county 6 + street 3 + community 3 +
  serial 2 = 14 digits (standards-cn.md §5).
* Resident ID numbers (GB 11643-1999): ISO 7064 MOD 11-2 check character (standards-cn.md §7).
* Unified social credit codes (GB 32100-2015): MOD 31 check character over 17 characters, with
  the organisation code (GB 11714-1997, MOD 11) in positions 9-17.

Each ``validate_*`` returns a parsed, normalised value or raises ``CodeError`` (a ``ValueError``)
with a message naming what is wrong; each ``is_valid_*`` answers True/False.
"""

import re
from dataclasses import dataclass
from datetime import date


class CodeError(ValueError):
    pass


# GB/T 2260 province-level codes (first two digits), including Taiwan, Hong Kong and Macao.
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
})

_DIGITS = re.compile(r"^\d+$")


def _digits(code, length: int, what: str) -> str:
    code = str(code or "").strip()
    if len(code) != length or not _DIGITS.match(code):
        raise CodeError(f"{what} must be {length} digits")
    return code


# --- administrative divisions -------------------------------------------------------------------

LEVELS = {2: "province", 4: "prefecture", 6: "county", 9: "township", 12: "village"}


@dataclass(frozen=True)
class DivisionCode:
    code: str
    level: str  # province | prefecture | county | township | village

    @property
    def province(self) -> str:
        return self.code[:2]

    @property
    def parent(self) -> str | None:
        return parent_division_code(self.code)


def _significant(code: str) -> str:
    """A 6-digit code stripped of trailing ``00`` pairs (370000 -> 37, 371500 -> 3715)."""
    if len(code) == 6:
        if code[2:] == "0000":
            return code[:2]
        if code[4:] == "00":
            return code[:4]
    return code


def validate_division_code(code) -> DivisionCode:
    """Accept a 6-digit (province/prefecture/county), 9-digit (township) or 12-digit (village) code."""
    code = str(code or "").strip()
    if not _DIGITS.match(code) or len(code) not in (6, 9, 12):
        raise CodeError("a division code has 6, 9 or 12 digits")
    if code[:2] not in PROVINCES:
        raise CodeError(f"{code[:2]} is not a province code")
    if len(code) > 6 and code[4:6] == "00":
        raise CodeError("a township or village code starts with a county code")
    if len(code) >= 9 and code[6:9] == "000":
        raise CodeError("township part 000 is not a township")
    if len(code) == 12 and code[9:] == "000":
        raise CodeError("village part 000 is not a village")
    if len(code) == 6 and code[2:4] == "00" and code[4:] != "00":
        raise CodeError("a county code needs its prefecture digits")
    return DivisionCode(code, LEVELS[len(_significant(code))])


def is_valid_division_code(code) -> bool:
    try:
        validate_division_code(code)
    except CodeError:
        return False
    return True


def parent_division_code(code: str) -> str | None:
    """Parent in the hierarchy: village -> township -> county -> prefecture -> province -> None."""
    code = validate_division_code(code).code
    if len(code) == 12:
        return code[:9]
    if len(code) == 9:
        return code[:6]
    sig = _significant(code)
    if len(sig) == 2:
        return None
    return (sig[:-2] + "0000")[:6] if len(sig) == 4 else code[:4] + "00"


def township_kind(code: str) -> str:
    """Kind of a 9-digit township by its last three digits (GB/T 10114): 001-099 subdistrict
    (街道), 100-199 town (镇), 200-399 township (乡), otherwise other (e.g. farms, development zones)."""
    code = validate_division_code(code).code
    if len(code) != 9:
        raise CodeError("a township code has 9 digits")
    n = int(code[6:])
    if n < 100:
        return "subdistrict"
    if n < 200:
        return "town"
    if n < 400:
        return "township"
    return "other"


# --- unit grids ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridCode:
    code: str

    @property
    def county(self) -> str:
        return self.code[:6]

    @property
    def town(self) -> str:
        """The 9-digit township (street) code the grid belongs to."""
        return self.code[:9]

    @property
    def community(self) -> str:
        """The 12-digit community (village) code the grid belongs to."""
        return self.code[:12]

    @property
    def serial(self) -> int:
        return int(self.code[12:])


def validate_grid_code(code) -> GridCode:
    code = _digits(code, 14, "a grid code")
    county = validate_division_code(code[:6])
    if county.level != "county":
        raise CodeError("a grid code starts with a county-level code")
    if code[6:9] == "000":
        raise CodeError("street part 000 is not a street")
    if code[9:12] == "000":
        raise CodeError("community part 000 is not a community")
    if code[12:] == "00":
        raise CodeError("grid serial 00 is not a grid")
    return GridCode(code)


def is_valid_grid_code(code) -> bool:
    try:
        validate_grid_code(code)
    except CodeError:
        return False
    return True


def make_grid_code(community_code: str, serial: int) -> str:
    """The 14-digit code of grid ``serial`` (1-99) in a 12-digit community."""
    if not isinstance(serial, int) or not 1 <= serial <= 99:
        raise CodeError("a grid serial is 1-99")
    return validate_grid_code(f"{_digits(community_code, 12, 'a community code')}{serial:02d}").code


# --- GB 11643 resident ID numbers ---------------------------------------------------------------

_ID_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class ResidentId:
    number: str
    area: str
    birth_date: date
    sequence: str

    @property
    def sex(self) -> str:
        """``male`` for an odd sequence number, ``female`` for even (GB 11643 §4.3)."""
        return "male" if int(self.sequence) % 2 else "female"


def resident_id_check_char(first17: str) -> str:
    first17 = _digits(first17, 17, "the first 17 characters of an ID number")
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def validate_resident_id(number, *, today: date | None = None) -> ResidentId:
    number = str(number or "").strip().upper()
    if len(number) != 18 or not _DIGITS.match(number[:17]) or not (number[17].isdigit() or number[17] == "X"):
        raise CodeError("an ID number is 17 digits and a digit or X")
    if number[:2] not in PROVINCES:
        raise CodeError("the ID number's area code is not a province")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise CodeError("the ID number's birth date does not exist") from None
    if born < date(1800, 1, 1) or born > (today or date.today()):
        raise CodeError("the ID number's birth date is out of range")
    if resident_id_check_char(number[:17]) != number[17]:
        raise CodeError("the ID number's check character is wrong")
    return ResidentId(number, number[:6], born, number[14:17])


def is_valid_resident_id(number) -> bool:
    try:
        validate_resident_id(number)
    except CodeError:
        return False
    return True


# --- GB 32100 unified social credit codes -------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_USCC_WEIGHTS = tuple(3 ** i % 31 for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # GB 11714: letters count 10-35
#: Registration authorities (position 1): GB 32100-2015 Table 1 and its later assignments.
USCC_AUTHORITIES = frozenset("123456789ANY")


@dataclass(frozen=True)
class CreditCode:
    code: str

    @property
    def authority(self) -> str:
        return self.code[0]

    @property
    def entity_type(self) -> str:
        return self.code[1]

    @property
    def division(self) -> str:
        return self.code[2:8]

    @property
    def organisation_code(self) -> str:
        return self.code[8:17]


def uscc_check_char(first17: str) -> str:
    if len(first17) != 17 or any(c not in USCC_ALPHABET for c in first17):
        raise CodeError("a credit code has 17 characters before its check character")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """GB 11714-1997 organisation code check character over its first eight characters."""
    if len(first8) != 8 or any(c not in _ORG_ALPHABET for c in first8):
        raise CodeError("an organisation code has 8 digits or letters before its check character")
    c = 11 - sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def validate_uscc(code) -> CreditCode:
    code = str(code or "").strip().upper().replace(" ", "").replace("-", "")
    if len(code) != 18:
        raise CodeError("a credit code has 18 characters")
    if any(c not in USCC_ALPHABET for c in code):
        raise CodeError("a credit code uses digits and capital letters other than I, O, S, V, Z")
    if code[0] not in USCC_AUTHORITIES:
        raise CodeError("unknown registration authority")
    if not _DIGITS.match(code[2:8]) or code[2:4] not in PROVINCES:
        raise CodeError("positions 3-8 of a credit code are a division code")
    if uscc_check_char(code[:17]) != code[17]:
        raise CodeError("the credit code's check character is wrong")
    if org_code_check_char(code[8:16]) != code[16]:
        raise CodeError("the organisation code in the credit code has a wrong check character")
    return CreditCode(code)


def is_valid_uscc(code) -> bool:
    try:
        validate_uscc(code)
    except CodeError:
        return False
    return True
