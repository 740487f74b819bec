"""Plan supervision API (/api/v1/plan/): actions with lights, tasks and their reports, KPIs, projects, the
monthly report. Reading needs ``plan.view``; reporting ``plan.report`` for the task's organisation; assigning,
evaluating and projects ``plan.manage`` for the leading group's office."""

from datetime import date
from typing import Annotated

from ninja import Router, Status
from ninja.pagination import paginate
from pydantic import Field

from smartcounty.domains.plan import services
from smartcounty.domains.plan.schemas import (
    CompletionIn,
    EvaluationIn,
    ProgressIn,
    ProjectIn,
    SpendingIn,
    StageIn,
    TaskIn,
)
from smartcounty.kernel import audit, authz
from smartcounty.kernel.api import Id, Pagination
from smartcounty.kernel.problems import ApiError

#: A plan year and an action's number (the plan has 30 actions), bounded like every integer the API takes.
Year = Annotated[int, Field(ge=2000, le=2100)]
ActionNo = Annotated[int, Field(ge=1, le=30)]

router = Router(tags=["plan"])


def _view(request):
    user = authz.require(request, "plan.view")
    return user, services.reader(user)


def _manage(request):
    sup = services.supervisor_id()
    user = authz.require(request, "plan.manage", sup if sup is not None else -1)
    return user, services.reader(user)


def _task(reader, task_id):
    t = services.task(reader, task_id)
    if t is None:
        raise ApiError(404, "not-found")
    return t


@router.get("/actions", response=list[dict])
def actions(request, year: Year | None = None):
    _user, reader = _view(request)
    return [services.as_dict(a) for a in services.actions(reader, year=year)]


@router.get("/actions/{number}", response=dict)
def action(request, number: ActionNo):
    _user, reader = _view(request)
    a = services.action(reader, number)
    if a is None:
        raise ApiError(404, "not-found")
    return services.as_dict(a)


@router.get("/tasks", response=list[dict])
@paginate(Pagination)
def tasks(request, action: ActionNo | None = None, year: Year | None = None, organisation_id: Id | None = None,
          light: str | None = None, state: str | None = None):
    _user, reader = _view(request)
    return services.DictRows(services.tasks(reader, action=action, year=year, organisation_id=organisation_id,
                                            light=light, state=state))


@router.post("/tasks", response={201: dict})
def create_task(request, payload: TaskIn):
    user, reader = _manage(request)
    return Status(201, services.as_dict(services.create_task(reader, actor=user, **payload.dict())))


@router.get("/tasks/{task_id}", response=dict)
def task(request, task_id: Id):
    _user, reader = _view(request)
    out = services.as_dict(_task(reader, task_id))
    out["reports"] = [services.as_dict(r) for r in services.reports(reader, task_id)]
    return out


def _reporter(request, reader, task_id):
    t = _task(reader, task_id)
    return authz.require(request, "plan.report", t.owner_organisation_id)


@router.post("/tasks/{task_id}/progress", response=dict)
def progress(request, task_id: Id, payload: ProgressIn):
    _user, reader = _view(request)
    user = _reporter(request, reader, task_id)
    return services.as_dict(services.report_progress(reader, task_id, actor=user, **payload.dict()))


@router.post("/tasks/{task_id}/completion", response=dict)
def completion(request, task_id: Id, payload: CompletionIn):
    _user, reader = _view(request)
    user = _reporter(request, reader, task_id)
    return services.as_dict(services.report_completion(reader, task_id, actor=user, **payload.dict()))


@router.post("/tasks/{task_id}/evaluation", response=dict)
def evaluation(request, task_id: Id, payload: EvaluationIn):
    user, reader = _manage(request)
    return services.as_dict(services.evaluate(reader, task_id, actor=user, **payload.dict()))


@router.get("/reminders", response=list[dict])
@paginate(Pagination)
def reminders(request, organisation_id: Id | None = None, task_id: Id | None = None, since: date | None = None):
    _user, reader = _view(request)
    return services.DictRows(services.reminders(reader, organisation_id=organisation_id, task_id=task_id,
                                                since=since))


@router.get("/kpis", response=list[dict])
def kpis(request, action: ActionNo | None = None):
    _user, reader = _view(request)
    return [services.as_dict(k) for k in services.kpis(reader, action=action)]


@router.post("/kpis/refresh", response=dict)
def refresh(request):
    user, _reader = _manage(request)
    n = services.refresh_kpis()
    audit.record("plan.kpis_refreshed", actor=user, object_type="plan.kpivalue", detail={"values": n})
    return {"values": n}


@router.get("/projects", response=list[dict])
@paginate(Pagination)
def projects(request, stage: str | None = None, action: ActionNo | None = None, organisation_id: Id | None = None):
    _user, reader = _view(request)
    return services.DictRows(services.projects(reader, stage=stage, action=action, organisation_id=organisation_id))


@router.post("/projects", response={201: dict})
def create_project(request, payload: ProjectIn):
    user, reader = _manage(request)
    return Status(201, services.as_dict(services.create_project(reader, actor=user, **payload.dict())))


@router.get("/projects/{project_id}", response=dict)
def project(request, project_id: Id):
    _user, reader = _view(request)
    p = services.project(reader, project_id)
    if p is None:
        raise ApiError(404, "not-found")
    out = services.as_dict(p)
    out["spending"] = [services.as_dict(s) for s in services.spending(reader, project_id)]
    return out


@router.post("/projects/{project_id}/stage", response=dict)
def stage(request, project_id: Id, payload: StageIn):
    user, reader = _manage(request)
    return services.as_dict(services.advance_project(reader, project_id, actor=user, **payload.dict()))


@router.post("/projects/{project_id}/spending", response={201: dict})
def add_spending(request, project_id: Id, payload: SpendingIn):
    _user, reader = _view(request)
    p = services.project(reader, project_id)
    if p is None:
        raise ApiError(404, "not-found")
    if not reader.manages:
        authz.require(request, "plan.report", p.owner_organisation_id)
    user = authz.request_user(request)
    return Status(201, services.as_dict(services.add_spending(reader, project_id, actor=user, **payload.dict())))


@router.get("/report", response=dict)
def report(request, month: str | None = None):
    _user, reader = _view(request)
    return services.report_dict(services.monthly_report(reader, services.parse_month(month)))
