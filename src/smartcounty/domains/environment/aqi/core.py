"""IAQI and AQI (HJ 633-2012 §4 / HJ 633-2026 §4), as pure functions over the tables in ``tables``.

Formula (HJ 633 式(1)): IAQI_P = (IAQI_Hi − IAQI_Lo)/(BP_Hi − BP_Lo) × (C_P − BP_Lo) + IAQI_Lo, and
AQI = max(IAQI_1 … IAQI_n) (式(2)). Arithmetic is exact (``fractions.Fraction`` from the decimal text of
the concentration), so a concentration exactly at a breakpoint gives exactly the row's IAQI.

Rounding, our choice with its sources:

* IAQI is rounded **up** to an integer (``ceil``). HJ 633-2026 says 向上进位取整 (quoted by public
  implementations of the 2026 text); the 2012 text's clause was not found, and the national platform
  and caiyunapp/aqi-hub also ceil. ``AqiConfig(rounding="none")`` keeps the exact value.
* Concentrations are first rounded as the evaluation rules do (HJ 663 数据修约, GB/T 8170: nearest,
  half to even; CO to 0.1 mg/m³, the others to 1 µg/m³). ``AqiConfig(round_concentrations=False)``
  switches this off.
* Past the top of a column the IAQI is capped at 500, except for the over-800 rules below.

Over-800 rules (``tables.OVER_TOP_RULES``):

* HJ 633-2012: SO2 1 h > 800 → no 1 h IAQI; SO2 is reported from its 24 h IAQI. O3 8 h > 800 → no
  8 h IAQI; O3 is reported from its 1 h IAQI. If the fallback concentration is missing, the
  pollutant has no IAQI.
* HJ 633-2026: SO2 1 h > 800 → IAQI 200; O3 8 h > 800 → IAQI 300.

Which table: by the observation's date in Asia/Shanghai, 2026 from 2026-03-01.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from . import tables as t

SHANGHAI = ZoneInfo("Asia/Shanghai")
HJ633_2026_FROM = date(2026, 3, 1)

HOURLY = "hourly"  # 实时报
DAILY = "daily"  # 日报

#: Measures in each report. Hourly: the six 1-hour values (HJ 633 实时报; PM evaluated on the 24 h
#: column). Daily: the five 24-hour means, the O3 daily maximum 8-hour moving mean and the O3 daily
#: maximum 1-hour value (HJ 633-2012 §5: 7 daily indicators; see ``AqiConfig.daily_o3_1h``).
REPORT_MEASURES = {
    HOURLY: (t.SO2_1H, t.NO2_1H, t.PM10_1H, t.PM2_5_1H, t.CO_1H, t.O3_1H),
    DAILY: (t.SO2_24H, t.NO2_24H, t.PM10_24H, t.PM2_5_24H, t.CO_24H, t.O3_8H, t.O3_1H),
}
#: Measures only read as the fallback of an over-800 rule (an hourly report may carry SO2_24H).
FALLBACK_ONLY = {HOURLY: (t.SO2_24H,), DAILY: ()}


@dataclass(frozen=True)
class AqiConfig:
    rounding: str = "ceil"  # "ceil" | "none"
    round_concentrations: bool = True
    #: HJ 633-2026 PM2.5 24 h value at IAQI 50: 35 (final text, default) or 30 (2025 draft).
    pm25_2026_iaqi50: float = 35
    #: Include the O3 daily-maximum 1-hour IAQI in the daily AQI (HJ 633-2012 §5 lists it among the
    #: daily indicators, and note 3 falls back to it). Off = the daily AQI uses O3 8 h only.
    daily_o3_1h: bool = True


DEFAULT_CONFIG = AqiConfig()


def version_for(when: date | datetime) -> str:
    """The HJ 633 version for an observation: its Asia/Shanghai date, 2026 from 2026-03-01.

    A ``datetime`` must be timezone-aware (stored times are UTC); a ``date`` is taken as the
    Shanghai date already.
    """
    if isinstance(when, datetime):
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError("a naive datetime is ambiguous: give an aware datetime or a date")
        day = when.astimezone(SHANGHAI).date()
    elif isinstance(when, date):
        day = when
    else:
        raise TypeError("when must be a date or an aware datetime")
    return t.HJ633_2026 if day >= HJ633_2026_FROM else t.HJ633_2012


def breakpoints(version: str, config: AqiConfig = DEFAULT_CONFIG) -> dict[str, tuple[float, ...]]:
    if version not in t.BREAKPOINTS:
        raise ValueError(f"unknown HJ 633 version {version!r}")
    table = t.BREAKPOINTS[version]
    if version == t.HJ633_2026 and config.pm25_2026_iaqi50 != table[t.PM2_5_24H][1]:
        col = list(table[t.PM2_5_24H])
        col[1] = config.pm25_2026_iaqi50
        if not col[0] < col[1] < col[2]:
            raise ValueError("pm25_2026_iaqi50 must lie strictly between 0 and 60")
        table = {**table, t.PM2_5_24H: tuple(col)}
    return table


def _exact(value: float | int | Decimal | Fraction | str) -> Fraction:
    if isinstance(value, bool):
        raise TypeError("a concentration is a number")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a concentration must be a finite number")
        return Fraction(Decimal(repr(value)))
    return Fraction(Decimal(str(value)))


def round_concentration(measure: str, value) -> Fraction:
    """GB/T 8170 rounding (nearest, half to even): CO to 0.1 mg/m³, every other pollutant to 1 µg/m³."""
    places = Decimal("0.1") if t.POLLUTANT_OF[measure] == t.CO else Decimal("1")
    exact = _exact(value)
    dec = Decimal(exact.numerator) / Decimal(exact.denominator)
    return Fraction(dec.quantize(places, rounding=ROUND_HALF_EVEN))


def _interpolate(column: tuple[float, ...], c: Fraction) -> Fraction:
    """Piecewise-linear IAQI on a column; ``c`` must lie within it."""
    for i in range(1, len(column)):
        lo, hi = _exact(column[i - 1]), _exact(column[i])
        if c <= hi:
            i_lo, i_hi = t.IAQI_ROWS[i - 1], t.IAQI_ROWS[i]
            return Fraction(i_hi - i_lo) / (hi - lo) * (c - lo) + i_lo
    raise AssertionError("concentration beyond the column")  # pragma: no cover


def iaqi_exact(measure: str, concentration, version: str, config: AqiConfig = DEFAULT_CONFIG) -> Fraction | None:
    """The unrounded IAQI of one measure, or ``None`` when the standard computes none (2012 over-800).

    Does not apply the 2012 fallback (that needs the other measure: see ``compute_aqi``).
    """
    if measure not in t.COLUMN_OF:
        raise ValueError(f"unknown measure {measure!r}")
    c = _exact(concentration)
    if c < 0:
        raise ValueError("a concentration cannot be negative")
    column = breakpoints(version, config)[t.COLUMN_OF[measure]]
    top = _exact(column[-1])
    if c <= top:
        return _interpolate(column, c)
    rule = t.OVER_TOP_RULES[version].get(t.COLUMN_OF[measure])
    if rule is None:
        return Fraction(500)  # cap
    kind, value = rule
    return Fraction(value) if kind == "fixed" else None


def _round_iaqi(value: Fraction, config: AqiConfig) -> int | Fraction:
    if config.rounding == "ceil":
        return math.ceil(value)
    if config.rounding == "none":
        return value
    raise ValueError(f"unknown rounding {config.rounding!r}")


def iaqi(measure: str, concentration, version: str, config: AqiConfig = DEFAULT_CONFIG):
    """The IAQI of one measure, rounded per ``config`` (concentration rounding included)."""
    c = round_concentration(measure, concentration) if config.round_concentrations else _exact(concentration)
    value = iaqi_exact(measure, c, version, config)
    return None if value is None else _round_iaqi(value, config)


@dataclass(frozen=True)
class SubIndex:
    pollutant: str
    measure: str  # the measure whose IAQI is reported for the pollutant
    concentration: float
    iaqi: int | Fraction
    note: str = ""  # "fallback" when a 2012 over-800 rule replaced the measure


@dataclass(frozen=True)
class AqiResult:
    version: str
    report: str
    aqi: int | Fraction | None
    sub_indices: dict[str, SubIndex] = field(default_factory=dict)
    primary: tuple[str, ...] = ()
    exceeding: tuple[str, ...] = ()
    #: pollutants given but without an IAQI (2012 over-800 rule with no fallback value)
    unreported: tuple[str, ...] = ()

    @property
    def category(self) -> t.Category | None:
        return None if self.aqi is None else t.category_for(self.aqi)


def _is_missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def compute_aqi(
    concentrations: Mapping[str, float | None],
    *,
    report: str = DAILY,
    when: date | datetime | None = None,
    version: str | None = None,
    config: AqiConfig = DEFAULT_CONFIG,
) -> AqiResult:
    """AQI of one report (hourly 实时报 or daily 日报) from concentrations keyed by measure.

    Give ``when`` (the observation's time or Shanghai date) or ``version``. Measures not in the
    report are an error (so a misspelt key is not silently dropped); ``None``/NaN means missing.
    The AQI is the largest IAQI; ``None`` if no pollutant has one. Primary pollutants: all with the
    largest IAQI, only when AQI > 50. Exceeding pollutants: IAQI > 100 (HJ 633-2012 §3.3, §3.4).
    """
    if report not in REPORT_MEASURES:
        raise ValueError(f"unknown report {report!r}")
    if version is None:
        if when is None:
            raise ValueError("give the observation time (when) or the HJ 633 version")
        version = version_for(when)
    allowed = set(REPORT_MEASURES[report]) | set(FALLBACK_ONLY[report])
    unknown = set(concentrations) - allowed
    if unknown:
        raise ValueError(f"measures not used in the {report} report: {sorted(unknown)}")
    given = {m: v for m, v in concentrations.items() if not _is_missing(v)}
    measures = [m for m in REPORT_MEASURES[report] if m in given]
    if report == DAILY and not config.daily_o3_1h:
        # O3 1 h is then read only as the 2012 fallback for O3 8 h > 800.
        measures = [m for m in measures if m != t.O3_1H]

    per_measure: dict[str, SubIndex | None] = {}
    for m in measures:
        per_measure[m] = _sub_index(m, given, version, config)

    subs: dict[str, SubIndex] = {}
    unreported: list[str] = []
    for m in measures:
        p = t.POLLUTANT_OF[m]
        s = per_measure[m]
        if s is None:
            if p not in subs and p not in unreported:
                unreported.append(p)
            continue
        if p in unreported:
            unreported.remove(p)
        if p not in subs or s.iaqi > subs[p].iaqi:
            subs[p] = s
    if not subs:
        return AqiResult(version, report, None, {}, (), (), tuple(unreported))
    aqi = max(s.iaqi for s in subs.values())
    order = [p for p in t.POLLUTANTS if p in subs]
    primary = tuple(p for p in order if subs[p].iaqi == aqi) if aqi > 50 else ()
    exceeding = tuple(p for p in order if subs[p].iaqi > 100)
    return AqiResult(version, report, aqi, {p: subs[p] for p in order}, primary, exceeding, tuple(unreported))


def _sub_index(measure: str, given: Mapping, version: str, config: AqiConfig) -> SubIndex | None:
    value = iaqi(measure, given[measure], version, config)
    if value is not None:
        return SubIndex(t.POLLUTANT_OF[measure], measure, float(given[measure]), value)
    # 2012 over-800: report the pollutant from the fallback measure, if it was given.
    _kind, fallback = t.OVER_TOP_RULES[version][t.COLUMN_OF[measure]]
    if fallback not in given:
        return None
    value = iaqi(fallback, given[fallback], version, config)
    if value is None:  # pragma: no cover - fallback columns have no over-top rule
        return None
    return SubIndex(t.POLLUTANT_OF[fallback], fallback, float(given[fallback]), value, note="fallback")
