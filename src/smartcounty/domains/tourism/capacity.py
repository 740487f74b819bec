"""Carrying capacity of scenic areas (LB/T 034-2014, 景区最大承载量核定导则) and capacity warnings.

LB/T 034-2014 sets the instantaneous and the daily maximum carrying capacity. By the area method the
instantaneous capacity is the sum over the visiting zones of zone area / area per visitor,
C1 = sum(X_i / Y_i); by the line method (trails, corridors) the sum of length / length per visitor. The
daily capacity multiplies it by the turnover, the whole number of visits that fit in the open hours,
C2 = C1 x floor(T / t), T the daily open time and t the mean visit time.

Warnings: the larger of present / instantaneous capacity and today's entries / daily capacity is the
share; yellow, orange and red at configurable shares (80 %, 90 %, 100 % by default). Up at once; down
only when the share has fallen ``hysteresis`` below the level's threshold, so a share wobbling around
a threshold does not flap.
"""

import math
from collections.abc import Iterable

NONE, YELLOW, ORANGE, RED = 0, 1, 2, 3
LEVEL_NAMES = {NONE: "正常", YELLOW: "黄色预警", ORANGE: "橙色预警", RED: "红色预警"}
LEVEL_COLOURS = {NONE: "#2e7d32", YELLOW: "#f2c200", ORANGE: "#f07f00", RED: "#d0021b"}
DEFAULT_SHARES = (0.8, 0.9, 1.0)
DEFAULT_HYSTERESIS = 0.05


def instantaneous_capacity(zones: Iterable[tuple[float, float]]) -> int:
    """Area method: zones as (area m2, area per visitor m2); line method: (length m, length per visitor m)."""
    total = 0.0
    for size, per_visitor in zones:
        if size < 0 or per_visitor <= 0:
            raise ValueError("sizes must be >= 0 and the space per visitor > 0")
        total += size / per_visitor
    return int(math.floor(total))


def daily_capacity(instantaneous: int, open_hours: float, visit_hours: float) -> int:
    """C2 = C1 x floor(T / t): the visits that fit one after another into the open hours."""
    if instantaneous < 0 or open_hours <= 0 or visit_hours <= 0:
        raise ValueError("capacity >= 0, open and visit hours > 0")
    return instantaneous * max(1, math.floor(open_hours / visit_hours + 1e-9))


def share(present: int, today: int, max_instant: int, max_daily: int) -> float:
    return max(present / max_instant if max_instant else 0.0, today / max_daily if max_daily else 0.0)


def check_shares(shares) -> tuple[float, float, float]:
    y, o, r = (float(x) for x in shares)
    if not 0 < y < o < r <= 2:
        raise ValueError("warning shares must rise: 0 < yellow < orange < red <= 2")
    return y, o, r


def warning_level(value: float, current: int, shares=DEFAULT_SHARES, hysteresis: float = DEFAULT_HYSTERESIS) -> int:
    """The warning level for a share ``value`` given the level in force (see the module's doc)."""
    th = check_shares(shares)
    if not 0 <= hysteresis < th[0]:
        raise ValueError("hysteresis must be >= 0 and below the yellow share")
    up = sum(1 for t in th if value >= t)
    if up >= current:
        return up
    # going down: keep each level while the share is within the hysteresis band below its threshold
    return max(up, sum(1 for i, t in enumerate(th) if i < current and value >= t - hysteresis))
