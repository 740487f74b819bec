"""Public interface of the water module: other modules import only this (and ``schemas``).

Surface-water quality (GB 3838-2002): ``classify`` a sample (class I–V / 劣V, deciding parameters,
exceedance over Class III), ``parameter_class``, ``PARAMETERS``. Water levels and rain:
``flood_state`` (normal / approaching / above warning / above guaranteed), ``rain_totals`` over
1/3/6/12/24 h, ``max_window_total``, ``drought_watch`` (30-day precipitation anomaly grades).
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

__all__ = [
    "CLASS_CODES", "CLASS_LABELS", "FLOOD_STATE_NAMES", "LAKE", "PARAMETERS", "QUALITY_LABELS", "RAIN_WINDOWS_H",
    "RIVER", "WORSE_THAN_V", "DroughtWatch", "FloodState", "Gb3838Config", "WaterClassResult", "classify",
    "drought_watch", "flood_state", "max_window_total", "parameter_class", "precipitation_anomaly_percent",
    "rain_totals", "DroughtStatus", "assess_drought", "drought_status",
]
