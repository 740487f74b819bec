"""The parts of Solr's query syntax CKAN clients send to ``package_search``: ``fq`` terms
(``field:value``, ``field:"quoted value"``, ranges ``[a TO b]`` / ``{a TO b}`` with ``*`` open ends,
``+``/``-`` prefixes), Solr dates with date maths (``NOW``, ``NOW-1DAY``, ``NOW/DAY``,
``2026-12-04T10:00:00.123456Z``) and ``sort`` lists ("metadata_modified desc, name asc").

ckanext-harvest gathers with ``sort=id asc`` and, on incremental runs,
``fq=metadata_modified:[<last run>Z TO *]``.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from smartcounty.foundation.catalog.ckan.callers import CkanError

_TERM_RE = re.compile(r"""
    (?P<sign>[+-]?)
    (?:(?P<field>[\w.]+):)?
    (?P<value>
        "(?:[^"\\]|\\.)*"              # a quoted value
      | [\[{][^\]}]*[\]}]              # a range
      | \([^)]*\)                      # a group of values: (a OR b)
      | [^\s()"\[{][^\s()]*             # a bare value
    )""", re.X)
_RANGE_RE = re.compile(r"([\[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])", re.I)
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?")
_MATH_RE = re.compile(r"([+-]\d+|/)([A-Z]+)")
_UNITS = {"YEAR": "year", "YEARS": "year", "MONTH": "month", "MONTHS": "month", "DAY": "day", "DAYS": "day",
          "DATE": "day", "HOUR": "hour", "HOURS": "hour", "MINUTE": "minute", "MINUTES": "minute",
          "SECOND": "second", "SECONDS": "second", "MILLI": "milli", "MILLIS": "milli",
          "MILLISECOND": "milli", "MILLISECONDS": "milli"}


def _invalid(param: str, message: str):
    return CkanError(409, "Validation Error", {param: [message]})


@dataclass
class Term:
    """One ``fq`` term: ``field`` (``None`` for a bare word), ``value`` (unquoted), a range
    (``low``/``high`` with ``None`` for ``*``, inclusivity) when ``is_range``, ``negated``."""

    field: str | None
    value: str
    negated: bool = False
    is_range: bool = False
    low: str | None = None
    high: str | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True

    @property
    def values(self) -> list[str]:
        """The values of a group ``(a OR b)``, else the single value."""
        if self.value.startswith("(") and self.value.endswith(")"):
            inner = self.value[1:-1]
            return [_unquote(v) for v in re.split(r"\s+OR\s+|\s+", inner.strip()) if v and v.upper() != "OR"]
        return [self.value]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_fq(fq: str) -> list[Term]:
    """The terms of ``fq``; ``AND`` between terms is accepted (terms are always ANDed)."""
    terms = []
    text = (fq or "").strip()
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        m = _TERM_RE.match(text, pos)
        if m is None or m.end() == pos:
            raise _invalid("fq", f"Cannot parse the filter near: {text[pos:pos + 30]}")
        pos = m.end()
        field, value = m.group("field"), m.group("value")
        if field is None and value.upper() in ("AND", "&&"):
            continue
        if field is None and ":" in value and value != "*:*":
            raise _invalid("fq", f"Cannot parse the filter near: {value[:30]}")
        term = Term(field=field, value=_unquote(value), negated=m.group("sign") == "-")
        if value[0] in "[{":
            rng = _RANGE_RE.fullmatch(value)
            if rng is None:
                raise _invalid("fq", f"Cannot parse the range {value}")
            term.is_range = True
            term.low_inclusive, term.high_inclusive = rng.group(1) == "[", rng.group(4) == "]"
            term.low = None if rng.group(2) == "*" else _unquote(rng.group(2))
            term.high = None if rng.group(3) == "*" else _unquote(rng.group(3))
        terms.append(term)
    return terms


def _add_months(dt: datetime, months: int) -> datetime:
    month0 = dt.month - 1 + months
    year, month = dt.year + month0 // 12, month0 % 12 + 1
    return dt.replace(year=year, month=month, day=min(dt.day, calendar.monthrange(year, month)[1]))


def _round(dt: datetime, unit: str) -> datetime:
    if unit == "year":
        return dt.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "month":
        return dt.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return dt.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "hour":
        return dt.replace(minute=0, second=0, microsecond=0)
    if unit == "minute":
        return dt.replace(second=0, microsecond=0)
    if unit == "second":
        return dt.replace(microsecond=0)
    return dt.replace(microsecond=dt.microsecond // 1000 * 1000)


def _shift(dt: datetime, n: int, unit: str) -> datetime:
    if unit == "year":
        return _add_months(dt, 12 * n)
    if unit == "month":
        return _add_months(dt, n)
    seconds = {"day": 86400, "hour": 3600, "minute": 60, "second": 1, "milli": 0.001}[unit]
    return dt + timedelta(seconds=n * seconds)


def parse_date(text: str, *, now: datetime | None = None, param: str = "fq") -> datetime:
    """A Solr date (UTC when no offset is given, as Solr and CKAN store them) with date maths."""
    raw = text.strip()
    upper = raw.upper()
    if upper.startswith("NOW"):
        base, rest = (now or datetime.now(UTC)), upper[3:]
    else:
        m = _DATE_RE.match(raw)
        if m is None:
            raise _invalid(param, f"Invalid date: {text}")
        year, month, day, hour, minute, second, frac, zone = m.groups()
        try:
            base = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                            int((frac or "0").ljust(6, "0")[:6]), tzinfo=UTC)
        except ValueError:
            raise _invalid(param, f"Invalid date: {text}") from None
        if zone and zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            digits = zone[1:].replace(":", "")
            base -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        rest = raw[m.end():].upper()
    pos = 0
    while pos < len(rest):
        m = _MATH_RE.match(rest, pos)
        if m is None or m.group(2) not in _UNITS:
            raise _invalid(param, f"Invalid date maths: {text}")
        unit = _UNITS[m.group(2)]
        base = _round(base, unit) if m.group(1) == "/" else _shift(base, int(m.group(1)), unit)
        pos = m.end()
    return base


def parse_sort(raw: str, fields: dict[str, str], *, param: str = "sort") -> list[tuple[str, bool]]:
    """``"a desc, b asc"`` → [(field, descending)], each field mapped through ``fields``."""
    keys = []
    for part in (raw or "").split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise _invalid(param, f"Invalid sort: {part.strip()}")
        name = words[0]
        if name not in fields:
            raise _invalid(param, f"Unsupported sort: {name}")
        desc = len(words) == 2 and words[1].lower() == "desc"
        keys.append((fields[name], desc))
    return keys
