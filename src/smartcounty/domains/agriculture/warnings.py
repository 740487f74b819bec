"""Field warnings as pure functions.

- Pest traps: the catch of the last 24 hours against the trap's daily threshold (防治指标): at the threshold
  yellow (2), at twice it orange (3).
- Frost (霜冻, 中国气象局令第16号 预警信号): the lowest temperature of the last 24 hours at or below 0 ℃ blue,
  -3 ℃ yellow, -5 ℃ orange; the signal itself is the weather module's ``Signal`` (type 11).
- Drought of the soil (GB/T 32136-2015 农业干旱等级, table 1, 土壤相对湿度 R in %): R > 60 none,
  50 < R ≤ 60 light (1), 40 < R ≤ 50 moderate (2), 30 < R ≤ 40 severe (3), R ≤ 30 extreme (4).
"""

from smartcounty.domains.weather import services as weather

#: the CMA signal type of frost (霜冻, type code 11) in the weather module's table
FROST = "frost"
FROST_CRITERIA = ((weather.ORANGE, -5.0), (weather.YELLOW, -3.0), (weather.BLUE, 0.0))
#: GB/T 32136-2015 table 1: (level, upper bound of R for that level)
DROUGHT_LEVELS = ((4, 30.0), (3, 40.0), (2, 50.0), (1, 60.0))
DROUGHT_NAMES = {1: "轻旱", 2: "中旱", 3: "重旱", 4: "特旱"}


def pest_level(catch_24h: float | None, threshold: float | None) -> int:
    if catch_24h is None or not threshold or threshold <= 0:
        return 0
    if catch_24h >= 2 * threshold:
        return 3
    if catch_24h >= threshold:
        return 2
    return 0


def frost_signal(tmin_24h: float | None):
    """The frost warning signal (weather ``Signal``) the lowest temperature calls for, or None."""
    if tmin_24h is None:
        return None
    for level, t in FROST_CRITERIA:
        if tmin_24h <= t:
            return weather.Signal(FROST, level, f"24 h Tmin {tmin_24h:g} ℃ ≤ {t:g} ℃")
    return None


def drought_level(relative_moisture: float | None) -> int:
    if relative_moisture is None:
        return 0
    for level, upper in DROUGHT_LEVELS:
        if relative_moisture <= upper:
            return level
    return 0
