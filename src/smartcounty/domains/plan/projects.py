"""Informatization projects: 立项 → 建设 → 验收 → 运维, each stage dated once and in order, with the budget
(万元), the spending recorded against it, and the plan actions it serves."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Sum
from django.utils.translation import gettext as _

from smartcounty.domains.plan.models import Action, Project, Spending
from smartcounty.domains.plan.schemas import ProjectOut, Reader, SpendingOut
from smartcounty.domains.plan.work import _names, _need, today
from smartcounty.foundation.accounts import services as accounts
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError
from smartcounty.kernel.rows import Rows

STAGES = [s.value for s in Project.Stage]
STAGE_DATE = {Project.Stage.APPROVED: "approved_on", Project.Stage.BUILDING: "building_on",
              Project.Stage.ACCEPTED: "accepted_on", Project.Stage.OPERATING: "operating_on"}


def _out(p: Project, names: dict[int, str]) -> ProjectOut:
    spent = p.spent_total or Decimal("0")
    return ProjectOut(id=p.pk, code=p.code, name=p.name, owner_organisation_id=p.owner_organisation_id,
                      owner_name=names.get(p.owner_organisation_id, "—"), stage=p.stage,
                      stage_label=str(Project.Stage(p.stage).label), budget=p.budget, spent=spent,
                      spent_share=round(float(spent / p.budget) * 100, 1) if p.budget else None,
                      over_budget=spent > p.budget, actions=tuple(a.number for a in p.actions.all()),
                      approved_on=p.approved_on, building_on=p.building_on, accepted_on=p.accepted_on,
                      operating_on=p.operating_on, summary=p.summary)


def _qs():
    return (Project.objects.annotate(spent_total=Sum("spending__amount"))
            .prefetch_related(Prefetch("actions", queryset=Action.objects.order_by("number"))))


def projects(reader: Reader, *, stage: str | None = None, action: int | None = None,
             organisation_id: int | None = None) -> Rows:
    """Projects by code (indexes: stage+code, owner organisation, the action link)."""
    _need(reader)
    qs = _qs()
    if stage:
        if stage not in STAGES:
            raise ApiError(422, "invalid", _("Unknown project stage."), field="stage")
        qs = qs.filter(stage=stage)
    if action is not None:
        qs = qs.filter(pk__in=Project.actions.through.objects.filter(action__number=action).values("project_id"))
    if organisation_id is not None:
        qs = qs.filter(owner_organisation_id=organisation_id)
    names = _names()
    return Rows(qs.order_by("code"), lambda p: _out(p, names))


def project(reader: Reader, project_id: int) -> ProjectOut | None:
    _need(reader)
    p = _qs().filter(pk=project_id).first()
    return _out(p, _names()) if p else None


def spending(reader: Reader, project_id: int) -> list[SpendingOut]:
    _need(reader)
    return [SpendingOut(id=s.pk, on=s.on, amount=s.amount, note=s.note)
            for s in Spending.objects.filter(project_id=project_id).order_by("-on", "-id")[:500]]


def create_project(reader: Reader, *, code: str, name: str, owner_organisation_id: int, actions: list[int],
                   budget: Decimal, approved_on: date, summary: str = "", actor=None) -> ProjectOut:
    """立项: a new project, linked to one or more plan actions."""
    _need(reader, manage=True)
    if accounts.organisation_by_id(owner_organisation_id) is None:
        raise ApiError(422, "invalid", _("Unknown organisation."), field="owner_organisation_id")
    if budget <= 0:
        raise ApiError(422, "invalid", _("The budget must be more than zero."), field="budget")
    linked = list(Action.objects.filter(number__in=set(actions)))
    if not actions or len(linked) != len(set(actions)):
        raise ApiError(422, "invalid", _("Link the project to plan actions 1 to 30."), field="actions")
    try:
        with transaction.atomic():
            p = Project.objects.create(code=code.strip(), name=name.strip(), owner_organisation_id=owner_organisation_id,
                                       budget=budget, approved_on=approved_on, summary=summary)
            p.actions.set(linked)
            audit.record("plan.project_approved", actor=actor, obj=p, organisation_id=owner_organisation_id,
                         detail={"code": p.code, "budget": str(budget), "actions": sorted(set(actions))})
    except IntegrityError:
        raise ApiError(409, "conflict", _("A project with this code exists."), field="code") from None
    return project(reader, p.pk)


def advance(reader: Reader, project_id: int, *, stage: str, on: date | None = None, actor=None) -> ProjectOut:
    """Move a project to its next stage (建设, 验收, 运维), dated on or after the previous stage."""
    _need(reader, manage=True)
    if stage not in STAGES:
        raise ApiError(422, "invalid", _("Unknown project stage."), field="stage")
    day = on or today()
    with transaction.atomic():
        p = Project.objects.select_for_update().filter(pk=project_id).first()
        if p is None:
            raise ApiError(404, "not-found", _("No such project."))
        if STAGES.index(stage) != STAGES.index(p.stage) + 1:
            raise ApiError(409, "conflict", _("A project moves one stage at a time: 立项, 建设, 验收, 运维."),
                           field="stage")
        previous = getattr(p, STAGE_DATE[Project.Stage(p.stage)])
        if previous and day < previous:
            raise ApiError(422, "invalid", _("The stage cannot start before the previous one."), field="on")
        if day > today():
            raise ApiError(422, "invalid", _("The day is in the future."), field="on")
        old = p.stage
        p.stage = stage
        setattr(p, STAGE_DATE[Project.Stage(stage)], day)
        p.save()
        audit.record("plan.project_stage", actor=actor, obj=p, organisation_id=p.owner_organisation_id,
                     detail={"from": old, "to": stage, "on": day.isoformat()})
    return project(reader, project_id)


def add_spending(reader: Reader, project_id: int, *, on: date, amount: Decimal, note: str = "",
                 actor=None) -> ProjectOut:
    """Record a payment on a project (its owner organisation or the office), dated within its life."""
    _need(reader)
    if amount <= 0:
        raise ApiError(422, "invalid", _("The amount must be more than zero."), field="amount")
    with transaction.atomic():
        p = Project.objects.select_for_update().filter(pk=project_id).first()
        if p is None:
            raise ApiError(404, "not-found", _("No such project."))
        if not (reader.manages or reader.may_report(p.owner_organisation_id)):
            raise ApiError(403, "forbidden")
        if on < p.approved_on or on > today():
            raise ApiError(422, "invalid", _("The payment day must be between the approval and today."), field="on")
        s = Spending.objects.create(project=p, on=on, amount=amount, note=note.strip(), author_id=reader.user_id)
        audit.record("plan.project_spending", actor=actor, obj=s, organisation_id=p.owner_organisation_id,
                     detail={"project": p.code, "amount": str(amount), "on": on.isoformat()})
    return project(reader, project_id)


def project_spending() -> dict:
    """Spending on projects under construction or later, out of their budgets (a KPI)."""
    qs = Project.objects.exclude(stage=Project.Stage.APPROVED)
    budget = qs.aggregate(b=Sum("budget"))["b"] or Decimal("0")
    spent = Spending.objects.filter(project__in=qs).aggregate(s=Sum("amount"))["s"] or Decimal("0")
    return {"value": round(float(spent / budget) * 100, 2) if budget else None, "numerator": float(spent),
            "denominator": float(budget)}
