"""Public interface of the water module: other modules import only this (and ``schemas``).

Surface-water quality (GB 3838-2002): ``classify`` a sample (class I–V / 劣V, deciding parameters,
exceedance over Class III), ``parameter_class``, ``PARAMETERS``. Water levels and rain:
``flood_state`` (normal / approaching / above warning / above guaranteed), ``rain_totals`` over
1/3/6/12/24 h, ``max_window_total``, ``drought_watch`` (30-day precipitation anomaly grades).
Plain data (the API's shapes, ``schemas``): ``gauge_levels`` / ``LevelPage``, ``rain_totals_now`` /
``RainPage``, ``gauge_hourly``, ``drought_out``, ``quality_stations`` (GB 3838 class per station).
"""

from smartcounty.domains.water.drought import DroughtStatus, assess_drought
from smartcounty.domains.water.drought import status as drought_status
from smartcounty.domains.water.gb3838 import (
    CLASS_CODES,
    CLASS_LABELS,
    LAKE,
    PARAMETERS,
    QUALITY_LABELS,
    RIVER,
    WORSE_THAN_V,
    Gb3838Config,
    WaterClassResult,
    classify,
    parameter_class,
)
from smartcounty.domains.water.levels import (
    FLOOD_STATE_NAMES,
    RAIN_WINDOWS_H,
    DroughtWatch,
    FloodState,
    drought_watch,
    flood_state,
    max_window_total,
    precipitation_anomaly_percent,
    rain_totals,
)
from smartcounty.domains.water.outputs import (
    LevelPage,
    RainPage,
    is_gauge,
    quality_stations,
    reassess_drought,
    water_organisation,
)
from smartcounty.domains.water.readings import LEVEL_PROPERTY, MAX_HOURS, RAIN_PROPERTY, drought_out
from smartcounty.domains.water.readings import hourly as gauge_hourly
from smartcounty.domains.water.readings import levels as gauge_levels
from smartcounty.domains.water.readings import rain as rain_totals_now

__all__ = [
    "CLASS_CODES", "CLASS_LABELS", "FLOOD_STATE_NAMES", "LAKE", "PARAMETERS", "QUALITY_LABELS", "RAIN_WINDOWS_H",
    "RIVER", "WORSE_THAN_V", "DroughtWatch", "FloodState", "Gb3838Config", "WaterClassResult", "classify",
    "drought_watch", "flood_state", "max_window_total", "parameter_class", "precipitation_anomaly_percent",
    "rain_totals", "DroughtStatus", "assess_drought", "drought_status",
    "LEVEL_PROPERTY", "MAX_HOURS", "RAIN_PROPERTY", "LevelPage", "RainPage", "drought_out", "gauge_hourly",
    "gauge_levels", "is_gauge", "quality_stations", "rain_totals_now", "reassess_drought", "water_organisation",
]
