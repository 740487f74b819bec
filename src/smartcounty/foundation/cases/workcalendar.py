"""Working time: the county's working-day calendar and working-hours arithmetic.

A working day is Monday to Friday, minus public holidays, plus make-up working days (调休上班)
on weekends, as the State Council publishes them each year (shipped in ``data/holidays_cn.json``
for 2025 and 2026, editable per year in the admin as ``CalendarDay`` rows). Within a working day
the offices work two periods, 08:30-12:00 and 13:30-17:30 Beijing time: 7.5 working hours.

Time limits are working seconds: ``Limit(4, "hours")`` is 4 working hours,
``Limit(2, "days")`` is 2 × 7.5 working hours, so a two-day limit started on Monday 10:00 ends on
Wednesday 10:00 and one started on a Saturday ends at 17:30 on the next working day but one.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
WORK_PERIODS: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
DATA_FILE = Path(__file__).resolve().parent / "data" / "holidays_cn.json"


def _period_seconds(periods) -> int:
    return sum((datetime.combine(date.min, b) - datetime.combine(date.min, a)).seconds for a, b in periods)


WORKDAY_SECONDS = _period_seconds(WORK_PERIODS)


def limit_seconds(amount: float, unit: str) -> int:
    """A time limit in working seconds (``unit``: ``hours`` or ``days``, both working)."""
    if unit == "hours":
        return int(round(amount * 3600))
    if unit == "days":
        return int(round(amount * WORKDAY_SECONDS))
    raise ValueError(f"unknown time-limit unit {unit!r}")


def shipped_days() -> list[tuple[date, str, str, str]]:
    """(date, kind, name, source) for every day in the shipped official schedules."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    out = []
    for _year, spec in sorted(data["years"].items()):
        for kind in ("holiday", "workday"):
            for day, name in spec[kind]:
                out.append((date.fromisoformat(day), kind, name, spec["source"]))
    return out


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    periods: tuple[tuple[time, time], ...] = WORK_PERIODS

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def _spans(self, day: date):
        for a, b in self.periods:
            yield datetime.combine(day, a, BEIJING), datetime.combine(day, b, BEIJING)

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant when ``seconds`` of working time have passed since ``start``."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        remaining = float(seconds)
        local = start.astimezone(BEIJING)
        day = local.date()
        if remaining <= 0:
            return start
        for _ in range(3660):  # ten years of days: a limit never runs that long
            if self.is_working_day(day):
                for a, b in self._spans(day):
                    begin = max(a, local)
                    if begin >= b:
                        continue
                    available = (b - begin).total_seconds()
                    if remaining <= available:
                        return (begin + timedelta(seconds=remaining)).astimezone(start.tzinfo)
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("time limit too long")

    def between(self, start: datetime, end: datetime) -> float:
        """Working seconds from ``start`` to ``end`` (negative when ``end`` is earlier)."""
        if end < start:
            return -self.between(end, start)
        a_local, b_local = start.astimezone(BEIJING), end.astimezone(BEIJING)
        total = 0.0
        day = a_local.date()
        while day <= b_local.date():
            if self.is_working_day(day):
                for a, b in self._spans(day):
                    lo, hi = max(a, a_local), min(b, b_local)
                    if hi > lo:
                        total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total
