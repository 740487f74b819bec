"""CMA meteorological warning signals (《气象灾害预警信号发布与传播办法》, 中国气象局令第16号, 2007, Annex).

The six types that can be judged from station data and forecasts are implemented here: 暴雨, 高温,
大风, 寒潮, 大雾 and 霾 (2013 revision). The others (台风, 暴雪, 沙尘暴, 干旱, 雷电, 冰雹, 霜冻, 道路结冰)
need a forecaster's judgement and are raised by hand; their codes are listed so they can be.

Codes follow the CMA alarm feed: type 01-14, level 01 blue … 04 red, signal = type + level (0201 =
暴雨蓝色). Thresholds are module-level data with the Annex's wording; "以上" in CMA texts includes the
number (≥). Each ``judge_*`` function takes the forecast values for the coming window (or observed
values when the phenomenon has reached them and may continue — the Annex's "或者已达…且可能持续") and
returns the highest signal that applies, or ``None``.

Wind is judged in Beaufort grades (GB/T 28591-2012 风力等级); ``beaufort()`` converts m/s.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

BLUE, YELLOW, ORANGE, RED = "blue", "yellow", "orange", "red"
LEVEL_CODES = {BLUE: "01", YELLOW: "02", ORANGE: "03", RED: "04"}
LEVEL_RANK = {BLUE: 1, YELLOW: 2, ORANGE: 3, RED: 4}
LEVEL_NAMES = {BLUE: _("Blue"), YELLOW: _("Yellow"), ORANGE: _("Orange"), RED: _("Red")}

TYPHOON, RAINSTORM, BLIZZARD, COLD_WAVE, GALE, SANDSTORM, HEAT = (
    "typhoon", "rainstorm", "blizzard", "cold_wave", "gale", "sandstorm", "heat")
DROUGHT, LIGHTNING, HAIL, FROST, FOG, HAZE, ROAD_ICING = (
    "drought", "lightning", "hail", "frost", "fog", "haze", "road_icing")

#: type -> (code, name, levels the type has)
TYPES = {
    TYPHOON: ("01", _("Typhoon"), (BLUE, YELLOW, ORANGE, RED)),
    RAINSTORM: ("02", _("Rainstorm"), (BLUE, YELLOW, ORANGE, RED)),
    BLIZZARD: ("03", _("Blizzard"), (BLUE, YELLOW, ORANGE, RED)),
    COLD_WAVE: ("04", _("Cold wave"), (BLUE, YELLOW, ORANGE, RED)),
    GALE: ("05", _("Gale"), (BLUE, YELLOW, ORANGE, RED)),
    SANDSTORM: ("06", _("Sandstorm"), (YELLOW, ORANGE, RED)),
    HEAT: ("07", _("High temperature"), (YELLOW, ORANGE, RED)),
    DROUGHT: ("08", _("Drought"), (ORANGE, RED)),
    LIGHTNING: ("09", _("Lightning"), (YELLOW, ORANGE, RED)),
    HAIL: ("10", _("Hail"), (ORANGE, RED)),
    FROST: ("11", _("Frost"), (BLUE, YELLOW, ORANGE)),
    FOG: ("12", _("Heavy fog"), (YELLOW, ORANGE, RED)),
    HAZE: ("13", _("Haze"), (YELLOW, ORANGE, RED)),
    ROAD_ICING: ("14", _("Road icing"), (YELLOW, ORANGE, RED)),
}
JUDGED = (RAINSTORM, COLD_WAVE, GALE, HEAT, FOG, HAZE)
MANUAL = tuple(k for k in TYPES if k not in JUDGED)


@dataclass(frozen=True)
class Signal:
    type: str
    level: str
    reason: str = ""

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"unknown signal type {self.type!r}")
        if self.level not in TYPES[self.type][2]:
            raise ValueError(f"{self.type} has no {self.level} level")

    @property
    def type_code(self) -> str:
        return TYPES[self.type][0]

    @property
    def level_code(self) -> str:
        return LEVEL_CODES[self.level]

    @property
    def code(self) -> str:
        return self.type_code + self.level_code

    @property
    def rank(self) -> int:
        return LEVEL_RANK[self.level]

    @property
    def name(self) -> str:
        return _("%(type)s %(level)s warning signal") % {"type": TYPES[self.type][1], "level": LEVEL_NAMES[self.level]}


# --- 暴雨 (02) ---------------------------------------------------------------------------------------
#: (level, window hours, rain ≥ mm): "N小时内降雨量将达X毫米以上，或者已达X毫米以上且降雨可能持续"
RAINSTORM_CRITERIA = ((RED, 3, 100), (ORANGE, 3, 50), (YELLOW, 6, 50), (BLUE, 12, 50))


def judge_rainstorm(rain_mm: dict[int, float | None]) -> Signal | None:
    """``rain_mm``: window hours (3, 6, 12) -> expected (or observed and continuing) rain total."""
    for level, hours, mm in RAINSTORM_CRITERIA:
        v = rain_mm.get(hours)
        if v is not None and v >= mm:
            return Signal(RAINSTORM, level, f"{hours} h rain {v:g} mm ≥ {mm} mm")
    return None


# --- 高温 (07) ---------------------------------------------------------------------------------------
HEAT_CRITERIA = ((RED, 40.0), (ORANGE, 37.0))  # 24 h maximum temperature ≥ (24小时内最高气温将升至X℃以上)
HEAT_YELLOW = (35.0, 3)  # daily maximum ≥ 35 ℃ on 3 consecutive days (连续三天日最高气温将在35℃以上)


def judge_heat(tmax_24h: float | None = None, daily_tmax: Sequence[float | None] = ()) -> Signal | None:
    """``tmax_24h``: highest temperature in the next 24 h; ``daily_tmax``: consecutive days' maxima
    (the days just observed followed by the forecast)."""
    if tmax_24h is not None:
        for level, t in HEAT_CRITERIA:
            if tmax_24h >= t:
                return Signal(HEAT, level, f"24 h Tmax {tmax_24h:g} ℃ ≥ {t:g} ℃")
    threshold, days = HEAT_YELLOW
    run = best = 0
    for v in daily_tmax:
        run = run + 1 if (v is not None and v >= threshold) else 0
        best = max(best, run)
    if best >= days:
        return Signal(HEAT, YELLOW, f"Tmax ≥ {threshold:g} ℃ on {best} consecutive days")
    return None


# --- 大风 (05) ---------------------------------------------------------------------------------------
#: (level, window hours, mean wind grade ≥, gust grade ≥)
GALE_CRITERIA = ((RED, 6, 12, 13), (ORANGE, 6, 10, 11), (YELLOW, 12, 8, 9), (BLUE, 24, 6, 7))

#: GB/T 28591-2012 upper bounds (m/s) of Beaufort grades 0..16; grade 17 is ≥ 56.1.
BEAUFORT_UPPER = (0.2, 1.5, 3.3, 5.4, 7.9, 10.7, 13.8, 17.1, 20.7, 24.4, 28.4, 32.6, 36.9, 41.4, 46.1, 50.9, 56.0)


def beaufort(speed_ms: float) -> int:
    """Beaufort grade of a wind speed (m/s); speeds between two published bounds (finer than 0.1 m/s)
    go to the higher grade."""
    if speed_ms < 0:
        raise ValueError("a wind speed cannot be negative")
    return sum(1 for upper in BEAUFORT_UPPER if speed_ms > upper)


def judge_gale(wind: dict[int, tuple[int | None, int | None]]) -> Signal | None:
    """``wind``: window hours (6, 12, 24) -> (largest mean-wind grade, largest gust grade) expected
    in that window (or observed and continuing)."""
    for level, hours, mean_g, gust_g in GALE_CRITERIA:
        mean, gust = wind.get(hours, (None, None))
        if (mean is not None and mean >= mean_g) or (gust is not None and gust >= gust_g):
            return Signal(GALE, level, f"{hours} h wind grade {mean}, gust {gust} (≥ {mean_g} or gust ≥ {gust_g})")
    return None


# --- 寒潮 (04) ---------------------------------------------------------------------------------------
#: (level, window hours, Tmin drop ≥ ℃, Tmin ≤ ℃, land mean wind grade ≥)
COLD_WAVE_CRITERIA = (
    (RED, 24, 16.0, 0.0, 6),
    (ORANGE, 24, 12.0, 0.0, 6),
    (YELLOW, 24, 10.0, 4.0, 6),
    (BLUE, 48, 8.0, 4.0, 5),
)


def judge_cold_wave(drop: dict[int, float | None], tmin: float | None, wind_grade: int | None) -> Signal | None:
    """``drop``: window hours (24, 48) -> fall of the minimum temperature in it (positive = colder);
    ``tmin``: the lowest minimum temperature expected; ``wind_grade``: land mean wind grade expected."""
    if tmin is None or wind_grade is None:
        return None
    for level, hours, min_drop, max_tmin, min_wind in COLD_WAVE_CRITERIA:
        d = drop.get(hours)
        if d is not None and d >= min_drop and tmin <= max_tmin and wind_grade >= min_wind:
            return Signal(COLD_WAVE, level, f"{hours} h Tmin drop {d:g} ℃, Tmin {tmin:g} ℃, wind grade {wind_grade}")
    return None


# --- 大雾 (12) ---------------------------------------------------------------------------------------
#: (level, window hours, visibility < m): "N小时内可能出现能见度小于X米的雾，或者已经出现…并将持续"
FOG_CRITERIA = ((RED, 2, 50), (ORANGE, 6, 200), (YELLOW, 12, 500))


def judge_fog(forecast_min_visibility: dict[int, float | None] | None = None,
              observed_visibility: float | None = None, continuing: bool = True) -> Signal | None:
    """Forecast lowest visibility (m) per window (2, 6, 12 h), and/or the observed visibility of a fog
    that will continue."""
    forecast = forecast_min_visibility or {}
    for level, hours, vis in FOG_CRITERIA:
        f = forecast.get(hours)
        if f is not None and f < vis:
            return Signal(FOG, level, f"{hours} h visibility {f:g} m < {vis} m")
        if continuing and observed_visibility is not None and observed_visibility < vis:
            return Signal(FOG, level, f"observed visibility {observed_visibility:g} m < {vis} m, continuing")
    return None


# --- 霾 (13), 2013 revision (24 h forecast window) ------------------------------------------------------
#: level -> alternatives (visibility < m, RH condition, PM2.5 > µg/m³ or None). RH: "<80", ">=80", None.
HAZE_2013_CRITERIA = (
    (RED, ((1000, "<80", None), (1000, ">=80", 250), (5000, None, 500))),
    (ORANGE, ((2000, "<80", None), (2000, ">=80", 150), (5000, None, 250))),
    (YELLOW, ((3000, "<80", None), (3000, ">=80", 115), (5000, None, 150))),
)
#: The 2007 Annex text (kept for the record; the 2013 revision replaced it): 12 h < 3000 m yellow,
#: 6 h < 2000 m orange.
HAZE_2007_CRITERIA = ((ORANGE, ((2000, None, None),)), (YELLOW, ((3000, None, None),)))
HAZE_RH_SPLIT = 80.0


def judge_haze(visibility: float | None, rh: float | None = None, pm25: float | None = None,
               criteria=HAZE_2013_CRITERIA) -> Signal | None:
    """Expected (24 h) or observed-and-continuing visibility (m), relative humidity (%) and PM2.5 (µg/m³).

    The 2013 criteria give PM2.5 as bands (115–150, 150–250, 250–500, > 500); we read each band's lower
    end as a strict lower bound, so a higher PM2.5 never gives a lower level.
    """
    if visibility is None:
        return None
    for level, alternatives in criteria:
        for vis, rh_cond, pm_above in alternatives:
            if not visibility < vis:
                continue
            if rh_cond is not None:
                if rh is None:
                    continue
                if rh_cond == "<80" and not rh < HAZE_RH_SPLIT:
                    continue
                if rh_cond == ">=80" and not rh >= HAZE_RH_SPLIT:
                    continue
            if pm_above is not None and (pm25 is None or not pm25 > pm_above):
                continue
            return Signal(HAZE, level, f"visibility {visibility:g} m, RH {rh}, PM2.5 {pm25}")
    return None


def highest(signals: Iterable[Signal | None]) -> Signal | None:
    """The highest-level signal among several (ties: the first given)."""
    best = None
    for s in signals:
        if s is not None and (best is None or s.rank > best.rank):
            best = s
    return best


def transition(previous: Signal | None, current: Signal | None) -> str:
    """``issue``, ``upgrade``, ``downgrade``, ``cancel`` or ``keep`` for one signal type."""
    if previous is not None and current is not None and previous.type != current.type:
        raise ValueError("compare signals of one type")
    if previous is None and current is None:
        return "keep"
    if previous is None:
        return "issue"
    if current is None:
        return "cancel"
    if current.rank == previous.rank:
        return "keep"
    return "upgrade" if current.rank > previous.rank else "downgrade"
