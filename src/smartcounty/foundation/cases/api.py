"""Cases API (/api/v1/cases/): case types, cases, steps, comments, attachments, statistics."""

from datetime import date, datetime, time
from typing import Annotated

from django.http import FileResponse
from ninja import Field, File, Router, Status, UploadedFile
from ninja.pagination import paginate

from smartcounty.foundation.cases import services
from smartcounty.foundation.cases.schemas import (
    BulkIn,
    BulkOut,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CaseSummaryOut,
    CommentIn,
    StatRow,
    TransitionIn,
    WorkbenchPageOut,
)
from smartcounty.foundation.cases.workcalendar import BEIJING
from smartcounty.kernel import authz, jsonparse
from smartcounty.kernel.api import Id, Offset, Pagination
from smartcounty.kernel.problems import ApiError

router = Router(tags=["cases"])


def _user(request):
    user = authz.request_user(request)
    if user is None:
        raise ApiError(401, "not-authenticated")
    return user


def viewable_case(request, case_id: Id):
    """The case if the caller may see it: its reporter, or staff of an organisation it involves."""
    user = _user(request)
    case = services.get_case(case_id)
    if case is None:
        raise ApiError(404, "not-found")
    if case.reporter_id is not None and case.reporter_id == user.pk:
        return user, case
    orgs = (case.organisation_id, case.queue_organisation_id, case.owner_organisation_id,
            case.supervisor_organisation_id)
    org = user.organisation_id if user.organisation_id in orgs else (case.organisation_id or -1)
    authz.require(request, "cases.view", org)
    return user, case


def detail(case, user) -> dict:
    out = CaseOut.from_orm(case).dict()
    public_only = not services.may_view(user, case) or (case.reporter_id == user.pk and user.organisation_id is None)
    out["data"] = case.data
    out["events"] = [
        {"id": e.id, "at": e.at, "action": e.action, "from_state": e.from_state, "to_state": e.to_state,
         "actor": e.actor_name, "organisation_id": e.organisation_id, "note": e.note, "public": e.public}
        for e in services.history(case, public_only=public_only)]
    out["transitions"] = [t.key for t in services.allowed_transitions(case, user)]
    return out


@router.get("/types", response=list[dict])
def case_types(request):
    _user(request)
    out = []
    for key, ct in services.case_types().items():
        out.append({"key": key, "title": str(ct.title), "initial": ct.initial,
                    "categories": {k: str(v) for k, v in ct.categories.items()},
                    "states": [{"key": s.key, "title": str(s.title), "lane": s.lane, "final": s.final,
                                "pauses_clock": s.pauses_clock,
                                "limit": {"amount": s.limit.amount, "unit": s.limit.unit} if s.limit else None}
                               for s in ct.states],
                    "transitions": [{"key": t.key, "title": str(t.title), "source": list(t.source),
                                     "target": t.target, "required": list(t.required)} for t in ct.transitions]})
    return out


@router.get("/", response=list[CaseSummaryOut])
@paginate(Pagination)
def list_cases(request, case_type: str | None = None, state: str | None = None, category: str | None = None,
               grid_code: str | None = None, town_code: str | None = None, organisation_id: Id | None = None,
               closed: bool | None = None):
    user = _user(request)
    if user.organisation_id is not None or user.role == "platform_admin":
        authz.require(request, "cases.view", user.organisation_id)
    return services.summaries(services.visible_cases(
        user, case_type=case_type, state=state, category=category, grid_code=grid_code, town_code=town_code,
        organisation_id=organisation_id, closed=closed))


@router.get("/queue", response=list[CaseSummaryOut])
@paginate(Pagination)
def my_queue(request, state: str | None = None, case_type: str | None = None):
    """Open cases waiting on the caller's organisation, least time left first."""
    user = _user(request)
    authz.require(request, "cases.act", user.organisation_id)
    if user.organisation_id is None:
        raise ApiError(403, "forbidden")
    return services.summaries(services.queue(user.organisation_id, state=state, case_type=case_type))


@router.post("/", response={201: CaseDetailOut})
def create(request, payload: CaseIn):
    user = _user(request)
    authz.require(request, "cases.create")
    case = services.file_case(user, payload.case_type, title=payload.title, category=payload.category,
                              description=payload.description, lon=payload.lon, lat=payload.lat,
                              grid_code=payload.grid_code, address=payload.address, data=payload.data)
    return Status(201, detail(case, user))


@router.get("/{int:case_id}", response=CaseDetailOut)
def get(request, case_id: Id):
    user, case = viewable_case(request, case_id)
    return detail(case, user)


@router.post("/{int:case_id}/steps/{key}", response=CaseDetailOut)
def step(request, case_id: Id, key: str, payload: TransitionIn):
    user, case = viewable_case(request, case_id)
    services.check_data_size(payload.data)
    case = services.transition(case.pk, key, actor=user, note=payload.note, data=payload.data)
    return detail(case, user)


@router.post("/{int:case_id}/comments", response={201: dict})
def add_comment(request, case_id: Id, payload: CommentIn):
    user, case = viewable_case(request, case_id)
    ev = services.comment(case.pk, actor=user, note=payload.note, public=payload.public)
    return Status(201, {"id": ev.pk, "at": ev.at})


