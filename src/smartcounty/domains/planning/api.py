"""Planning API, mounted at ``/api/v1/planning/``: run a pre-check, read the history, a report, its PDF.

Every endpoint needs ``planning.check`` of the county natural resources and planning bureau (or a platform
administrator): ``services.reader`` decides.
"""

from django.http import HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from smartcounty.domains.planning import services
from smartcounty.domains.planning.schemas import CheckIn, CheckOut, CheckRow, RuleOut
from smartcounty.foundation.places import services as places
from smartcounty.kernel import authz
from smartcounty.kernel.api import Id, Pagination
from smartcounty.kernel.problems import ApiError

router = Router(tags=["planning"])


def _user(request):
    user = authz.require(request, "planning.check")
    if not services.may_check(user):
        raise ApiError(403, "forbidden")
    return user


class CheckFilter(Schema):
    verdict: str | None = None


class UploadIn(Schema):
    name: str
    crs: str | None = None


@router.get("/rules", response=list[RuleOut])
def rules(request):
    _user(request)
    return services.rules()


@router.post("/checks", response={201: CheckOut}, url_name="planning_checks")
def run_check(request, body: CheckIn):
    """Pre-check a drawn parcel (GeoJSON) and keep the report."""
    user = _user(request)
    return Status(201, services.precheck(body.geometry, name=body.name, actor=user))


@router.post("/checks/upload", response={201: CheckOut}, url_name="planning_checks_upload")
def upload_check(request, file: File[UploadedFile], form: Form[UploadIn]):
    """Pre-check a parcel uploaded as GeoJSON, zipped Shapefile or KML (its polygons merged)."""
    user = _user(request)
    path = places.save_layer_upload(file.chunks(), file.name or "parcel")
    try:
        geometry = places.read_parcel_file(path, file.name or "parcel", crs=form.crs or None)
    finally:
        path.unlink(missing_ok=True)
    return Status(201, services.precheck(geometry, name=form.name, actor=user, source="upload"))


@router.get("/checks", response=list[CheckRow])
@paginate(Pagination)
def checks(request, filters: Query[CheckFilter]):
    user = _user(request)
    return services.checks(services.reader(user), verdict=filters.verdict)


@router.get("/checks/{check_id}", response=CheckOut)
def check(request, check_id: Id):
    user = _user(request)
    return services.check(check_id, services.reader(user))


@router.get("/checks/{check_id}/report.pdf")
def report_pdf(request, check_id: Id):
    user = _user(request)
    content = services.report_pdf(check_id, services.reader(user))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="precheck-{int(check_id)}.pdf"'
    return response
