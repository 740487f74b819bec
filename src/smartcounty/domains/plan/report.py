"""情况通报: the monthly report of the plan's supervision (printable page and API)."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from smartcounty.domains.plan import kpistore, lights, projects, work
from smartcounty.domains.plan.models import Reminder, Spending, Task
from smartcounty.domains.plan.schemas import Reader


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt


def monthly(reader: Reader, month: date) -> dict:
    """The month's report: lights as of the month's last day (or today), tasks done in the month (on time or
    late), the red and yellow tasks, reminders sent, the KPIs and the projects' spending."""
    work._need(reader)
    first, nxt = month_bounds(month)
    day = min(nxt - timedelta(days=1), work.today())
    in_month = Q(completed_on__gte=first, completed_on__lt=nxt)
    done = Task.objects.filter(in_month).aggregate(
        n=Count("id"), late=Count("id", filter=Q(completed_on__gt=F("deadline"))))
    red = list(work.tasks(reader, light=lights.RED, day=day)[:200])
    yellow = list(work.tasks(reader, light=lights.YELLOW, day=day)[:200])
    sent = dict(Reminder.objects.filter(on__gte=first, on__lt=nxt).values_list("kind").annotate(n=Count("id")))
    acts = work.actions(reader, day=day)
    spent_month = Spending.objects.filter(on__gte=first, on__lt=nxt).aggregate(s=Sum("amount"))["s"] or Decimal("0")
    projs = list(projects.projects(reader))
    return {
        "month": first, "as_of": day,
        "actions": acts,
        "lights": {k: sum(1 for a in acts if a.light == k) for k in (lights.RED, lights.YELLOW, lights.GREEN,
                                                                     lights.NONE)},
        "done": done["n"], "done_late": done["late"], "done_on_time": done["n"] - done["late"],
        "red": red, "yellow": yellow,
        "reminders": {"approaching": sent.get(Reminder.Kind.APPROACHING, 0), "overdue": sent.get(Reminder.Kind.OVERDUE, 0)},
        "kpis": kpistore.kpis(reader),
        "projects": projs, "spent_month": spent_month,
        "budget_total": sum((p.budget for p in projs), Decimal("0")),
        "spent_total": sum((p.spent for p in projs), Decimal("0")),
    }

