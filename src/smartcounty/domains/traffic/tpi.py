"""Congestion maths: a link's speed level by road class and the county traffic performance index (TPI).

Pure functions, the tables as data (see docs/traffic.md for the rule and why).

Link speed levels (km/h), from the five-level tables Chinese cities use for urban roads (Beijing
DB11/T 785 and the local standards that follow it, e.g. DB12/T 1237-2023, DB4401/T 57-2020):

=============  ======  =======  =======  =======  ======
class          畅通    基本畅通  轻度拥堵  中度拥堵  严重拥堵
=============  ======  =======  =======  =======  ======
expressway     > 65    50-65    35-50    20-35    <= 20
arterial       > 40    30-40    20-30    15-20    <= 15
secondary      > 35    25-35    15-25    10-15    <= 10
branch         > 35    25-35    15-25    10-15    <= 10  (the secondary row: the tables join 次干路及支路)
=============  ======  =======  =======  =======  ======

A speed exactly on a boundary belongs to the slower level ("50-65" is 50 < v <= 65), so 畅通 needs
more than 65 km/h on an expressway and 20 km/h is already 严重拥堵.

County TPI: the network travel-time index (DiDi's TTI, free-flow speed / actual speed) of all
segments with data, each weighted by its length and a class weight standing in for its flow (VKT),

    TTI = sum(w_c * L_i / v_i) / sum(w_c * L_i / vf_i)      (v_i capped at vf_i)

mapped piecewise-linearly onto 0-10 by the travel-time bands of the five TPI levels: TTI 1.0 -> 0,
1.2 -> 2 (20 % longer than free flow), 1.5 -> 4, 1.8 -> 6, 2.1 -> 8, 2.4 -> 10 and above.
"""

from collections.abc import Iterable
from dataclasses import dataclass

EXPRESSWAY, ARTERIAL, SECONDARY, BRANCH = "expressway", "arterial", "secondary", "branch"
CLASSES = (EXPRESSWAY, ARTERIAL, SECONDARY, BRANCH)

#: Upper speed bounds (km/h) of 严重, 中度, 轻度, 基本畅通 per class: v <= bound[0] is level 5, ...
SPEED_BOUNDS: dict[str, tuple[float, float, float, float]] = {
    EXPRESSWAY: (20.0, 35.0, 50.0, 65.0),
    ARTERIAL: (15.0, 20.0, 30.0, 40.0),
    SECONDARY: (10.0, 15.0, 25.0, 35.0),
    BRANCH: (10.0, 15.0, 25.0, 35.0),
}
#: Free-flow speed (km/h) when a segment has none of its own: roughly the design speed of the class.
FREE_FLOW: dict[str, float] = {EXPRESSWAY: 90.0, ARTERIAL: 55.0, SECONDARY: 45.0, BRANCH: 40.0}
#: Class weights standing in for relative flow (veh/h per lane-km of the class); our choice, see docs.
CLASS_WEIGHT: dict[str, float] = {EXPRESSWAY: 4.0, ARTERIAL: 3.0, SECONDARY: 2.0, BRANCH: 1.0}

#: Level 1..5 = 畅通, 基本畅通, 轻度拥堵, 中度拥堵, 严重拥堵
LEVELS = (1, 2, 3, 4, 5)
LEVEL_NAMES = {1: "畅通", 2: "基本畅通", 3: "轻度拥堵", 4: "中度拥堵", 5: "严重拥堵"}
LEVEL_COLOURS = {1: "#2e7d32", 2: "#9ccc65", 3: "#f2c200", 4: "#f07f00", 5: "#c62828"}
#: TPI level boundaries: [0, 2] 畅通, (2, 4] 基本畅通, (4, 6] 轻度, (6, 8] 中度, (8, 10] 严重.
TPI_BOUNDS = (2.0, 4.0, 6.0, 8.0)
#: (TTI, TPI) knots of the piecewise-linear mapping.
TTI_KNOTS = ((1.0, 0.0), (1.2, 2.0), (1.5, 4.0), (1.8, 6.0), (2.1, 8.0), (2.4, 10.0))
#: Below this speed a reading is taken as this speed (a stopped queue, and no division by zero).
MIN_SPEED = 1.0


def speed_level(road_class: str, speed: float) -> int:
    """Level 1 (畅通) .. 5 (严重拥堵) of a link of ``road_class`` at mean ``speed`` km/h."""
    try:
        bounds = SPEED_BOUNDS[road_class]
    except KeyError:
        raise ValueError(f"unknown road class {road_class!r}") from None
    if speed != speed or speed < 0:
        raise ValueError("speed must be a number >= 0")
    for i, bound in enumerate(bounds):
        if speed <= bound:
            return 5 - i
    return 1


def tpi_level(tpi: float) -> int:
    """Level 1..5 of a TPI value; a boundary value belongs to the lower level (2.0 is still 畅通)."""
    if tpi != tpi or tpi < 0:
        raise ValueError("TPI must be a number >= 0")
    for i, bound in enumerate(TPI_BOUNDS):
        if tpi <= bound:
            return i + 1
    return 5


def tti_to_tpi(tti: float) -> float:
    """TPI 0..10 from a travel-time index (>= 1; below 1 counts as 1)."""
    if tti != tti:
        raise ValueError("TTI must be a number")
    if tti <= TTI_KNOTS[0][0]:
        return 0.0
    for (x0, y0), (x1, y1) in zip(TTI_KNOTS, TTI_KNOTS[1:], strict=False):
        if tti <= x1:
            return y0 + (y1 - y0) * (tti - x0) / (x1 - x0)
    return 10.0


@dataclass(frozen=True)
class Link:
    road_class: str
    length_m: float
    free_flow_kmh: float
    speed_kmh: float


@dataclass(frozen=True)
class NetworkIndex:
    tpi: float
    level: int
    tti: float
    links: int
    length_km: float


def network_tti(links: Iterable[Link]) -> tuple[float, int, float]:
    """(TTI, number of links, km) of the links: weighted travel time over weighted free-flow travel time."""
    actual = free = km = 0.0
    n = 0
    for link in links:
        vf = link.free_flow_kmh
        if vf <= 0 or link.length_m <= 0:
            continue
        v = min(max(link.speed_kmh, MIN_SPEED), vf)
        w = CLASS_WEIGHT[link.road_class] * link.length_m
        actual += w / v
        free += w / vf
        km += link.length_m / 1000
        n += 1
    return (actual / free if free else 1.0), n, km


def network_index(links: Iterable[Link]) -> NetworkIndex | None:
    """The county TPI of the links (None when no link has data)."""
    tti, n, km = network_tti(links)
    if not n:
        return None
    tpi = round(tti_to_tpi(tti), 2)
    return NetworkIndex(tpi=tpi, level=tpi_level(tpi), tti=round(tti, 3), links=n, length_km=round(km, 3))
