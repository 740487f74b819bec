"""Plan services (督办): the only plan code other modules import (with ``schemas``).

``reader(user)`` is the module's one scoping rule; every list and change takes its ``Reader``.
Actions and tasks (``actions``, ``tasks``, ``create_task``, ``report_progress``, ``report_completion``,
``evaluate``, ``send_reminders``), KPIs (``refresh_kpis``, ``kpis``: every entry of ``registry.kpis``), projects
(``projects``, ``create_project``, ``advance_project``, ``add_spending``) and the monthly report.
"""

import dataclasses
from collections.abc import Sequence
from datetime import date

from django.utils.translation import gettext as _

from smartcounty.domains.plan.kpistore import kpis  # noqa: F401
from smartcounty.domains.plan.kpistore import refresh as _refresh
from smartcounty.domains.plan.projects import (  # noqa: F401
    STAGES,
    add_spending,
    create_project,
    project,
    project_spending,
    projects,
    spending,
)
from smartcounty.domains.plan.projects import advance as advance_project  # noqa: F401
from smartcounty.domains.plan.report import monthly as monthly_report  # noqa: F401
from smartcounty.domains.plan.work import (  # noqa: F401
    Clock,
    action,
    actions,
    create_task,
    ensure_actions,
    evaluate,
    reader,
    reminders,
    report_completion,
    report_progress,
    reports,
    supervisor_id,
    task,
    tasks,
    tasks_on_time,
    today,
)
from smartcounty.domains.plan.work import remind as _remind
from smartcounty.kernel.problems import ApiError


def send_reminders(day=None) -> dict:
    """临近提醒 and 到期催办 for ``day`` (default today); the number of reminders of each kind made."""
    return _remind(day)


def refresh_kpis(now=None) -> int:
    """Compute and store every registered KPI; the number stored."""
    return len(_refresh(now))


def as_dict(obj) -> dict:
    """A dataclass of this module as a plain dict (for the API)."""
    return dataclasses.asdict(obj)


class DictRows(Sequence):
    """A ``Rows`` of dataclasses seen as dicts, still paged by one LIMIT/OFFSET query."""

    def __init__(self, rows):
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [as_dict(r) for r in self._rows[i]]
        return as_dict(self._rows[i])


def parse_month(value: str | None) -> date:
    """``YYYY-MM`` as its first day (default this month); a clear error otherwise."""
    if not value:
        return today().replace(day=1)
    try:
        y, m = (int(x) for x in value.split("-"))
        return date(y, m, 1)
    except ValueError:
        raise ApiError(422, "invalid", _("The month is written YYYY-MM."), field="month") from None


def report_dict(report: dict) -> dict:
    out = dict(report)
    for key in ("actions", "red", "yellow", "kpis", "projects"):
        out[key] = [as_dict(x) for x in report[key]]
    return out


def stage_choices() -> list[tuple[str, str]]:
    from smartcounty.domains.plan.models import Project

    return [(k, str(v)) for k, v in Project.Stage.choices]
