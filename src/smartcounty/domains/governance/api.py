"""Grid-governance API (/api/v1/governance/): field events, grid workers, statistics."""

from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from smartcounty.domains.governance import services
from smartcounty.foundation.cases.services import BEIJING
from smartcounty.kernel import authz
from smartcounty.kernel.api import Id, InputSchema, Pagination
from smartcounty.kernel.problems import ApiError

router = Router(tags=["governance"])


class EventIn(InputSchema):
    category: str
    title: str = ""
    description: str = ""
    lon: float | None = None
    lat: float | None = None
    grid_code: str = ""
    address: str = ""


class EventOut(Schema):
    id: int
    number: str
    category: str
    state: str
    grid_code: str
    town_code: str


class WorkerIn(InputSchema):
    user_id: Id
    grid_code: str


class WorkerOut(Schema):
    user_id: int
    username: str = Field(alias="user.username")
    grid_code: str
    town_code: str
    since: date


def _user(request):
    user = authz.request_user(request)
    if user is None:
        raise ApiError(401, "not-authenticated")
    return user


@router.post("/events", response={201: EventOut})
def report(request, payload: EventIn):
    user = _user(request)
    authz.require(request, "governance.report", user.organisation_id)
    case = services.report_event(user, **payload.dict())
    return Status(201, case)


@router.get("/workers", response=list[WorkerOut])
@paginate(Pagination)
def list_workers(request, grid_code: str | None = None, town_code: str | None = None):
    user = _user(request)
    authz.require(request, "governance.view_stats", user.organisation_id)
    return services.workers(grid_code=grid_code, town_code=town_code)


@router.post("/workers", response={201: WorkerOut})
def assign(request, payload: WorkerIn):
    actor = _user(request)
    worker_user = get_user_model().objects.filter(pk=payload.user_id).first()
    if worker_user is None:
        raise ApiError(422, "invalid", "unknown user", field="user_id")
    # An organisation administrator assigns the grid workers of their own organisation.
    authz.require(request, "governance.manage_workers", worker_user.organisation_id or -1)
    w = services.assign_worker(worker_user, payload.grid_code, actor=actor)
    return Status(201, w)


@router.get("/statistics", response=list[dict])
def statistics(request, by: str = "town", since: date | None = None, until: date | None = None,
               town_code: str | None = None):
    user = _user(request)
    authz.require(request, "governance.view_stats", user.organisation_id)
    lo = datetime.combine(since, time.min, BEIJING) if since else None
    hi = datetime.combine(until, time.min, BEIJING) if until else None
    return services.statistics(by, since=lo, until=hi, user=user, town_code=town_code)
