"""Economy API (/api/v1/economy/): the enterprise registry, 企业上云, parks and energy monitoring."""

from datetime import date, datetime, time, timedelta

from ninja import Field, File, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from smartcounty.domains.economy import services
from smartcounty.domains.economy.schemas import (
    CloudIn,
    EnterpriseIn,
    EnterpriseOut,
    ImportResult,
    MeterIn,
    MeterOut,
    ParkOut,
)
from smartcounty.foundation.sensing.services import SHANGHAI_OFFSET_MS
from smartcounty.kernel import authz
from smartcounty.kernel.api import Id, InputSchema, Pagination
from smartcounty.kernel.problems import ApiError

router = Router(tags=["economy"])
BEIJING_OFFSET = timedelta(milliseconds=SHANGHAI_OFFSET_MS)


def _viewer(request):
    user = authz.require(request, "economy.view")
    return user, services.require_scope(user)


def _manager(request):
    return authz.require(request, "economy.manage", services.owner_organisation_id() or -1)


def _range(start: date | None, end: date | None) -> tuple[datetime, datetime]:
    """Beijing calendar days [start, end] as UTC datetimes (default: the last 30 days)."""
    from datetime import UTC

    end = end or (datetime.now(UTC) + BEIJING_OFFSET).date()
    start = start or end - timedelta(days=29)
    if end < start:
        raise ApiError(422, "invalid", "end is before start", field="end")
    lo = datetime.combine(start, time.min, UTC) - BEIJING_OFFSET
    hi = datetime.combine(end + timedelta(days=1), time.min, UTC) - BEIJING_OFFSET
    return lo, hi


@router.get("/enterprises", response=list[EnterpriseOut])
@paginate(Pagination)
def list_enterprises(request, q: str = "", town: str = "", industry: str = "", park_id: Id | None = None,
                     size: str = "", cloud: bool | None = None):
    user, scope = _viewer(request)
    return services.enterprises(scope, actor=user, q=q[:60], town=town[:12], industry=industry[:6],
                                park_id=park_id, size=size[:8], cloud=cloud)


@router.get("/enterprises/{enterprise_id}", response=EnterpriseOut)
def get_enterprise(request, enterprise_id: Id):
    user, scope = _viewer(request)
    return services.enterprise_detail(scope, enterprise_id, actor=user)


@router.post("/enterprises", response={201: EnterpriseOut})
def save_enterprise(request, payload: EnterpriseIn):
    user = _manager(request)
    pk = services.save_enterprise(payload.dict(), actor=user)
    return Status(201, services.enterprise_detail(services.require_scope(user), pk, actor=user))


@router.post("/imports", response={200: ImportResult})
def import_enterprises(request, file: File[UploadedFile]):
    user = _manager(request)
    result = services.import_file(file.read(), file.name or "", actor=user)
    if result["errors"]:
        raise ApiError(422, "invalid-dataset", f"{len(result['errors'])} problems; nothing was imported",
                       field="file", errors=result["errors"])
    return result


@router.put("/enterprises/{enterprise_id}/cloud", response={204: None})
def set_cloud(request, enterprise_id: Id, payload: CloudIn):
    user = _manager(request)
    services.set_cloud(enterprise_id, level=payload.level, provider=payload.provider, since=payload.since,
                       actor=user)
    return Status(204, None)


@router.get("/cloud/statistics", response=dict)
def cloud_statistics(request):
    _user, scope = _viewer(request)
    return services.cloud_statistics(scope)


@router.get("/parks", response=list[ParkOut])
@paginate(Pagination)
def list_parks(request):
    _user, scope = _viewer(request)
    return services.parks(scope)


@router.get("/enterprises/{enterprise_id}/meters", response=list[MeterOut])
def list_meters(request, enterprise_id: Id):
    user, scope = _viewer(request)
    services.enterprise_detail(scope, enterprise_id, actor=user)
    return services.meters(scope, enterprise_id=enterprise_id)


@router.post("/enterprises/{enterprise_id}/meters", response={201: MeterOut})
def add_meter(request, enterprise_id: Id, payload: MeterIn):
    user = _manager(request)
    return Status(201, services.add_meter(enterprise_id, kind=payload.kind, code=payload.code, lon=payload.lon,
                                          lat=payload.lat, actor=user))


@router.get("/enterprises/{enterprise_id}/energy", response=dict)
def enterprise_energy(request, enterprise_id: Id, kind: str = "electricity", bucket: str = "day",
                      start: date | None = None, end: date | None = None):
    user, scope = _viewer(request)
    services.enterprise_detail(scope, enterprise_id, actor=user)
    lo, hi = _range(start, end)
    return services.consumption(scope, kind=kind, start=lo, end=hi, bucket=bucket, enterprise_id=enterprise_id)


@router.get("/parks/{park_id}/energy", response=dict)
def park_energy(request, park_id: Id, kind: str = "electricity", bucket: str = "day", start: date | None = None,
                end: date | None = None):
    _user, scope = _viewer(request)
    services.park_in_scope(scope, park_id)
    lo, hi = _range(start, end)
    out = services.consumption(scope, kind=kind, start=lo, end=hi, bucket=bucket, park_id=park_id)
    out["enterprises"] = services.park_breakdown(scope, park_id, kind=kind, start=lo, end=hi)
    return out


class RequestIn(InputSchema):
    category: str = Field(min_length=3, max_length=4)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=4000)


@router.post("/enterprises/{enterprise_id}/requests", response={201: dict})
def request_service(request, enterprise_id: Id, payload: RequestIn):
    """A service request of an enterprise to its park, filed by the park's staff or the registry's."""
    user, scope = _viewer(request)
    if scope.all and not scope.manage:  # other departments read the registry; they file nothing for a park
        raise ApiError(403, "forbidden")
    services.enterprise_detail(scope, enterprise_id, actor=user)
    return Status(201, services.request_service(enterprise_id, **payload.dict(), actor=user))


@router.get("/parks/{park_id}/requests", response=list[dict])
def park_requests(request, park_id: Id):
    user, scope = _viewer(request)
    return services.requests_of_park(scope, park_id, viewer=user)
