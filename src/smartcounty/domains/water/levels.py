"""Water levels against their marks, rain totals, and a drought watch from rain deficits.

* **Flood state** of a gauge (防汛特征水位): at or above the warning level (警戒水位) the river is 超警;
  at or above the guaranteed level (保证水位) it is 超保. "Reaching" counts (达到或超过). An optional
  margin gives an "approaching" state below the warning level (a local operating choice, off by
  default).
* **Rain totals** over the last 1, 3, 6, 12 and 24 hours from a series of (end time, amount in mm)
  of the measuring intervals: an interval counts when its end lies in (t − window, t].
  ``max_window_total`` gives the largest total over any such window (for observed rainstorms).
* **Drought watch** from the precipitation anomaly percentage (降水量距平百分率)
  Pa = (P − P̄)/P̄ × 100 over the last 30 days against the climatological normal for the same days, graded
  with the monthly-scale table of GB/T 20481 气象干旱等级 (the grades as published in public tools:
  no drought −40 < Pa; light −60 < Pa ≤ −40; moderate −80 < Pa ≤ −60; severe −95 < Pa ≤ −80; extreme
  Pa ≤ −95). The thresholds are data (``DROUGHT_GRADES_MONTHLY``); the text of the standard itself was
  not available to check.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

NORMAL, APPROACHING, ABOVE_WARNING, ABOVE_GUARANTEED = "normal", "approaching", "above_warning", "above_guaranteed"
FLOOD_STATE_NAMES = {
    NORMAL: pgettext_lazy("water level", "Normal"),
    APPROACHING: _("Approaching the warning level"),
    ABOVE_WARNING: _("Above the warning level"),
    ABOVE_GUARANTEED: _("Above the guaranteed level"),
}
FLOOD_RANK = {NORMAL: 0, APPROACHING: 1, ABOVE_WARNING: 2, ABOVE_GUARANTEED: 3}


@dataclass(frozen=True)
class FloodState:
    state: str
    level: float
    #: metres above (+) or below (−) the warning and guaranteed levels
    to_warning: float
    to_guaranteed: float | None

    @property
    def name(self):
        return FLOOD_STATE_NAMES[self.state]


def flood_state(level: float, warning: float, guaranteed: float | None = None,
                approach_margin: float | None = None) -> FloodState:
    """Flood state of a gauge reading against its warning and (optional) guaranteed levels, in metres."""
    if guaranteed is not None and guaranteed < warning:
        raise ValueError("the guaranteed level cannot be below the warning level")
    if approach_margin is not None and approach_margin < 0:
        raise ValueError("the approach margin cannot be negative")
    if guaranteed is not None and level >= guaranteed:
        state = ABOVE_GUARANTEED
    elif level >= warning:
        state = ABOVE_WARNING
    elif approach_margin is not None and level >= warning - approach_margin:
        state = APPROACHING
    else:
        state = NORMAL
    return FloodState(state, level, level - warning, None if guaranteed is None else level - guaranteed)


RAIN_WINDOWS_H = (1, 3, 6, 12, 24)


def _check(series: Iterable[tuple[datetime, float]]) -> list[tuple[datetime, float]]:
    out = []
    for when, mm in series:
        if when.tzinfo is None:
            raise ValueError("rain times must be timezone-aware")
        if mm is None:
            continue
        if mm < 0:
            raise ValueError("rain amounts cannot be negative")
        out.append((when, float(mm)))
    return out


def rain_totals(series: Iterable[tuple[datetime, float | None]], at: datetime,
                windows: Sequence[int] = RAIN_WINDOWS_H) -> dict[int, float]:
    """Rain totals (mm) over the last ``windows`` hours ending at ``at``."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    data = _check(series)
    return {w: sum(mm for when, mm in data if at - timedelta(hours=w) < when <= at) for w in windows}


def max_window_total(series: Iterable[tuple[datetime, float | None]], hours: int) -> float:
    """The largest rain total over any ``hours``-hour window (each window ending at a data point)."""
    data = sorted(_check(series))
    best, lo, running = 0.0, 0, 0.0
    for when, mm in data:
        running += mm
        while data[lo][0] <= when - timedelta(hours=hours):
            running -= data[lo][1]
            lo += 1
        best = max(best, running)
    return best


# --- drought watch ------------------------------------------------------------------------------

NO_DROUGHT, LIGHT, MODERATE, SEVERE, EXTREME = 0, 1, 2, 3, 4
DROUGHT_NAMES = {
    NO_DROUGHT: _("No drought"), LIGHT: _("Light drought"), MODERATE: _("Moderate drought"),
    SEVERE: _("Severe drought"), EXTREME: _("Extreme drought"),
}
#: (grade, Pa upper bound inclusive), worst first: Pa ≤ bound gives the grade. Monthly (30-day) scale.
DROUGHT_GRADES_MONTHLY = ((EXTREME, -95.0), (SEVERE, -80.0), (MODERATE, -60.0), (LIGHT, -40.0))


def precipitation_anomaly_percent(actual_mm: float, normal_mm: float) -> float:
    """Pa = (P − P̄)/P̄ × 100."""
    if normal_mm <= 0:
        raise ValueError("the climatological normal must be positive")
    if actual_mm < 0:
        raise ValueError("rain cannot be negative")
    return (actual_mm - normal_mm) * 100.0 / normal_mm


@dataclass(frozen=True)
class DroughtWatch:
    grade: int
    anomaly_percent: float
    actual_mm: float
    normal_mm: float

    @property
    def name(self):
        return DROUGHT_NAMES[self.grade]


def drought_watch(actual_mm: float, normal_mm: float, grades=DROUGHT_GRADES_MONTHLY) -> DroughtWatch:
    """Drought grade from the last 30 days' rain and the normal for those days."""
    pa = precipitation_anomaly_percent(actual_mm, normal_mm)
    grade = NO_DROUGHT
    for g, bound in grades:
        if pa <= bound:
            grade = g
            break
    return DroughtWatch(grade, pa, actual_mm, normal_mm)
