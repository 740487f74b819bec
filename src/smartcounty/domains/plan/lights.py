"""督办 lights on the county's working-day calendar.

A task not yet reported done is **red** once its deadline has passed, **yellow** from three working days
before its deadline (the deadline is within the next three working days, or is today), and **green**
otherwise; a reported or evaluated task is green. An action's light is the worst of its open tasks'.
``horizon(today)`` is the last deadline that is yellow today, so lights are date comparisons in SQL too.
"""

from datetime import date, timedelta

GREEN, YELLOW, RED, NONE = "green", "yellow", "red", "none"
ORDER = {NONE: 0, GREEN: 1, YELLOW: 2, RED: 3}
WARN_WORKING_DAYS = 3


def horizon(today: date, is_working_day, days: int = WARN_WORKING_DAYS) -> date:
    """The day ``days`` working days after ``today`` (a deadline up to it is yellow today)."""
    day, left = today, days
    for _ in range(400):
        if left == 0:
            return day
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    raise ValueError("no working days in the calendar")


def light(deadline: date, today: date, limit: date, *, done: bool) -> str:
    """The light of one task: ``limit`` is ``horizon(today)``."""
    if done:
        return GREEN
    if deadline < today:
        return RED
    if deadline <= limit:
        return YELLOW
    return GREEN


def worst(lights) -> str:
    out = NONE
    for one in lights:
        if ORDER[one] > ORDER[out]:
            out = one
    return out
