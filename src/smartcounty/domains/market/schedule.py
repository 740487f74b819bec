"""When a piece of special equipment is next due, from the rule of its kind. Pure date arithmetic, no ORM.

Elevators (TSG T7001-2023, 电梯监督检验和定期检验规则): counted from the date of first use, the
periodic inspection (定期检验, by an inspection body) falls in the 1st, 4th, 7th, 9th, 11th, 13th and 15th
year and every year after the 15th; in the other years the user has a self-test (自行检测) done. Each
obligation falls on an anniversary of first use. It may be done up to two months early without moving
the schedule: a test on or after ``anniversary - 2 months`` discharges that anniversary and the next
obligation is the following anniversary. A test more than two months early discharges nothing (this
platform's reading: the schedule stays anchored on first use and the coming obligation stays open).

Other kinds (TSG 08-2017 and each kind's inspection rule): a fixed interval in months the administrator
keeps per kind (``KindRule``), counted from the last passed inspection (or from first use); the user
applies for the periodic inspection one month before validity ends, which is when the reminder goes out.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date

#: Years after first use in which an elevator has a periodic inspection; every year after the last one too.
ELEVATOR_INSPECTION_YEARS = (1, 4, 7, 9, 11, 13, 15)
ELEVATOR_YEARLY_AFTER = 15
#: How early (months) a test may be done and still count for its anniversary.
EARLY_MONTHS = 2
#: Reminder lead: the user applies a month before validity ends (TSG 08-2017).
REMIND_MONTHS = 1

INSPECTION = "inspection"
SELF_TEST = "self_test"


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole months; a day past the month's end becomes its last day (31 Jan + 1 = 28/29 Feb)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, monthrange(year, month)[1]))


def anniversary(first_use: date, year: int) -> date:
    """The ``year``-th anniversary of first use (29 Feb falls on 28 Feb in common years)."""
    return add_months(first_use, 12 * year)


def elevator_task(year: int) -> str:
    """What the ``year``-th year after first use asks for: a periodic inspection or a self-test."""
    if year < 1:
        raise ValueError("obligations start in the first year after first use")
    if year in ELEVATOR_INSPECTION_YEARS or year > ELEVATOR_YEARLY_AFTER:
        return INSPECTION
    return SELF_TEST


@dataclass(frozen=True)
class Due:
    on: date
    task: str  # INSPECTION or SELF_TEST
    year: int = 0  # the year after first use (elevators), 0 for interval kinds


def elevator_year_after(first_use: date, last_done: date | None) -> int:
    """The year (1, 2, ...) of the first anniversary a test done on ``last_done`` does not discharge."""
    if last_done is None:
        return 1
    limit = add_months(last_done, EARLY_MONTHS)  # anniversaries on or before this are discharged
    year = max(1, limit.year - first_use.year - 1)
    while anniversary(first_use, year) <= limit:
        year += 1
    return year


def elevator_next(first_use: date, last_inspection: date | None = None, last_self_test: date | None = None) -> Due:
    """The next open obligation of an elevator first used on ``first_use``, given its last passed periodic
    inspection and its last passed self-test (None: none since first use). An inspection also discharges a
    self-test year; a self-test never discharges an inspection year, which stays open (overdue) until done."""
    latest = max((d for d in (last_inspection, last_self_test) if d is not None), default=None)
    any_test = elevator_year_after(first_use, latest)
    inspection = elevator_year_after(first_use, last_inspection)
    while elevator_task(inspection) != INSPECTION:
        inspection += 1
    year = min(inspection, any_test)
    return Due(anniversary(first_use, year), elevator_task(year), year)


def elevator_plan(first_use: date, years: int = 20) -> list[Due]:
    """The obligations of the first ``years`` years after first use."""
    return [Due(anniversary(first_use, y), elevator_task(y), y) for y in range(1, years + 1)]


def interval_next(first_use: date, last_done: date | None, months: int) -> Due:
    """The next periodic inspection of a kind with a fixed interval (months), from the last passed one."""
    if months < 1:
        raise ValueError("an interval is at least one month")
    return Due(add_months(last_done or first_use, months), INSPECTION)


def remind_on(due: date) -> date:
    return add_months(due, -REMIND_MONTHS)
