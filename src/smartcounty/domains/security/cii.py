"""等级保护 (multi-level protection, GB/T 22239-2019) assessment intervals: when a system's next 等级测评 is due.

Sources (see docs/security.md):

- 《信息安全等级保护管理办法》(公通字〔2007〕43号) 第十四条: a level-3 system is assessed at least once a year,
  a level-4 system at least every half year, a level-5 system as its special security needs require.
- 《网络安全等级保护条例（征求意见稿）》(2018) 第二十一条: networks of level 3 and above are assessed at least once
  a year (the same yearly floor for level 3; it names no shorter interval for 4).
- Level 2: neither text sets an interval; the common practice of provincial 网信/公安 guidance and assessors is
  an assessment every two years. That is taken here, and marked as practice, not law.
- Level 1: self-protection; no assessment is required, so nothing falls due.
- Level 5: the stricter known interval (half a year) is taken until its special requirements say otherwise.
"""

import calendar
from datetime import date

#: Months between two assessments, by protection level (None: none required).
INTERVAL_MONTHS = {1: None, 2: 24, 3: 12, 4: 6, 5: 6}
#: Days before the due date from which a system counts as due soon.
DUE_SOON_DAYS = 30


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(level: int, assessed_on: date | None, *, registered_on: date | None = None) -> date | None:
    """The date by which the next assessment is due: an interval after the last one. A system of level 2 or
    more never assessed is due at once (``registered_on``, else today's caller decides: None → due now)."""
    if level not in INTERVAL_MONTHS:
        raise ValueError(f"protection level must be 1 to 5, not {level!r}")
    months = INTERVAL_MONTHS[level]
    if months is None:
        return None
    if assessed_on is None:
        return registered_on or date.today()
    return add_months(assessed_on, months)


def state(due: date | None, today: date) -> str:
    """``none`` (nothing required), ``overdue``, ``due_soon`` (within 30 days) or ``ok``."""
    if due is None:
        return "none"
    if due < today:
        return "overdue"
    if (due - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return "ok"
