"""Water API (/api/v1/water/): water levels against their warning and guaranteed marks, hourly series,
rain totals, the county's drought watch and the water-quality stations' GB 3838 class.

Authorisation: reads are public (``auth=None``) like the public water page; re-assessing the drought alert
now is ``water.assess`` on the water bureau's organisation (code ``water``; platform administrators hold it
everywhere), audited.
"""

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from smartcounty.domains.water import services
from smartcounty.domains.water.schemas import DroughtOut, HourOut, LevelOut, QualityOut, RainOut
from smartcounty.kernel.api import Id, Pagination
from smartcounty.kernel.authz import require
from smartcounty.kernel.problems import ApiError

router = Router(tags=["water"])


class Window(Schema):
    hours: int = Field(72, ge=1, le=services.MAX_HOURS)


@router.get("/levels", auth=None, response=list[LevelOut])
@paginate(Pagination)
def levels(request):
    """Each gauge's latest level and flood state (public)."""
    return services.LevelPage()


@router.get("/levels/{gauge_id}/hourly", auth=None, response=list[HourOut])
@paginate(Pagination)
def level_hourly(request, gauge_id: Id, window: Query[Window]):
    if not services.is_gauge(gauge_id, services.LEVEL_PROPERTY):
        raise ApiError(404, "not-found")
    return services.gauge_hourly(gauge_id, window.hours)


@router.get("/rain", auth=None, response=list[RainOut])
@paginate(Pagination)
def rain(request):
    """Each rain gauge's totals over the last 1, 3, 6, 12 and 24 hours (public)."""
    return services.RainPage()


@router.get("/rain/{gauge_id}/hourly", auth=None, response=list[HourOut])
@paginate(Pagination)
def rain_hourly(request, gauge_id: Id, window: Query[Window]):
    if not services.is_gauge(gauge_id, services.RAIN_PROPERTY):
        raise ApiError(404, "not-found")
    return services.gauge_hourly(gauge_id, window.hours, total=True)


@router.get("/drought", auth=None, response=DroughtOut)
def drought(request):
    """The county's drought watch over the last 30 days, with how many gauges had enough data (public)."""
    return services.drought_out()


@router.get("/quality", auth=None, response=list[QualityOut])
@paginate(Pagination)
def quality(request):
    """Each water-quality station's latest sample classified by GB 3838-2002 (public)."""
    return services.quality_stations()


@router.post("/drought/assess", response=DroughtOut)
def assess_drought(request):
    """Re-assess the drought watch now and bring the county's drought alert in line (audited)."""
    org = services.water_organisation()
    user = require(request, "water.assess", org)
    return services.reassess_drought(actor=user, organisation_id=org or None)
