"""Incident detection on a detector's speed series: the standard normal deviate (SND) algorithm.

Dudek, Messer and Nuckles (1974), "Incident detection on urban freeways", Transportation Research
Record 495: at each interval the detector's value is compared with the mean and standard deviation of
the preceding ``n`` intervals; an incident is declared when the deviate passes a threshold for ``m``
consecutive intervals (two, in the original, to suppress single-interval noise). The original ran on
occupancy; here it runs on speed, so the deviate is a drop: SND = (mean - speed) / sd.

While an incident is declared the reference (mean, sd) is frozen at its value before the drop, and the
incident clears when speed is back to ``clear_share`` of that mean for ``m`` intervals (a rule of ours:
SND itself only declares). ``sd`` has a floor, as a flat series would otherwise make any wobble a
deviate. The peer is a fixed threshold (``threshold_alarms``): an incident whenever speed is below
a share of the free-flow speed for ``m`` intervals.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SndParams:
    window: int = 10  # n: intervals in the reference (1-minute detector intervals: 10 minutes)
    threshold: float = 3.0  # deviates below the reference mean
    persistence: int = 2  # m: consecutive intervals
    sd_floor: float = 3.0  # km/h
    clear_share: float = 0.8


@dataclass(frozen=True)
class Alarm:
    start: int  # index of the interval at which the incident was declared
    end: int | None  # index at which it cleared (None: still active at the end of the series)
    baseline: float  # reference mean speed before the drop
    speed: float  # speed at declaration


def _mean_sd(vals: Sequence[float]) -> tuple[float, float]:
    n = len(vals)
    mean = sum(vals) / n
    var = sum((v - mean) ** 2 for v in vals) / (n - 1) if n > 1 else 0.0
    return mean, math.sqrt(var)


def snd_alarms(speeds: Sequence[float | None], params: SndParams = SndParams()) -> list[Alarm]:
    """Alarms over a series of interval speeds (None: no reading, skipped without breaking a run)."""
    p = params
    ref: list[float] = []
    alarms: list[Alarm] = []
    run = clear_run = 0
    active: tuple[int, float, float] | None = None  # (start, mean, speed)
    frozen: tuple[float, float] | None = None
    for i, v in enumerate(speeds):
        if v is None:
            continue
        if active is not None:
            clear_run = clear_run + 1 if v >= p.clear_share * active[1] else 0
            if clear_run >= p.persistence:
                alarms.append(Alarm(active[0], i, active[1], active[2]))
                active, run, clear_run, ref = None, 0, 0, []
            continue
        if len(ref) >= p.window:
            mean, sd = frozen if run and frozen else _mean_sd(ref[-p.window:])
            sd = max(sd, p.sd_floor)
            if (mean - v) / sd >= p.threshold:
                if run == 0:
                    frozen = (mean, sd)
                run += 1
                if run >= p.persistence:
                    active = (i, frozen[0], v)
                    clear_run = 0
                continue  # a deviating reading does not enter the reference
            run, frozen = 0, None
        ref.append(v)
        if len(ref) > p.window * 4:
            del ref[: -p.window]
    if active is not None:
        alarms.append(Alarm(active[0], None, active[1], active[2]))
    return alarms


def threshold_alarms(speeds: Sequence[float | None], free_flow: float, *, share: float = 0.5,
                     persistence: int = 2) -> list[Alarm]:
    """The naive peer: an incident while speed < ``share`` x free-flow for ``persistence`` intervals."""
    alarms: list[Alarm] = []
    run = ok = 0
    active: tuple[int, float] | None = None
    limit = share * free_flow
    for i, v in enumerate(speeds):
        if v is None:
            continue
        if active is None:
            run = run + 1 if v < limit else 0
            if run >= persistence:
                active, ok = (i, v), 0
        else:
            ok = ok + 1 if v >= limit else 0
            if ok >= persistence:
                alarms.append(Alarm(active[0], i, free_flow, active[1]))
                active, run = None, 0
    if active is not None:
        alarms.append(Alarm(active[0], None, free_flow, active[1]))
    return alarms


@dataclass(frozen=True)
class Score:
    incidents: int
    detected: int
    false_alarms: int
    decisions: int
    mean_time_to_detect: float | None  # intervals

    @property
    def detection_rate(self) -> float:
        return self.detected / self.incidents if self.incidents else 0.0

    @property
    def false_alarm_rate(self) -> float:
        """False alarms per decision (one decision per detector interval), the literature's FAR."""
        return self.false_alarms / self.decisions if self.decisions else 0.0


def score(truth: Sequence[tuple[int, int]], alarms: Sequence[Alarm], decisions: int, *, grace: int = 5) -> tuple:
    """Match alarms against true incidents (start, end) of one series: an alarm declared inside
    [start, end + grace) detects the incident; other alarms are false. Returns (detected, false, delays)."""
    detected, delays, used = 0, [], set()
    for s, e in truth:
        hit = next((a for a in alarms if s <= a.start < e + grace and id(a) not in used), None)
        if hit is not None:
            used.add(id(hit))
            detected += 1
            delays.append(hit.start - s)
    false = sum(1 for a in alarms if id(a) not in used
                and not any(s <= a.start < e + grace for s, e in truth))
    return detected, false, delays
