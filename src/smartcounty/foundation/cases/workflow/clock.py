"""A case's clocks as people see them: time left in its state and of its legal limit, and the warning level.

Levels: ``green``; ``yellow`` once the reminder point of the state's limit (``CaseType.remind_at``) or of the
legal limit has passed; ``red`` at or after a limit; ``paused`` while the case is in a state whose time does not
count (补正, 公示, 专家评审); ``none`` without a limit. Remaining times are working seconds (natural seconds for
limits in natural days).
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from smartcounty.foundation.cases import engine


@dataclass(frozen=True)
class Clock:
    due_at: datetime | None
    remaining_seconds: float | None
    legal_due_at: datetime | None
    legal_remaining_seconds: float | None
    paused: bool
    level: str


def clock(case, now=None) -> Clock:
    now = now or timezone.now()
    cal = engine.calendar()
    ct = engine.type_of(case)
    try:
        limit = ct.limit_for(case.state, case.category)
    except KeyError:
        limit = None
    natural = engine._natural(limit)
    left = engine._left(cal, now, case.due_at, natural) if case.due_at else None
    legal_limit = ct.legal_limit_for(case.category)
    legal_natural = engine._natural(legal_limit)
    if case.legal_due_at is not None and case.legal_remaining is None:
        legal_left = engine._left(cal, now, case.legal_due_at, legal_natural)
    else:
        legal_left = case.legal_remaining
    if case.paused:
        level = "paused"
    elif (left is not None and left <= 0) or (legal_left is not None and legal_left <= 0 and not case.is_closed):
        level = "red"
    elif (case.due_at is None and case.legal_due_at is None) or case.is_closed:
        level = "none"
    else:
        yellow = case.remind_at is not None and now >= case.remind_at
        if legal_left is not None and legal_limit is not None:
            yellow = yellow or legal_left <= engine._seconds(legal_limit) * (1 - ct.remind_at)
        level = "yellow" if yellow else "green"
    return Clock(case.due_at, left, case.legal_due_at, legal_left, case.paused, level)
