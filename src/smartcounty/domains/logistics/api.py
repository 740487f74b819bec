"""Logistics and e-commerce API (/api/v1/logistics/): sites (public), coverage (public), sales import and
statistics (the commerce bureau), open-data publication."""

from datetime import date

from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from smartcounty.domains.logistics import services
from smartcounty.kernel import authz
from smartcounty.kernel.api import InputSchema, Pagination
from smartcounty.kernel.problems import ApiError

router = Router(tags=["logistics"])


class SiteIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    level: str
    lon: float
    lat: float
    operator: str = Field("", max_length=80)
    town_code: str = Field("", max_length=12)
    village_code: str = Field("", max_length=12)
    village_name: str = Field("", max_length=60)


@router.get("/sites", response=list[dict], auth=None)
@paginate(Pagination)
def list_sites(request, level: str = "", town: str = ""):
    """Public: where parcels can be sent and fetched."""
    return services.sites(level=level[:8], town=town[:12])


@router.get("/coverage", response=dict, auth=None)
def coverage(request):
    return services.coverage()


@router.post("/sites", response={201: dict})
def save_site(request, payload: SiteIn):
    user = authz.require(request, "logistics.manage", services.owner_organisation_id() or -1)
    return Status(201, {"id": services.save_site(**payload.dict(), actor=user)})


@router.post("/sales/imports", response=dict)
def import_sales(request, file: File[UploadedFile]):
    user = authz.require(request, "logistics.manage", services.owner_organisation_id() or -1)
    result = services.import_sales(file.read(), file.name or "", actor=user)
    if result["errors"]:
        raise ApiError(422, "invalid-dataset", f"{len(result['errors'])} problems; nothing was imported", field="file",
                       errors=result["errors"])
    return result


@router.get("/sales/monthly", response=list[dict])
def monthly(request, town: str = ""):
    services.require(authz.require(request, "logistics.view"), "view")
    return services.monthly(town=town[:12])


@router.get("/sales/by-town", response=list[dict])
def by_town(request, month: date):
    services.require(authz.require(request, "logistics.view"), "view")
    return services.by_town(month.replace(day=1))


@router.post("/sales/open-data", response=dict)
def publish(request):
    user = authz.require(request, "logistics.manage", services.owner_organisation_id() or -1)
    return {"rows": services.publish_open_data(actor=user)}
