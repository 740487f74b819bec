"""Air quality index (HJ 633-2012 and HJ 633-2026): tables, IAQI/AQI, averaging with validity rules."""

from .averaging import (
    daily_concentrations,
    daily_max_1h,
    daily_max_8h,
    hours_of_day,
    mean_24h,
    moving_8h,
)
from .core import (
    DAILY,
    DEFAULT_CONFIG,
    HOURLY,
    AqiConfig,
    AqiResult,
    SubIndex,
    breakpoints,
    compute_aqi,
    iaqi,
    iaqi_exact,
    round_concentration,
    version_for,
)
from .tables import CATEGORIES, HJ633_2012, HJ633_2026, Category, category_for

__all__ = [
    "CATEGORIES", "DAILY", "DEFAULT_CONFIG", "HJ633_2012", "HJ633_2026", "HOURLY", "AqiConfig",
    "AqiResult", "Category", "SubIndex", "breakpoints", "category_for", "compute_aqi",
    "daily_concentrations", "daily_max_1h", "daily_max_8h", "hours_of_day", "iaqi", "iaqi_exact",
    "mean_24h", "moving_8h", "round_concentration", "version_for",
]
