"""Services API (/api/v1/services/): the public catalogue and licence check; applications for their applicant
and for the staff of the window and the departments (``services.reader`` decides which); statistics."""

from ninja import Router, Status
from ninja.pagination import paginate

from smartcounty.domains.services import services
from smartcounty.domains.services.schemas import ApplicationIn, StepIn
from smartcounty.kernel import authz
from smartcounty.kernel.api import Id, Pagination
from smartcounty.kernel.problems import ApiError

router = Router(tags=["services"])


@router.get("/items", response=list[dict], auth=None)
@paginate(Pagination)
def list_items(request, q: str = "", item_type: str = "", organisation: str = ""):
    """Published service items (public), every word of ``q`` matched."""
    return services.search(q[:40], item_type=item_type[:2], organisation_code=organisation[:40])


@router.get("/items/{code}", response=dict, auth=None)
def get_item(request, code: str):
    d = services.item_detail(code[:24])
    if d is None:
        raise ApiError(404, "not-found")
    return d


@router.get("/licences/{code}", response=dict, auth=None)
def verify(request, code: str):
    """Check a licence by its verification code (public; the holder masked)."""
    d = services.public_view(code[:20])
    if d is None:
        raise ApiError(404, "not-found")
    return d


@router.get("/statistics", response=dict, auth=None)
def statistics(request, by: str = "organisation"):
    return {"total": services.totals(None), "rows": services.by(None, by[:20])}


@router.get("/applications", response=list[dict])
@paginate(Pagination)
def list_applications(request, state: str = "", q: str = "", mine: bool = False):
    user = authz.require(request, "services.apply") if mine else _any(request)
    return services.applications(services.reader(user), state=state[:30], q=q[:40], mine=mine)


def _any(request):
    """Applicants (services.apply) and staff (services.handle) read applications, each in his scope."""
    user = authz.request_user(request)
    if user is None:
        raise ApiError(401, "not-authenticated")
    if not (authz.has_perm(request, "services.apply") or authz.has_perm(request, "services.handle")):
        raise ApiError(403, "forbidden")
    return user


@router.post("/applications", response={201: dict})
def submit(request, payload: ApplicationIn):
    """Apply online (for oneself) or, as a clerk of the window, for an applicant at the window."""
    user = authz.require(request, "services.handle" if payload.channel == "window" else "services.apply")
    out = services.submit(user, payload.item_code, channel=payload.channel, applicant_name=payload.applicant_name,
                          applicant_id_number=payload.applicant_id_number.upper(),
                          applicant_phone=payload.applicant_phone, window=payload.window, consent=payload.consent,
                          materials=[m.model_dump() for m in payload.materials])
    return Status(201, out)


@router.get("/applications/{application_id}", response=dict)
def get_application(request, application_id: Id):
    user = _any(request)
    return services.detail(user, services.reader(user), application_id)


@router.post("/applications/{application_id}/steps", response=dict)
def take_step(request, application_id: Id, payload: StepIn):
    user = _any(request)
    data = {"missing": payload.missing, "opinion": payload.opinion, "delivery": payload.delivery,
            "tracking_no": payload.tracking_no, "rating": payload.rating, "comment": payload.comment}
    data = {k: v for k, v in data.items() if v not in ("", None, [])}
    return services.step(user, services.reader(user), application_id, payload.step, note=payload.note, data=data,
                         materials=[m.model_dump() for m in payload.materials])


@router.get("/rectifications", response=list[dict])
def rectifications(request):
    user = authz.require(request, "services.handle")
    return services.tasks(services.reader(user))
