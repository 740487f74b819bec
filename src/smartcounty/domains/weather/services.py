"""Public interface of the weather module: other modules import only this (and ``schemas``).

CMA warning signals (中国气象局令第16号; 霾 per the 2013 revision): ``judge_rainstorm``, ``judge_heat``,
``judge_gale``, ``judge_cold_wave``, ``judge_fog``, ``judge_haze`` return the highest ``Signal`` of
their type (with ``code`` = type code + level code, e.g. 0202 暴雨黄色), ``highest`` picks the highest
of several, ``transition`` says issue/upgrade/downgrade/cancel/keep. ``MANUAL`` lists the types a
forecaster raises by hand. ``beaufort`` converts m/s to a wind grade.
"""

from smartcounty.domains.weather.signals import (
    BLUE,
    JUDGED,
    LEVEL_CODES,
    LEVEL_NAMES,
    MANUAL,
    ORANGE,
    RED,
    TYPES,
    YELLOW,
    Signal,
    beaufort,
    highest,
    judge_cold_wave,
    judge_fog,
    judge_gale,
    judge_haze,
    judge_heat,
    judge_rainstorm,
    transition,
)

__all__ = [
    "BLUE", "JUDGED", "LEVEL_CODES", "LEVEL_NAMES", "MANUAL", "ORANGE", "RED", "TYPES", "YELLOW", "Signal",
    "beaufort", "highest", "judge_cold_wave", "judge_fog", "judge_gale", "judge_haze", "judge_heat",
    "judge_rainstorm", "transition",
]
