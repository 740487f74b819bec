"""Tourism API (/api/v1/tourism/): attractions with their load and warnings (public), statistics (public,
aggregated counts), warning shares (the culture and tourism bureau)."""

from datetime import date

from ninja import Router
from ninja.pagination import paginate

from smartcounty.domains.tourism import services
from smartcounty.domains.tourism.schemas import AttractionOut, SharesIn, StatsOut
from smartcounty.foundation.accounts import services as accounts
from smartcounty.kernel import authz
from smartcounty.kernel.api import Pagination

router = Router(tags=["tourism"])
AUTHORITY_CODE = "culture-tourism"


@router.get("/attractions", response=list[AttractionOut], auth=None)
@paginate(Pagination)
def list_attractions(request):
    return services.AttractionPage(services.attractions())


@router.get("/statistics", response=StatsOut, auth=None)
def statistics(request, since: date | None = None, until: date | None = None):
    lo, hi = services.today_range()
    return services.statistics(since or lo, until or hi)


@router.put("/attractions/{code}/shares", response=dict)
def set_shares(request, code: str, payload: SharesIn):
    """Configure an attraction's warning shares (yellow < orange < red) and hysteresis."""
    user = authz.require(request, "tourism.manage", accounts.organisation_ids_by_code().get(AUTHORITY_CODE) or -1)
    services.set_shares(code, (payload.yellow, payload.orange, payload.red), payload.hysteresis, actor=user)
    return {"code": code}