@router.post("/{int:case_id}/attachments", response={201: dict})
def upload(request, case_id: Id, file: UploadedFile = File(...)):  # noqa: B008 (Ninja parameter)
    user, case = viewable_case(request, case_id)
    att = services.add_attachment(case.pk, file, actor=user)
    return Status(201, {"id": att.pk, "name": att.name, "content_type": att.content_type, "size": att.size})


@router.get("/{int:case_id}/attachments/{int:attachment_id}")
def download(request, case_id: Id, attachment_id: Id):
    user, case = viewable_case(request, case_id)
    att = services.get_attachment(case, attachment_id)
    if att is None:
        raise ApiError(404, "not-found")
    return FileResponse(att.file.open("rb"), content_type=att.content_type, filename=att.name)


def _period(since: date | None, until: date | None):
    lo = datetime.combine(since, time.min, BEIJING) if since else None
    hi = datetime.combine(until, time.min, BEIJING) if until else None
    if lo and hi and hi <= lo:
        raise ApiError(422, "invalid", "until must be after since", field="until")
    return lo, hi


@router.get("/statistics", response=list[StatRow])
def stats(request, by: str = "organisation", since: date | None = None, until: date | None = None,
          case_type: str | None = None, organisation_id: Id | None = None, town_code: str | None = None,
          grid_code: str | None = None):
    """On-time, closure and rework rates and average handling time, for cases created in [since, until)."""
    user = _user(request)
    if by not in services.GROUPS:
        raise ApiError(422, "invalid", f"by must be one of {sorted(services.GROUPS)}", field="by")
    # Staff see their own organisation's figures; platform admins (and county-wide views) everything.
    authz.require(request, "cases.view_stats", organisation_id if organisation_id is not None else None)
    if organisation_id is None and user.role != "platform_admin" and not user.is_superuser:
        organisation_id = user.organisation_id
        if organisation_id is None:
            raise ApiError(403, "forbidden")
    lo, hi = _period(since, until)
    return services.statistics(by, since=lo, until=hi, case_type=case_type, organisation_id=organisation_id,
                               town_code=town_code, grid_code=grid_code)


@router.get("/workbench", response=WorkbenchPageOut)
def workbench(request, view: str = "mine", case_type: str = "", state: str = "", town_code: str = "",
              grid_code: str = "", since: date | None = None, until: date | None = None,
              limit: Annotated[int, Field(ge=1, le=services.WORKBENCH_MAX_PAGE)] = 50, offset: Offset = 0):
    """The staff workbench over every case type: my tasks (``mine``), my organisation's (``org``) or overdue
    (``overdue``) cases, filtered by type, state, town, grid and creation day (北京时间, [since, until))."""
    user = _user(request)
    authz.require(request, "cases.view" if view == "org" else "cases.act", user.organisation_id)
    lo, hi = _period(since, until)
    page = services.workbench_page(user, services.WorkbenchFilters(
        view=view, case_type=case_type, state=state, town_code=town_code, grid_code=grid_code, since=lo, until=hi),
        limit=limit, offset=offset)
    return {"items": page.rows, "count": page.count}


@router.post("/workbench/bulk", response=BulkOut)
def workbench_bulk(request, payload: BulkIn):
    """Take one step on many cases at once (a step that asks for nothing but a note); per case: done or why not."""
    user = _user(request)
    authz.require(request, "cases.act", user.organisation_id)
    result = services.workbench_bulk(user, payload.ids, payload.step, note=payload.note)
    return {"done": result.done, "failed": result.failed}


@router.get("/types/{key}/forms/{name}", response=dict)
def form(request, key: str, name: str):
    """A case type's form: the document (fields, labels, conditions) and the JSON Schema of its answers (also in
    this OpenAPI document as ``CaseForm_<type>_<name>``)."""
    _user(request)
    found = services.form_of(key, name)
    if found is None:
        raise ApiError(404, "not-found")
    return found


@router.post("/filings", response={201: CaseDetailOut})
def file_with_uploads(request):
    """File a case whose filing form has file fields: ``multipart/form-data`` with ``case_type``, ``title``,
    optional ``category``, ``description``, ``lon``, ``lat``, ``grid_code``, ``address``, ``data`` (the form's
    answers as a JSON object) and one file part per file field, named by its key."""
    user = _user(request)
    authz.require(request, "cases.create")
    post = request.POST
    try:
        data = jsonparse.loads(post.get("data") or "{}")
    except jsonparse.JsonError as exc:
        raise ApiError(422, "invalid", str(exc), field="data") from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", "data is a JSON object", field="data")
    coords = {}
    for name in ("lon", "lat"):
        raw = post.get(name, "").strip()
        try:
            coords[name] = float(raw) if raw else None
        except ValueError:
            raise ApiError(422, "invalid", f"{name} is a number", field=name) from None
    case = services.file_case(user, post.get("case_type", ""), title=post.get("title", "").strip(),
                              category=post.get("category", ""), description=post.get("description", ""),
                              grid_code=post.get("grid_code", ""), address=post.get("address", ""), data=data,
                              uploads={k: request.FILES[k] for k in request.FILES}, source="api", **coords)
    return Status(201, detail(case, user))
