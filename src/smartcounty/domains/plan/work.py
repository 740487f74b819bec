"""Actions, their units and yearly tasks; the 督办 cycle (立项交办 → 跟踪督查 → 临近提醒 → 办结报告 →
到期催办 → 情况通报 → 结果考评). Every change is audited in its transaction."""

import json
from datetime import date
from pathlib import Path

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcounty.domains.plan import lights
from smartcounty.domains.plan.models import Action, ActionUnit, ProgressReport, Reminder, Task
from smartcounty.domains.plan.schemas import ActionOut, Reader, ReminderOut, ReportOut, TaskOut, UnitOut
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.cases import services as cases
from smartcounty.kernel import audit, authz
from smartcounty.kernel.problems import ApiError
from smartcounty.kernel.rows import Rows

DATA = Path(__file__).resolve().parent / "data" / "actions.json"
#: The leading group's office (保障措施 (一): 牵头单位 县政府办公室) assigns and evaluates.
SUPERVISOR = "gov-office"
OPEN = (Task.State.ASSIGNED, Task.State.TRACKING)


def plan_data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def ensure_actions() -> int:
    """The 30 actions and their units from the plan (idempotent); the number of actions."""
    accounts.ensure_plan_organisations()
    ids = accounts.organisation_ids_by_code()
    data = plan_data()
    with transaction.atomic():
        for a in data["actions"]:
            action, _created = Action.objects.update_or_create(
                number=a["number"], defaults={"title": a["title"], "section": a["section"]})
            wanted = {(ids[c], role, i) for role, codes in (("lead", a["lead"]), ("responsible", a["responsible"]))
                      for i, c in enumerate(codes)}
            have = set(action.units.values_list("organisation_id", "role", "position"))
            if have != wanted:
                action.units.all().delete()
                ActionUnit.objects.bulk_create(ActionUnit(action=action, organisation_id=o, role=r, position=p)
                                               for o, r, p in sorted(wanted, key=lambda w: (w[1], w[2])))
    return len(data["actions"])


def supervisor_id() -> int | None:
    org = accounts.organisation(SUPERVISOR)
    return org.id if org else None


