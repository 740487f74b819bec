"""The built-in rule kinds: threshold, multi-level thresholds, rate of change, no data.

Each evaluator is a pure function of (parameters, its own memo, the level in force, the value) that
returns the level the condition asks for; the engine adds ``duration`` (sustain before raising) and
stores the memo. Hysteresis lives here because only the kind knows its thresholds: "above 100" is raised by a
value above 100 and, with a hysteresis of 5, cleared only by a value at or below 95 (at or below 100
without hysteresis), so a value hovering at a threshold does not flap.

Levels are 1 blue, 2 yellow, 3 orange, 4 red (the four colours of the CMA warning signals and of the
heavy-pollution warning scheme).
"""

from typing import Literal

from pydantic import Field, model_validator

from smartcounty.foundation.alerts.schemas import RuleKind, RuleParams

# ---- threshold -----------------------------------------------------------------------------------


class ThresholdParams(RuleParams):
    op: Literal["above", "below", "between", "outside"] = "above"
    value: float | None = None
    low: float | None = None
    high: float | None = None
    hysteresis: float = Field(0, ge=0)

    @model_validator(mode="after")
    def _check(self):
        if self.op in ("above", "below"):
            if self.value is None:
                raise ValueError(f"'{self.op}' needs 'value'")
        elif self.low is None or self.high is None or not self.low < self.high:
            raise ValueError(f"'{self.op}' needs 'low' < 'high'")
        return self


def threshold_holds(p: ThresholdParams, active: bool, v: float) -> bool:
    """Does the condition hold for ``v``? While ``active`` the band is widened by the hysteresis."""
    h = p.hysteresis if active else 0.0
    if p.op == "above":
        return v > p.value - h
    if p.op == "below":
        return v < p.value + h
    if p.op == "between":
        return p.low - h <= v <= p.high + h
    return v < p.low + h or v > p.high - h  # outside


def evaluate_threshold(p: ThresholdParams, memo: dict, level: int, rule_level: int, t: float, v):
    if v is None:
        return None
    return rule_level if threshold_holds(p, level > 0, v) else 0


# ---- multi-level ---------------------------------------------------------------------------------


class MultiLevelParams(RuleParams):
    direction: Literal["above", "below"] = "above"
    #: Thresholds of blue, yellow, orange, red (null: the rule has no such level); monotonic.
    levels: list[float | None] = Field(min_length=4, max_length=4)
    hysteresis: float = Field(0, ge=0)

    @model_validator(mode="after")
    def _check(self):
        given = [t for t in self.levels if t is not None]
        if not given:
            raise ValueError("at least one level needs a threshold")
        ordered = sorted(given) if self.direction == "above" else sorted(given, reverse=True)
        if given != ordered or len(set(given)) != len(given):
            raise ValueError("thresholds must rise from blue to red (fall, for 'below')")
        return self


def multi_level_of(p: MultiLevelParams, v: float, slack: float = 0.0) -> int:
    """Highest level whose threshold ``v`` passes (with ``slack`` of hysteresis in its favour)."""
    found = 0
    for code, t in enumerate(p.levels, 1):
        if t is None:
            continue
        if (p.direction == "above" and v > t - slack) or (p.direction == "below" and v < t + slack):
            found = code
    return found


def evaluate_multi_level(p: MultiLevelParams, memo: dict, level: int, rule_level: int, t: float, v):
    if v is None:
        return None
    raw = multi_level_of(p, v)
    if raw >= level:
        return raw
    # Going down: keep each level in force until the value is past its threshold by the hysteresis.
    return max(raw, min(level, multi_level_of(p, v, p.hysteresis) if p.hysteresis else raw))


# ---- rate of change ------------------------------------------------------------------------------

RATE_UNITS = {"minute": 60.0, "hour": 3600.0}
MAX_SAMPLES = 512


class RateParams(RuleParams):
    #: |rate| limit, in the datastream's unit per ``per``.
    limit: float = Field(gt=0)
    per: Literal["minute", "hour"] = "hour"
    #: The rate is measured between the oldest and newest observation in this window (seconds).
    window: float = Field(3600, gt=0, le=7 * 86400)
    direction: Literal["rise", "fall", "either"] = "rise"
    hysteresis: float = Field(0, ge=0)


def rate_in_window(samples: list, per: str) -> float | None:
    if len(samples) < 2:
        return None
    (t0, v0), (t1, v1) = samples[0], samples[-1]
    if t1 <= t0:
        return None
    return (v1 - v0) / (t1 - t0) * RATE_UNITS[per]


def evaluate_rate(p: RateParams, memo: dict, level: int, rule_level: int, t: float, v):
    """The rate between the oldest sample in the window and ``(t, v)``. The window keeps samples at least
    ``window / MAX_SAMPLES`` apart (a reading every second in an hour's window keeps one every 7 s), so
    its memory is bounded and the oldest sample is never more than that much younger than the window's
    start, whatever the reading rate."""
    if v is None:
        return None
    # The window, kept in time order and updated in place: drop what fell out of it, add ``(t, v)``.
    w = memo.get("w")
    if w is None:
        w = memo["w"] = []
    if w:
        lo = t - p.window
        if w[-1][0] >= t:  # not newer than the window's end (the engine never asks this): filter it all
            w[:] = [s for s in w if lo <= s[0] < t]
        elif w[0][0] < lo:
            i = 1
            n = len(w)
            while i < n and w[i][0] < lo:
                i += 1
            del w[:i]
    if not w or t - w[-1][0] >= p.window / MAX_SAMPLES:
        w.append([t, v])
    t0, v0 = w[0]
    if t <= t0:
        return None
    rate = (v - v0) / (t - t0) * RATE_UNITS[p.per]
    signed = rate if p.direction == "rise" else -rate if p.direction == "fall" else abs(rate)
    memo["rate"] = rate
    holds = signed > (p.limit - p.hysteresis if level > 0 else p.limit)
    return rule_level if holds else 0


# ---- no data -------------------------------------------------------------------------------------


class NoDataParams(RuleParams):
    """Driven by sensing's offline/online events: a datastream is offline once silent for longer than its
    expected interval, so ``duration`` is already part of the event (it must stay 0 here)."""

    duration: float = Field(0, ge=0, le=0)


def evaluate_no_data(p: NoDataParams, memo: dict, level: int, rule_level: int, online: bool):
    return 0 if online else rule_level


THRESHOLD = RuleKind("threshold", "阈值", "Threshold", ThresholdParams, evaluate=evaluate_threshold,
                     description="above / below / between / outside a value, sustained for a duration")
MULTI_LEVEL = RuleKind("multi_level", "分级阈值", "Multi-level thresholds", MultiLevelParams,
                       evaluate=evaluate_multi_level, multi_level=True,
                       description="blue / yellow / orange / red thresholds")
RATE = RuleKind("rate", "变化率", "Rate of change", RateParams, evaluate=evaluate_rate,
                description="change per minute or per hour over a window")
NO_DATA = RuleKind("no_data", "数据中断", "No data", NoDataParams, evaluate_health=evaluate_no_data,
                   description="the datastream went silent for longer than its expected interval")

BUILT_IN = (THRESHOLD, MULTI_LEVEL, RATE, NO_DATA)
