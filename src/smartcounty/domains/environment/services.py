"""Public interface of the environment module: other modules import only this (and ``schemas``).

Air quality (HJ 633-2012 / HJ 633-2026, chosen by the observation's Shanghai date):
``compute_aqi`` (hourly 实时报 or daily 日报 AQI with sub-indices, primary and exceeding pollutants),
``iaqi``, ``category_for`` (level, category, colour), ``version_for``, the averaging helpers
(``mean_24h``, ``moving_8h``, ``daily_max_8h``, ``daily_concentrations``, ``hours_of_day``).
Heavy-pollution warnings: ``assess_heavy_pollution`` over a series of ``DailyAqi`` under a
``WarningScheme`` (default: the Shandong 2022 draft, see ``SCHEMES``), ``warning_transition``.
Forecast: ``forecast_aqi`` / ``backtest_forecast`` (pure, over hourly series), ``run_forecasts`` (retrain and
store every station's 72 h forecast), ``latest_forecast_runs``, ``pooled_forecast_skill``,
``county_forecast_hourly``; ``catch_up_aqi`` (station AQI from stored history).
Readings as plain data (the API's shapes, ``schemas``): ``current_readings`` / ``hourly_readings`` /
``daily_readings`` by station, town or county, ``warning_in_force``, ``forecast_list`` / ``forecast_detail``
/ ``forecast_skill`` (a run is a forecast only when its backtest beats persistence), ``retrain``.
"""

from smartcounty.domains.environment.aqi import (
    CATEGORIES,
    DAILY,
    HJ633_2012,
    HJ633_2026,
    HOURLY,
    AqiConfig,
    AqiResult,
    Category,
    SubIndex,
    category_for,
    compute_aqi,
    daily_concentrations,
    daily_max_1h,
    daily_max_8h,
    hours_of_day,
    iaqi,
    mean_24h,
    moving_8h,
    version_for,
)
from smartcounty.domains.environment.forecast import backtest as backtest_forecast
from smartcounty.domains.environment.forecast import forecast as forecast_aqi
from smartcounty.domains.environment.forecasting import (
    county_forecast_hourly,
    run_forecasts,
)
from smartcounty.domains.environment.forecasting import latest_runs as latest_forecast_runs
from smartcounty.domains.environment.forecasting import pooled_skill as pooled_forecast_skill
from smartcounty.domains.environment.live import catch_up as catch_up_aqi
from smartcounty.domains.environment.outputs import (
    MAX_DAYS,
    MAX_HOURS,
    StationPage,
    category_out,
    current_readings,
    daily_readings,
    environment_organisation,
    forecast_detail,
    forecast_list,
    forecast_skill,
    hourly_readings,
    retrain,
    warning_in_force,
)
from smartcounty.domains.environment.warnings import (
    DEFAULT_SCHEME,
    LEVEL_NAMES,
    SCHEMES,
    Assessment,
    DailyAqi,
    LevelRule,
    Sustained,
    WarningScheme,
)
from smartcounty.domains.environment.warnings import assess as assess_heavy_pollution
from smartcounty.domains.environment.warnings import transition as warning_transition

__all__ = [
    "CATEGORIES", "DAILY", "DEFAULT_SCHEME", "HJ633_2012", "HJ633_2026", "HOURLY", "LEVEL_NAMES", "SCHEMES",
    "AqiConfig", "AqiResult", "Assessment", "Category", "DailyAqi", "LevelRule", "SubIndex", "Sustained",
    "WarningScheme", "assess_heavy_pollution", "category_for", "compute_aqi", "daily_concentrations",
    "daily_max_1h", "daily_max_8h", "hours_of_day", "iaqi", "mean_24h", "moving_8h", "version_for",
    "warning_transition", "backtest_forecast", "forecast_aqi", "county_forecast_hourly", "run_forecasts",
    "latest_forecast_runs", "pooled_forecast_skill", "catch_up_aqi",
    "MAX_DAYS", "MAX_HOURS", "StationPage", "category_out", "current_readings", "daily_readings",
    "environment_organisation", "forecast_detail", "forecast_list", "forecast_skill", "hourly_readings", "retrain",
    "warning_in_force",
]
