"""Heavy-pollution weather warnings (重污染天气预警): yellow / orange / red from daily AQI series.

The criteria are configuration data (``WarningScheme``). The default is the **Shandong 2022 revision,
draft for comment** (山东省重污染天气应急预案 2022 年修订征求意见稿, reported at
https://sd.news.163.com/22/1122/09/HMP260UH04379D5J.html), labelled as a draft: the final Shandong,
Liaocheng (聊城) and Guan County (冠县) criteria were not found (``standards-cn.md`` §2). Two other
published schemes are included for comparison: the 忻州 2020 plan and the MEP 2017 / 京津冀 2016
four-level scheme.

The series: consecutive 24-hour periods (a rolling 24 h mean may cross midnight), observed and
forecast together, each with its daily AQI, its primary pollutants and, where known, the largest
hourly AQI inside it. "AQI > X for N hours" means N/24 consecutive periods with AQI > X. A level
applies "only when the higher-level criteria are not met" (且未达到高级别预警条件): the highest level
met is returned.

O3: in the Shandong draft an episode whose primary pollutant is O3 is judged on its own single-level
rule (forecast daily AQI > 150 for ≥ 2 days → a yellow warning, no grading). We count a period as O3
when O3 is its only primary pollutant; the graded rules count the other periods.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

YELLOW, ORANGE, RED, BLUE = "yellow", "orange", "red", "blue"
#: Highest first; BLUE is used by the MEP 2017 four-level scheme only.
LEVEL_ORDER = (RED, ORANGE, YELLOW, BLUE)
LEVEL_RANK = {BLUE: 1, YELLOW: 2, ORANGE: 3, RED: 4}
LEVEL_NAMES = {
    BLUE: _("Blue heavy-pollution warning"),
    YELLOW: _("Yellow heavy-pollution warning"),
    ORANGE: _("Orange heavy-pollution warning"),
    RED: _("Red heavy-pollution warning"),
}


@dataclass(frozen=True)
class Sustained:
    """Daily AQI above ``above`` for at least ``hours`` consecutive hours (``reaches`` → ≥ instead of >)."""

    above: int
    hours: int
    reaches: bool = False

    def met_by(self, aqi: float | None) -> bool:
        if aqi is None:  # no valid daily AQI: the period breaks a run
            return False
        return aqi >= self.above if self.reaches else aqi > self.above


@dataclass(frozen=True)
class LevelRule:
    """All ``sustained`` conditions hold in one episode (and one hourly AQI > ``hourly_above``, if set).
    ``any_of`` lists alternatives: the level also applies when any alternative rule is met."""

    level: str
    sustained: tuple[Sustained, ...]
    hourly_above: int | None = None
    any_of: tuple["LevelRule", ...] = ()


@dataclass(frozen=True)
class WarningScheme:
    key: str
    title: object
    source: str
    draft: bool
    levels: tuple[LevelRule, ...]
    #: Single-level rule for O3-led episodes (None: O3 periods are graded like the others).
    o3_rule: Sustained | None = None
    o3_level: str = YELLOW
    step_hours: int = 24


SHANDONG_2022_DRAFT = WarningScheme(
    key="shandong-2022-draft",
    title=_("Shandong heavy-pollution plan, 2022 revision (draft for comment)"),
    source="https://sd.news.163.com/22/1122/09/HMP260UH04379D5J.html",
    draft=True,
    levels=(
        LevelRule(YELLOW, (Sustained(150, 48),), hourly_above=200),
        LevelRule(ORANGE, (Sustained(150, 72), Sustained(200, 24))),
        LevelRule(RED, (Sustained(200, 72), Sustained(300, 24))),
    ),
    o3_rule=Sustained(150, 48),
)

XINZHOU_2020 = WarningScheme(
    key="xinzhou-2020",
    title=_("Xinzhou heavy-pollution plan, 2020"),
    source="https://sthjj.sxxz.gov.cn/hdjl/zxts/202103/t20210316_3610894.html",
    draft=False,
    levels=(
        LevelRule(YELLOW, (Sustained(200, 48),)),
        LevelRule(ORANGE, (Sustained(200, 72),)),
        LevelRule(RED, (Sustained(200, 96), Sustained(300, 48)),
                  any_of=(LevelRule(RED, (Sustained(500, 24, reaches=True),)),)),
    ),
)

MEP_2017 = WarningScheme(
    key="mep-2017",
    title=_("MEP four-level scheme, 2017"),
    source="https://m.wenke99.com/p-9609601.html",
    draft=False,
    levels=(
        LevelRule(BLUE, (Sustained(200, 24),)),
        LevelRule(YELLOW, (Sustained(200, 48),)),
        LevelRule(ORANGE, (Sustained(200, 72), Sustained(300, 24))),
        LevelRule(RED, (Sustained(200, 96), Sustained(300, 48)),
                  any_of=(LevelRule(RED, (Sustained(500, 24, reaches=True),)),)),
    ),
)

SCHEMES = {s.key: s for s in (SHANDONG_2022_DRAFT, XINZHOU_2020, MEP_2017)}
DEFAULT_SCHEME = SHANDONG_2022_DRAFT


@dataclass(frozen=True)
class DailyAqi:
    """One 24-hour period of the series (``aqi`` None: no valid daily AQI for it)."""

    aqi: float | None
    primary: tuple[str, ...] = ()
    max_hourly_aqi: float | None = None
    start: date | datetime | None = None
    forecast: bool = False

    @property
    def o3_led(self) -> bool:
        return tuple(self.primary) == ("O3",)


@dataclass(frozen=True)
class Assessment:
    level: str | None
    scheme: str
    o3: bool = False  # issued under the O3 single-level rule
    #: indexes [first, last] of the periods of the episode that met the level
    episode: tuple[int, int] | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def name(self):
        return LEVEL_NAMES[self.level] if self.level else None


def _runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    runs, start = [], None
    for i, f in enumerate(flags):
        if f and start is None:
            start = i
        if not f and start is not None:
            runs.append((start, i - 1))
            start = None
    if start is not None:
        runs.append((start, len(flags) - 1))
    return runs


def _longest(series: Sequence[DailyAqi], lo: int, hi: int, cond: Sustained, use) -> int:
    best = cur = 0
    for i in range(lo, hi + 1):
        p = series[i]
        cur = cur + 1 if (use(p) and cond.met_by(p.aqi)) else 0
        best = max(best, cur)
    return best


def _rule_met(series, rule: LevelRule, step: int, use) -> tuple[int, int] | None:
    for alt in (rule, *rule.any_of):
        lowest = min(alt.sustained, key=lambda c: (c.above, not c.reaches))
        for lo, hi in _runs([use(p) and lowest.met_by(p.aqi) for p in series]):
            ok = all(_longest(series, lo, hi, c, use) * step >= c.hours for c in alt.sustained)
            if ok and alt.hourly_above is not None:
                ok = any(series[i].max_hourly_aqi is not None and series[i].max_hourly_aqi > alt.hourly_above
                         for i in range(lo, hi + 1))
            if ok:
                return lo, hi
    return None


def assess(series: Sequence[DailyAqi], scheme: WarningScheme = DEFAULT_SCHEME) -> Assessment:
    """The highest warning level the series meets under ``scheme`` (``level=None``: no warning)."""
    step = scheme.step_hours
    by_level = {r.level: r for r in scheme.levels}
    graded = (lambda p: not p.o3_led) if scheme.o3_rule else (lambda p: True)
    for level in LEVEL_ORDER:
        rule = by_level.get(level)
        if rule is None:
            continue
        episode = _rule_met(series, rule, step, graded)
        if episode:
            return Assessment(level, scheme.key, False, episode, (f"{level}: {_describe(rule)}",))
    if scheme.o3_rule is not None:
        o3 = LevelRule(scheme.o3_level, (scheme.o3_rule,))
        episode = _rule_met(series, o3, step, lambda p: p.o3_led)
        if episode:
            return Assessment(scheme.o3_level, scheme.key, True, episode, (f"O3: {_describe(o3)}",))
    return Assessment(None, scheme.key)


def _describe(rule: LevelRule) -> str:
    parts = [f"AQI {'≥' if c.reaches else '>'} {c.above} for {c.hours} h" for c in rule.sustained]
    if rule.hourly_above is not None:
        parts.append(f"hourly AQI > {rule.hourly_above}")
    text = " and ".join(parts)
    for alt in rule.any_of:
        text += " or " + _describe(alt)
    return text


def transition(previous: str | None, current: str | None) -> str:
    """What to do with the alert: ``issue``, ``upgrade``, ``downgrade``, ``lift`` or ``keep``."""
    if previous == current:
        return "keep"
    if previous is None:
        return "issue"
    if current is None:
        return "lift"
    return "upgrade" if LEVEL_RANK[current] > LEVEL_RANK[previous] else "downgrade"
