"""HJ 633 tables as data: IAQI breakpoints (2012 and 2026) and the AQI level/category/colour table.

Sources (see also ``/work/shared/docs/standards-cn.md`` §1):

* HJ 633-2012 《环境空气质量指数(AQI)技术规定(试行)》 Table 1 (空气质量分指数及对应的污染物项目
  浓度限值) and its notes 1-3; Table 2 (空气质量指数及相关信息) and Appendix A (表示颜色).
* HJ 633-2026 《环境空气质量指数(AQI)技术规定》 Table 3, in force from 2026-03-01 (MEE release page
  https://www.mee.gov.cn/ywgz/fgbz/bz/bzwb/jcffbz/202602/t20260225_1144441.shtml): only the PM2.5 and
  PM10 24-hour columns change; the over-800 rules become fixed sub-indices (SO2 1 h > 800 gives 200,
  O3 8 h > 800 gives 300).

The SO2 24-hour column is 50/150/475/800/1600/2100/2620 (the GB 3095 Class I/II 24 h limits sit at
IAQI 50/100). One widely copied library uses the 1-hour values 150/500/650/800 there; that is wrong.

Units: µg/m³, except CO in mg/m³.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

HJ633_2012 = "HJ633-2012"
HJ633_2026 = "HJ633-2026"
VERSIONS = (HJ633_2012, HJ633_2026)

#: IAQI values of the breakpoint rows (HJ 633-2012 Table 1 / HJ 633-2026 Table 3, first column).
IAQI_ROWS = (0, 50, 100, 150, 200, 300, 400, 500)

# Measures: pollutant + averaging period. PM10/PM2.5 have only a 24-hour column; the real-time
# (hourly) report evaluates their 1-hour values against it (HJ 633-2026 real-time report; the
# national platform did the same under 2012).
SO2_24H, SO2_1H = "SO2_24H", "SO2_1H"
NO2_24H, NO2_1H = "NO2_24H", "NO2_1H"
PM10_24H, PM10_1H = "PM10_24H", "PM10_1H"
PM2_5_24H, PM2_5_1H = "PM2_5_24H", "PM2_5_1H"
CO_24H, CO_1H = "CO_24H", "CO_1H"
O3_1H, O3_8H = "O3_1H", "O3_8H"

SO2, NO2, PM10, PM2_5, CO, O3 = "SO2", "NO2", "PM10", "PM2_5", "CO", "O3"
POLLUTANTS = (SO2, NO2, PM10, PM2_5, CO, O3)

#: measure -> pollutant
POLLUTANT_OF = {
    SO2_24H: SO2, SO2_1H: SO2, NO2_24H: NO2, NO2_1H: NO2, PM10_24H: PM10, PM10_1H: PM10,
    PM2_5_24H: PM2_5, PM2_5_1H: PM2_5, CO_24H: CO, CO_1H: CO, O3_1H: O3, O3_8H: O3,
}

#: measure -> the breakpoint column it is evaluated against
COLUMN_OF = {**{m: m for m in POLLUTANT_OF}, PM10_1H: PM10_24H, PM2_5_1H: PM2_5_24H}

#: Display names (chemical formulae are not translated).
POLLUTANT_LABELS = {SO2: "SO₂", NO2: "NO₂", PM10: "PM₁₀", PM2_5: "PM₂.₅", CO: "CO", O3: "O₃"}

# HJ 633-2012 Table 1. A column shorter than IAQI_ROWS stops at that row (notes 2 and 3: SO2 1 h and
# O3 8 h end at 800, IAQI 200 and 300 respectively).
BREAKPOINTS_2012: dict[str, tuple[float, ...]] = {
    SO2_24H: (0, 50, 150, 475, 800, 1600, 2100, 2620),
    SO2_1H: (0, 150, 500, 650, 800),
    NO2_24H: (0, 40, 80, 180, 280, 565, 750, 940),
    NO2_1H: (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    PM10_24H: (0, 50, 150, 250, 350, 420, 500, 600),
    CO_24H: (0, 2, 4, 14, 24, 36, 48, 60),
    CO_1H: (0, 5, 10, 35, 60, 90, 120, 150),
    O3_1H: (0, 160, 200, 300, 400, 800, 1000, 1200),
    O3_8H: (0, 100, 160, 215, 265, 800),
    PM2_5_24H: (0, 35, 75, 115, 150, 250, 350, 500),
}

# HJ 633-2026 Table 3: PM2.5 24 h IAQI 100 at 60 (was 75), PM10 24 h IAQI 100 at 120 (was 150).
# PM2.5 at IAQI 50 is 35 in the final text (the 2025-12-15 consultation draft had 30; see
# ``AqiConfig.pm25_2026_iaqi50`` to reproduce the draft).
BREAKPOINTS_2026: dict[str, tuple[float, ...]] = {
    **BREAKPOINTS_2012,
    PM10_24H: (0, 50, 120, 250, 350, 420, 500, 600),
    PM2_5_24H: (0, 35, 60, 115, 150, 250, 350, 500),
}

BREAKPOINTS = {HJ633_2012: BREAKPOINTS_2012, HJ633_2026: BREAKPOINTS_2026}

#: The over-800 rules (HJ 633-2012 Table 1 notes 2/3; HJ 633-2026 Table 3 notes). For 2012, ``None``
#: means "no IAQI from this measure; report the pollutant from the fallback measure instead".
#: For 2026 the value is the fixed IAQI.
OVER_TOP_RULES = {
    HJ633_2012: {SO2_1H: ("fallback", SO2_24H), O3_8H: ("fallback", O3_1H)},
    HJ633_2026: {SO2_1H: ("fixed", 200), O3_8H: ("fixed", 300)},
}


@dataclass(frozen=True)
class Category:
    """One row of HJ 633-2012 Table 2 / Appendix A (unchanged in 2026)."""

    level: int  # 1..6
    aqi_low: int
    aqi_high: int  # inclusive; 500 for the last row (AQI is capped at 500)
    level_name: object  # lazy gettext
    name: object  # 优, 良, ...
    colour_name: object
    rgb: tuple[int, int, int]
    #: HJ 633-2012 Table 2 columns 对健康影响情况 and 建议采取的措施 (lazy gettext; Chinese = the standard's text)
    health_effect: object = ""
    advice: object = ""

    @property
    def hex(self) -> str:
        return "#{:02X}{:02X}{:02X}".format(*self.rgb)


CATEGORIES = (
    Category(1, 0, 50, _("Level I"), _("Excellent"), _("Green"), (0, 228, 0),
             _("Air quality is satisfactory; there is basically no air pollution."),
             _("Everyone can go on with normal activities.")),
    Category(2, 51, 100, _("Level II"), _("Good"), _("Yellow"), (255, 255, 0),
             _("Air quality is acceptable, but some pollutants may have a weak effect on the health of a very "
               "few unusually sensitive people."),
             _("The very few unusually sensitive people should reduce outdoor activity.")),
    Category(3, 101, 150, _("Level III"), _("Lightly polluted"), _("Orange"), (255, 126, 0),
             _("Symptoms of susceptible people are slightly aggravated; healthy people show irritation "
               "symptoms."),
             _("Children, the elderly and people with heart or respiratory disease should reduce long or "
               "strenuous outdoor exercise.")),
    Category(4, 151, 200, _("Level IV"), _("Moderately polluted"), _("Red"), (255, 0, 0),
             _("Symptoms of susceptible people are further aggravated; the hearts and respiratory systems of "
               "healthy people may be affected."),
             _("Children, the elderly and people with heart or respiratory disease should avoid long or "
               "strenuous outdoor exercise; everyone else should reduce outdoor exercise somewhat.")),
    # Chinese purple 153,0,76 (not the US EPA 143,63,151).
    Category(5, 201, 300, _("Level V"), _("Heavily polluted"), _("Purple"), (153, 0, 76),
             _("Symptoms of people with heart or lung disease are markedly aggravated and their exercise "
               "tolerance falls; healthy people commonly show symptoms."),
             _("Children, the elderly and people with heart or lung disease should stay indoors and stop "
               "outdoor exercise; everyone else should reduce outdoor exercise.")),
    Category(6, 301, 500, _("Level VI"), _("Severely polluted"), _("Maroon"), (126, 0, 35),
             _("The exercise tolerance of healthy people falls, with marked, strong symptoms; some diseases "
               "appear early."),
             _("Children, the elderly and the sick should stay indoors and avoid physical exertion; everyone "
               "else should avoid outdoor activity.")),
)


def category_for(aqi: float) -> Category:
    """The category of an AQI value. Integer AQI uses the table's ranges; a fractional AQI (rounding
    switched off) belongs to the lowest row whose upper bound it does not exceed."""
    if aqi < 0:
        raise ValueError("AQI cannot be negative")
    for cat in CATEGORIES:
        if aqi <= cat.aqi_high:
            return cat
    return CATEGORIES[-1]