def reader(user) -> Reader:
    """The module's one scoping rule: staff holding ``plan.view`` see the whole plan; the supervisor's
    office manages it; each organisation reports on its own tasks (a platform administrator on any)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Reader(None, None, False, False)
    sees = authz.user_has_perm(user, "plan.view")
    sup = supervisor_id()
    manages = sees and sup is not None and authz.user_has_perm(user, "plan.manage", sup)
    return Reader(user.pk, user.organisation_id, sees, manages, reports_for_all=accounts.is_platform_admin(user))


def _need(reader: Reader, *, manage: bool = False) -> None:
    if not reader.sees or (manage and not reader.manages):
        raise ApiError(403, "forbidden")


def today() -> date:
    return timezone.localdate()


class Clock:
    """Today and the yellow horizon on the working-day calendar (cases' calendar)."""

    def __init__(self, day: date | None = None):
        self.today = day or today()
        self.limit = lights.horizon(self.today, cases.calendar().is_working_day)

    def light(self, deadline: date, state: str) -> str:
        return lights.light(deadline, self.today, self.limit, done=state not in OPEN)

    def q(self, light: str) -> Q:
        """The tasks of one light, as a filter."""
        open_ = Q(state__in=OPEN)
        return {lights.RED: open_ & Q(deadline__lt=self.today),
                lights.YELLOW: open_ & Q(deadline__gte=self.today, deadline__lte=self.limit),
                lights.GREEN: ~open_ | Q(deadline__gt=self.limit)}[light]


def _orgs() -> dict[int, tuple[str, str]]:
    return {o.id: (o.name, o.code) for o in accounts.organisations(active_only=False)}


def _names() -> dict[int, str]:
    return {k: v[0] for k, v in _orgs().items()}


def _task_out(t: Task, clock: Clock, names: dict[int, str], titles: dict[int, str]) -> TaskOut:
    on_time = None if t.completed_on is None else t.completed_on <= t.deadline
    return TaskOut(id=t.pk, action=t.action_number, action_title=titles.get(t.action_number, ""), year=t.year,
                   title=t.title, target=t.target, deadline=t.deadline, owner_organisation_id=t.owner_organisation_id,
                   owner_name=names.get(t.owner_organisation_id, "—"), owner_user_id=t.owner_user_id, state=t.state,
                   state_label=str(Task.State(t.state).label), progress=t.progress, completed_on=t.completed_on,
                   on_time=on_time, score=t.score, evaluation=t.evaluation, light=clock.light(t.deadline, t.state))


def _tasks_qs():
    return Task.objects.annotate(action_number=F("action__number"))


def actions(reader: Reader, *, day: date | None = None, year: int | None = None) -> list[ActionOut]:
    """The 30 actions with their units and the lights of their tasks (of ``year``, default all years)."""
    _need(reader)
    clock, names = Clock(day), _orgs()
    units: dict[int, list[ActionUnit]] = {}
    for u in ActionUnit.objects.select_related("action").order_by("action__number", "role", "position"):
        units.setdefault(u.action.number, []).append(u)
    data = plan_data()
    out = {}
    for a in Action.objects.order_by("number"):
        us = units.get(a.number, [])
        out[a.number] = ActionOut(
            number=a.number, title=a.title, section=a.section, section_name=data["sections"].get(a.section, ""),
            lead=[_unit(u, names) for u in us if u.role == ActionUnit.Role.LEAD],
            responsible=[_unit(u, names) for u in us if u.role == ActionUnit.Role.RESPONSIBLE], light=lights.NONE)
    qs = _tasks_qs()
    if year:
        qs = qs.filter(year=year)
    per: dict[int, list[str]] = {}
    for number, deadline, state in qs.values_list("action_number", "deadline", "state"):
        one = clock.light(deadline, state)
        a = out.get(number)
        if a is None:
            continue
        a.tasks += 1
        a.done += state not in OPEN
        setattr(a, one, getattr(a, one) + 1)
        if state in OPEN:
            per.setdefault(number, []).append(one)
    for number, a in out.items():
        a.light = lights.worst(per.get(number, [])) if per.get(number) else (lights.GREEN if a.tasks else lights.NONE)
    return list(out.values())


def _unit(u: ActionUnit, orgs) -> UnitOut:
    name, code = orgs.get(u.organisation_id, ("—", ""))
    return UnitOut(organisation_id=u.organisation_id, code=code, name=name, role=u.role)


def action(reader: Reader, number: int, *, day: date | None = None) -> ActionOut | None:
    return next((a for a in actions(reader, day=day) if a.number == number), None)


def tasks(reader: Reader, *, action: int | None = None, year: int | None = None, organisation_id: int | None = None,
          light: str | None = None, state: str | None = None, day: date | None = None) -> Rows:
    """Tasks, soonest deadline first (indexes: action+year, owner+deadline, state+deadline, year+deadline)."""
    _need(reader)
    clock, names = Clock(day), _names()
    titles = dict(Action.objects.values_list("number", "title"))
    qs = _tasks_qs()
    if action is not None:
        qs = qs.filter(action__number=action)
    if year is not None:
        qs = qs.filter(year=year)
    if organisation_id is not None:
        qs = qs.filter(owner_organisation_id=organisation_id)
    if state:
        if state not in Task.State.values:
            raise ApiError(422, "invalid", _("Unknown task state."), field="state")
        qs = qs.filter(state=state)
    if light:
        if light not in (lights.RED, lights.YELLOW, lights.GREEN):
            raise ApiError(422, "invalid", _("Unknown light."), field="light")
        qs = qs.filter(clock.q(light))
    return Rows(qs.order_by("deadline", "id"), lambda t: _task_out(t, clock, names, titles))


def task(reader: Reader, task_id: int, *, day: date | None = None) -> TaskOut | None:
    _need(reader)
    t = _tasks_qs().filter(pk=task_id).first()
    if t is None:
        return None
    titles = dict(Action.objects.filter(number=t.action_number).values_list("number", "title"))
    return _task_out(t, Clock(day), _names(), titles)


def reports(reader: Reader, task_id: int) -> list[ReportOut]:
    _need(reader)
    return [ReportOut(id=r.pk, task_id=r.task_id, kind=r.kind, kind_label=str(ProgressReport.Kind(r.kind).label),
                      progress=r.progress, text=r.text, author_id=r.author_id, at=r.at)
            for r in ProgressReport.objects.filter(task_id=task_id).order_by("-at", "-id")[:200]]


def reminders(reader: Reader, *, organisation_id: int | None = None, task_id: int | None = None,
              since: date | None = None) -> Rows:
    _need(reader)
    qs = Reminder.objects.select_related("task")
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if task_id is not None:
        qs = qs.filter(task_id=task_id)
    if since is not None:
        qs = qs.filter(on__gte=since)
    return Rows(qs.order_by("-on", "-id"), lambda r: ReminderOut(
        id=r.pk, task_id=r.task_id, task_title=r.task.title, kind=r.kind, kind_label=str(Reminder.Kind(r.kind).label),
        deadline=r.deadline, organisation_id=r.organisation_id, on=r.on))


# ----- changes -----

def _locked(task_id: int) -> Task:
    t = Task.objects.select_for_update().filter(pk=task_id).first()
    if t is None:
        raise ApiError(404, "not-found", _("No such task."))
    return t


def create_task(reader: Reader, *, action: int, year: int, title: str, deadline: date, owner_organisation_id: int,
                owner_user_id: int | None = None, target: str = "", actor=None) -> TaskOut:
    """立项交办: the leading group's office assigns a yearly task to an organisation."""
    _need(reader, manage=True)
    if not title.strip():
        raise ApiError(422, "invalid", _("A task needs a title."), field="title")
    if accounts.organisation_by_id(owner_organisation_id) is None:
        raise ApiError(422, "invalid", _("Unknown organisation."), field="owner_organisation_id")
    if owner_user_id is not None:
        brief = accounts.users_brief([owner_user_id]).get(owner_user_id)
        if brief is None or brief.organisation_id != owner_organisation_id:
            raise ApiError(422, "invalid", _("The owner must be a member of the owner organisation."),
                           field="owner_user_id")
    if deadline.year < year:
        raise ApiError(422, "invalid", _("The deadline is before the task's year."), field="deadline")
    act = Action.objects.filter(number=action).first()
    if act is None:
        raise ApiError(422, "invalid", _("Unknown plan action."), field="action")
    with transaction.atomic():
        t = Task.objects.create(action=act, year=year, title=title.strip(), target=target, deadline=deadline,
                                owner_organisation_id=owner_organisation_id, owner_user_id=owner_user_id)
        audit.record("plan.task_assigned", actor=actor, obj=t, organisation_id=owner_organisation_id,
                     detail={"action": action, "year": year, "deadline": deadline.isoformat()})
    return task(reader, t.pk)


def report_progress(reader: Reader, task_id: int, *, progress: int, text: str, actor=None) -> TaskOut:
    """跟踪督查: the owner organisation reports progress (0-99 %)."""
    _need(reader)
    if not 0 <= progress <= 99:
        raise ApiError(422, "invalid", _("Progress is 0 to 99 %; report completion instead."), field="progress")
    if not text.strip():
        raise ApiError(422, "invalid", _("Say what was done."), field="text")
    with transaction.atomic():
        t = _locked(task_id)
        if not reader.may_report(t.owner_organisation_id):
            raise ApiError(403, "forbidden")
        if t.state not in OPEN:
            raise ApiError(409, "conflict", _("The task is already reported done."))
        t.state, t.progress = Task.State.TRACKING, progress
        t.save(update_fields=["state", "progress", "updated_at"])
        ProgressReport.objects.create(task=t, kind=ProgressReport.Kind.PROGRESS, progress=progress, text=text.strip(),
                                      author_id=reader.user_id)
        audit.record("plan.task_progress", actor=actor, obj=t, organisation_id=t.owner_organisation_id,
                     detail={"progress": progress})
    return task(reader, task_id)


def report_completion(reader: Reader, task_id: int, *, text: str, completed_on: date | None = None,
                      actor=None) -> TaskOut:
    """办结报告: the owner organisation reports the task done (on a day not in the future)."""
    _need(reader)
    day = completed_on or today()
    if day > today():
        raise ApiError(422, "invalid", _("The completion day is in the future."), field="completed_on")
    if not text.strip():
        raise ApiError(422, "invalid", _("Say what was done."), field="text")
    with transaction.atomic():
        t = _locked(task_id)
        if not reader.may_report(t.owner_organisation_id):
            raise ApiError(403, "forbidden")
        if t.state not in OPEN:
            raise ApiError(409, "conflict", _("The task is already reported done."))
        t.state, t.progress, t.completed_on = Task.State.REPORTED, 100, day
        t.save(update_fields=["state", "progress", "completed_on", "updated_at"])
        ProgressReport.objects.create(task=t, kind=ProgressReport.Kind.COMPLETION, progress=100, text=text.strip(),
                                      author_id=reader.user_id)
        audit.record("plan.task_completed", actor=actor, obj=t, organisation_id=t.owner_organisation_id,
                     detail={"completed_on": day.isoformat(), "on_time": day <= t.deadline})
    return task(reader, task_id)


def evaluate(reader: Reader, task_id: int, *, accept: bool, score: int | None = None, text: str = "",
             actor=None) -> TaskOut:
    """结果考评: the office accepts a reported task with a score, or returns it to the owner."""
    _need(reader, manage=True)
    if accept and (score is None or not 0 <= score <= 100):
        raise ApiError(422, "invalid", _("An accepted task needs a score from 0 to 100."), field="score")
    if not accept and not text.strip():
        raise ApiError(422, "invalid", _("Say why the task is returned."), field="text")
    with transaction.atomic():
        t = _locked(task_id)
        if t.state != Task.State.REPORTED:
            raise ApiError(409, "conflict", _("Only a task reported done can be evaluated."))
        if accept:
            t.state, t.score, t.evaluation = Task.State.EVALUATED, score, text.strip()
        else:
            t.state, t.completed_on, t.progress, t.score = Task.State.TRACKING, None, 90, None
            t.evaluation = text.strip()
            ProgressReport.objects.create(task=t, kind=ProgressReport.Kind.RETURNED, progress=90, text=text.strip(),
                                          author_id=reader.user_id)
        t.save(update_fields=["state", "score", "evaluation", "completed_on", "progress", "updated_at"])
        audit.record("plan.task_evaluated", actor=actor, obj=t, organisation_id=t.owner_organisation_id,
                     detail={"accept": accept, "score": score})
    return task(reader, task_id)


def remind(day: date | None = None) -> dict:
    """临近提醒 and 到期催办: one reminder per open task and deadline when it turns yellow, one when it turns
    red (a moved deadline gets new ones). Run by the scheduler; safe to run again the same day."""
    clock = Clock(day)
    made = {}
    for kind, light in ((Reminder.Kind.APPROACHING, lights.YELLOW), (Reminder.Kind.OVERDUE, lights.RED)):
        due = list(Task.objects.filter(clock.q(light)).only("id", "deadline", "owner_organisation_id"))
        sent = set(Reminder.objects.filter(kind=kind, task_id__in=[t.pk for t in due])
                   .values_list("task_id", "deadline"))
        made[str(kind)] = 0
        for t in due:
            if (t.pk, t.deadline) in sent:
                continue
            with transaction.atomic():
                _r, created = Reminder.objects.get_or_create(
                    task=t, kind=kind, deadline=t.deadline,
                    defaults={"organisation_id": t.owner_organisation_id, "on": clock.today})
                if created:
                    made[str(kind)] += 1
                    audit.record(f"plan.reminder_{kind}", actor=None, obj=t, organisation_id=t.owner_organisation_id,
                                 detail={"deadline": t.deadline.isoformat(), "on": clock.today.isoformat()})
    return made


def tasks_on_time(day: date | None = None) -> dict:
    """This year's tasks due by ``day`` or already reported: those reported by their deadline, out of them."""
    d = day or today()
    qs = Task.objects.filter(year=d.year).filter(Q(deadline__lt=d) | Q(completed_on__isnull=False))
    whole = qs.count()
    part = qs.filter(completed_on__isnull=False, completed_on__lte=F("deadline")).count()
    return {"value": round(100.0 * part / whole, 2) if whole else None, "numerator": part, "denominator": whole}

