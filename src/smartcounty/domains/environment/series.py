"""From hourly concentrations to hourly AQI and to the daily-AQI series the warning schemes read (pure).

``hourly`` maps pollutant keys (``SO2``, ``NO2``, ``PM10``, ``PM2_5``, ``CO``, ``O3``) to lists of
hourly means on one common clock: entry ``i`` is the hour starting at ``start + i h``. Each hour's
AQI is the hourly (实时报) AQI with the HJ 633 version of that hour's Shanghai date. The daily series
is made of consecutive 24-hour periods ending at the end of the data (a rolling 24 h mean may cross
midnight, as every heavy-pollution scheme found does); each period's AQI is the daily (日报) AQI of its
24 hours with the data-validity rules of ``aqi.averaging``, and it carries the largest hourly AQI in it.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from smartcounty.domains.environment.aqi import HOURLY, compute_aqi, daily_concentrations
from smartcounty.domains.environment.aqi import tables as t
from smartcounty.domains.environment.warnings import DailyAqi

HOURLY_MEASURE = {t.SO2: t.SO2_1H, t.NO2: t.NO2_1H, t.PM10: t.PM10_1H, t.PM2_5: t.PM2_5_1H, t.CO: t.CO_1H,
                  t.O3: t.O3_1H}


def _length(hourly: Mapping[str, Sequence]) -> int:
    lengths = {len(v) for v in hourly.values()}
    if len(lengths) > 1:
        raise ValueError("every pollutant needs the same number of hours")
    unknown = set(hourly) - set(HOURLY_MEASURE)
    if unknown:
        raise ValueError(f"unknown pollutants {sorted(unknown)}")
    return lengths.pop() if lengths else 0


def hourly_aqi(hourly: Mapping[str, Sequence[float | None]], start: datetime) -> list:
    """The hourly AQI result (``AqiResult``) of every hour."""
    n = _length(hourly)
    out = []
    for i in range(n):
        conc = {HOURLY_MEASURE[p]: values[i] for p, values in hourly.items()}
        out.append(compute_aqi(conc, report=HOURLY, when=start + timedelta(hours=i)))
    return out


def daily_series(hourly: Mapping[str, Sequence[float | None]], start: datetime, periods: int | None = None,
                 **rules) -> list[DailyAqi]:
    """Consecutive 24 h periods ending with the last hour (oldest first); ``periods`` limits how many."""
    n = _length(hourly)
    hours = hourly_aqi(hourly, start)
    count = n // 24 if periods is None else min(periods, n // 24)
    series = []
    for k in range(count, 0, -1):
        lo, hi = n - 24 * k, n - 24 * (k - 1)
        inputs = daily_concentrations({p: list(v[lo:hi]) for p, v in hourly.items()}, **rules)
        period_start = start + timedelta(hours=lo)
        # The period's version: the date of its last hour (the day being reported).
        result = compute_aqi(inputs, when=period_start + timedelta(hours=23))
        peak = max((h.aqi for h in hours[lo:hi] if h.aqi is not None), default=None)
        series.append(DailyAqi(result.aqi, result.primary, peak, period_start))
    return series
