"""City-management API (/api/v1/citymgmt/): the component register and performance figures."""

from datetime import date, datetime, time

from ninja import Router, Schema, Status
from ninja.pagination import paginate

from smartcounty.domains.citymgmt import services
from smartcounty.foundation.cases.services import BEIJING
from smartcounty.kernel import authz
from smartcounty.kernel.api import InputSchema, Pagination
from smartcounty.kernel.problems import ApiError

router = Router(tags=["citymgmt"])


class ComponentOut(Schema):
    code: str
    category: str
    name: str
    owner_organisation_id: int | None
    town_code: str
    grid_code: str
    lon: float
    lat: float
    status: str


class ComponentIn(InputSchema):
    code: str = ""
    category: str = ""
    name: str = ""
    lon: float
    lat: float
    status: str = "normal"


@router.get("/components", response=list[ComponentOut], auth=None)
@paginate(Pagination)
def list_components(request, category: str | None = None, grid_code: str | None = None,
                    town_code: str | None = None, status: str | None = None):
    """The component register is public by design (facility locations in public space)."""
    return services.components(category=category, grid_code=grid_code, town_code=town_code, status=status)


@router.get("/components/{code}", response=ComponentOut, auth=None)
def get_component(request, code: str):
    comp = services.component(code)
    if comp is None:
        raise ApiError(404, "not-found")
    return comp


@router.post("/components", response={201: ComponentOut})
def create_component(request, payload: ComponentIn):
    """Register a component for the caller's organisation; the code is given or the next serial of the class."""
    user = authz.request_user(request)
    if user is None:
        raise ApiError(401, "not-authenticated")
    authz.require(request, "citymgmt.manage_components", user.organisation_id)
    code = payload.code
    if not code:
        if not payload.category:
            raise ApiError(422, "invalid", "give a code or a category", field="category")
        from django.conf import settings

        code = services.next_component_code(settings.SMARTCOUNTY_COUNTY_CODE, payload.category)
    comp = services.create_component(code=code, name=payload.name, lon=payload.lon, lat=payload.lat,
                                     owner_organisation_id=user.organisation_id, status=payload.status, actor=user)
    return Status(201, comp)


@router.get("/performance", response=list[dict])
def performance(request, by: str = "organisation", since: date | None = None, until: date | None = None):
    user = authz.request_user(request)
    if user is None:
        raise ApiError(401, "not-authenticated")
    authz.require(request, "citymgmt.view_performance", user.organisation_id)
    if by not in ("organisation", "grid", "town", "category"):
        raise ApiError(422, "invalid", "by must be organisation, grid, town or category", field="by")
    lo = datetime.combine(since, time.min, BEIJING) if since else None
    hi = datetime.combine(until, time.min, BEIJING) if until else None
    return services.performance(by, since=lo, until=hi, user=user)
