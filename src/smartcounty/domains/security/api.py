"""Security API (/api/v1/security/): critical systems, sites and their certificates, security events and the
block list. Reading needs ``security.view`` and writing ``security.manage``, both within the security office
(县委网信办); the platform administrator holds both."""

from typing import Annotated, Literal

from ninja import Router, Status
from ninja.pagination import paginate
from pydantic import Field

from smartcounty.domains.security import services
from smartcounty.domains.security.schemas import (
    AssessmentIn,
    BlockIn,
    BlockOut,
    EventOut,
    SiteIn,
    SiteOut,
    SystemIn,
    SystemOut,
)
from smartcounty.kernel import authz
from smartcounty.kernel.api import Id, Pagination
from smartcounty.kernel.problems import ApiError

router = Router(tags=["security"])
Level = Annotated[int, Field(ge=1, le=5)]
Days = Annotated[int, Field(ge=0, le=3650)]
Address = Annotated[str, Field(min_length=2, max_length=45)]
Scenario = Literal["sqli", "xss", "traversal", "probe", "scanner", "not_found", "signin_ip", "signin_user", "flood"]


def _scope() -> int:
    office = services.office_id()
    return office if office is not None else -1


def _view(request):
    user = authz.require(request, "security.view", _scope())
    return user, services.reader(user)


def _manage(request):
    user = authz.require(request, "security.manage", _scope())
    return user, services.reader(user)


def _found(value):
    if value is None:
        raise ApiError(404, "not-found")
    return value


@router.get("/systems", response=list[SystemOut])
@paginate(Pagination)
def systems(request, level: Level | None = None, state: Literal["overdue", "due_soon", "none"] | None = None):
    _user, reader = _view(request)
    return services.systems(reader, level=level, state=state)


@router.get("/systems/{system_id}", response=SystemOut)
def system(request, system_id: Id):
    _user, reader = _view(request)
    return _found(services.system(reader, system_id))


@router.post("/systems", response={201: SystemOut})
def create_system(request, data: SystemIn):
    user, reader = _manage(request)
    return Status(201, services.save_system(reader, data, actor=user))


@router.put("/systems/{system_id}", response=SystemOut)
def update_system(request, system_id: Id, data: SystemIn):
    user, reader = _manage(request)
    return services.save_system(reader, data, actor=user, system_id=system_id)


@router.post("/systems/{system_id}/assessments", response=SystemOut)
def assessment(request, system_id: Id, data: AssessmentIn):
    user, reader = _manage(request)
    return services.record_assessment(reader, system_id, data.assessed_on, actor=user)


@router.get("/sites", response=list[SiteOut])
@paginate(Pagination)
def sites(request, expiring_days: Days | None = None):
    _user, reader = _view(request)
    return services.sites(reader, expiring_days=expiring_days)


@router.get("/sites/{site_id}", response=SiteOut)
def site(request, site_id: Id):
    _user, reader = _view(request)
    return _found(services.site(reader, site_id))


@router.post("/sites", response={201: SiteOut})
def add_site(request, data: SiteIn):
    user, reader = _manage(request)
    return Status(201, services.add_site(reader, data, actor=user))


@router.post("/sites/{site_id}/check", response=SiteOut)
def check_site(request, site_id: Id):
    _user, reader = _manage(request)
    _found(services.site(reader, site_id))
    return services.check_site(site_id)


@router.get("/events", response=list[EventOut])
@paginate(Pagination)
def events(request, scenario: Scenario | None = None, ip: Address | None = None):
    _user, reader = _view(request)
    return services.events(reader, scenario=scenario, ip=ip)


@router.get("/events/{event_id}", response=EventOut)
def event(request, event_id: Id):
    _user, reader = _view(request)
    return _found(services.event(reader, event_id))


@router.get("/blocks", response=list[BlockOut])
@paginate(Pagination)
def blocks(request, active: bool | None = True):
    _user, reader = _view(request)
    return services.blocks(reader, active=active)


@router.post("/blocks", response={201: BlockOut})
def block(request, data: BlockIn):
    user, reader = _manage(request)
    return Status(201, services.block(reader, data.ip, data.minutes, actor=user))


@router.post("/blocks/{block_id}/lift", response=BlockOut)
def unblock(request, block_id: Id):
    user, reader = _manage(request)
    return services.unblock(reader, block_id, actor=user)
