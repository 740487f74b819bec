"""Emergency management API (/api/v1/emergency/): resources, shelters, the stock ledger, imports, incidents with
their command view, tasks, warnings (JSON and CAP 1.2 XML) and the situation report. Reads ask for
``emergency.view``, incident work for ``emergency.command``, resources and stock for ``emergency.manage``, each on
the emergency bureau or the fire brigade (``services.reader``/``services.require``). The CAP feed of warnings in
force is public, as warnings are."""

from typing import Annotated

from django.http import HttpResponse
from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from smartcounty.domains.emergency import services
from smartcounty.domains.emergency.schemas import (
    CloseIn,
    CountIn,
    FromAlertIn,
    FromCaseIn,
    IncidentIn,
    LevelIn,
    LinkIn,
    MemberIn,
    MoveIn,
    NoteIn,
    OccupiedIn,
    ResourceIn,
    ShelterIn,
    StatusIn,
    TaskIn,
    TransferIn,
    WarningIn,
)
from smartcounty.kernel import audit, authz
from smartcounty.kernel.api import Id, Pagination
from smartcounty.kernel.problems import ApiError

router = Router(tags=["emergency"])


def _viewer(request):
    user = authz.require(request, "emergency.view")
    if not services.reader(user).sees:
        raise ApiError(403, "forbidden")
    return user


def _doer(request, verb: str):
    user = authz.require(request, f"emergency.{verb}")
    services.require(user, verb)
    return user


def _found(value):
    if value is None:
        raise ApiError(404, "not-found")
    return value


# ---- resources -----------------------------------------------------------------------------------

@router.get("/resources", response=list[dict])
@paginate(Pagination)
def list_resources(request, kind: str = "", town: str = "", status: str = "", q: str = ""):
    _viewer(request)
    return services.resource_list(kind=kind[:12], town_code=town[:9], status=status[:10], q=q[:40])


@router.get("/resources/summary", response=dict)
def resource_summary(request):
    _viewer(request)
    return services.counts()


@router.get("/resources/nearest", response=dict)
def nearest(request, lon: Annotated[float, Field(ge=73, le=136)], lat: Annotated[float, Field(ge=3, le=54)],
            k: Annotated[int, Field(ge=1, le=20)] = 5, within_m: Annotated[int, Field(ge=0, le=50_000)] = 5000):
    _viewer(request)
    return {"resources": services.nearest(lon, lat, k=k, within_m=within_m),
            "shelters": services.covering_shelters(lon, lat)[:20]}


@router.get("/resources/{resource_id}", response=dict)
def get_resource(request, resource_id: Id):
    user = _viewer(request)
    r = _found(services.resource_detail(resource_id))
    if r["kind"] == "team":
        unmasked = services.may(user, "manage")
        r["members"] = services.members(resource_id, unmasked=unmasked)
        if unmasked:
            audit.record("emergency.members.read", actor=user, object_type="emergency.resource",
                         object_id=str(resource_id))
    if r["kind"] == "depot":
        r["stock"] = services.stock_of(resource_id)
    return r


@router.post("/resources", response={201: dict})
def create_resource(request, payload: ResourceIn):
    user = _doer(request, "manage")
    pk = services.create_resource(**payload.dict(), actor=user)
    return Status(201, services.resource_detail(pk))


@router.put("/resources/{resource_id}/status", response=dict)
def set_status(request, resource_id: Id, payload: StatusIn):
    user = _doer(request, "manage")
    return services.set_status(resource_id, payload.status, actor=user)


@router.post("/teams/{team_id}/members", response={201: dict})
def add_member(request, team_id: Id, payload: MemberIn):
    user = _doer(request, "manage")
    return Status(201, {"id": services.add_member(team_id, **payload.dict(), actor=user)})


@router.get("/shelters", response=list[dict])
@paginate(Pagination)
def list_shelters(request, town: str = "", shelter_class: str = ""):
    _viewer(request)
    return services.shelter_list(town_code=town[:9], shelter_class=shelter_class[:8])


@router.post("/shelters", response={201: dict})
def create_shelter(request, payload: ShelterIn):
    user = _doer(request, "manage")
    return Status(201, {"id": services.create_shelter(**payload.dict(), actor=user)})


@router.put("/shelters/{shelter_id}/occupied", response=dict)
def set_occupied(request, shelter_id: Id, payload: OccupiedIn):
    user = _doer(request, "manage")
    return services.set_occupied(shelter_id, payload.occupied, actor=user)


# ---- stock ledger --------------------------------------------------------------------------------

@router.get("/items", response=list[dict])
def items(request):
    _viewer(request)
    return services.items()


@router.get("/depots/{depot_id}/ledger", response=list[dict])
@paginate(Pagination)
def depot_ledger(request, depot_id: Id, item: Id | None = None):
    _viewer(request)
    return services.ledger(depot_id, item_id=item)


@router.post("/depots/{depot_id}/receive", response={201: dict})
def receive(request, depot_id: Id, payload: MoveIn):
    user = _doer(request, "manage")
    return Status(201, services.receive(depot_id, payload.item_id, payload.quantity, note=payload.note,
                                        incident_id=payload.incident_id, actor=user))


@router.post("/depots/{depot_id}/issue", response={201: dict})
def issue(request, depot_id: Id, payload: MoveIn):
    user = _doer(request, "manage")
    return Status(201, services.issue(depot_id, payload.item_id, payload.quantity, note=payload.note,
                                      incident_id=payload.incident_id, actor=user))


@router.post("/depots/{depot_id}/transfer", response={201: list[dict]})
def transfer(request, depot_id: Id, payload: TransferIn):
    user = _doer(request, "manage")
    return Status(201, services.transfer(depot_id, payload.to_depot_id, payload.item_id, payload.quantity,
                                         note=payload.note, incident_id=payload.incident_id, actor=user))


@router.post("/depots/{depot_id}/count", response={201: dict})
def stock_count(request, depot_id: Id, payload: CountIn):
    user = _doer(request, "manage")
    return Status(201, services.count(depot_id, payload.item_id, payload.counted, note=payload.note, actor=user))


def _imported(result: dict) -> dict:
    if result["errors"]:
        raise ApiError(422, "invalid-file", f"{len(result['errors'])} problems; nothing was imported",
                       field="file", errors=result["errors"])
    return result


@router.post("/imports/resources", response=dict)
def import_resources(request, file: File[UploadedFile]):
    user = _doer(request, "manage")
    return _imported(services.import_resources(file.read(), file.name or "", actor=user))


@router.post("/imports/stock", response=dict)
def import_stock(request, file: File[UploadedFile]):
    user = _doer(request, "manage")
    return _imported(services.import_stock(file.read(), file.name or "", actor=user))


# ---- incidents -----------------------------------------------------------------------------------

@router.get("/incidents", response=list[dict])
@paginate(Pagination)
def list_incidents(request, state: str = "", level: Annotated[int, Field(ge=1, le=4)] | None = None):
    _viewer(request)
    if state not in ("", "open", "closed"):
        raise ApiError(422, "invalid", "state is open or closed", field="state")
    return services.incident_list(state=state, level=level)


@router.post("/incidents", response={201: dict})
def open_incident(request, payload: IncidentIn):
    user = _doer(request, "command")
    return Status(201, services.incident_detail(services.open_incident(**payload.dict(), actor=user)))


@router.post("/incidents/from-alert", response={201: dict})
def from_alert(request, payload: FromAlertIn):
    user = _doer(request, "command")
    pk = services.open_from_alert(payload.alert_id, level=payload.level, radius_m=payload.radius_m, actor=user)
    return Status(201, services.incident_detail(pk))


@router.post("/incidents/from-case", response={201: dict})
def from_case(request, payload: FromCaseIn):
    user = _doer(request, "command")
    pk = services.open_from_case(payload.case_id, level=payload.level, kind=payload.kind,
                                 radius_m=payload.radius_m, actor=user)
    return Status(201, services.incident_detail(pk))


@router.get("/incidents/{incident_id}", response=dict)
def command_view(request, incident_id: Id):
    _viewer(request)
    return _found(services.command_view(incident_id))


@router.post("/incidents/{incident_id}/links", response={201: dict})
def link(request, incident_id: Id, payload: LinkIn):
    user = _doer(request, "command")
    return Status(201, services.link(incident_id, payload.kind, payload.ref_id, actor=user))


@router.put("/incidents/{incident_id}/level", response=dict)
def set_level(request, incident_id: Id, payload: LevelIn):
    user = _doer(request, "command")
    return services.set_level(incident_id, payload.level, note=payload.note, actor=user)


@router.post("/incidents/{incident_id}/notes", response={201: dict})
def note(request, incident_id: Id, payload: NoteIn):
    user = _doer(request, "command")
    return Status(201, services.add_note(incident_id, payload.text, actor=user))


@router.post("/incidents/{incident_id}/tasks", response={201: dict})
def give_task(request, incident_id: Id, payload: TaskIn):
    user = _doer(request, "command")
    return Status(201, services.give_task(incident_id, payload.team_id, title=payload.title,
                                          deadline_minutes=payload.deadline_minutes, actor=user))


@router.post("/incidents/{incident_id}/warnings", response={201: dict})
def publish_warning(request, incident_id: Id, payload: WarningIn):
    user = _doer(request, "command")
    return Status(201, services.publish_warning(incident_id, **payload.dict(), actor=user))


@router.post("/warnings/{warning_id}/withdraw", response=dict)
def withdraw_warning(request, warning_id: Id):
    user = _doer(request, "command")
    return services.withdraw_warning(warning_id, actor=user)


@router.post("/incidents/{incident_id}/close", response=dict)
def close(request, incident_id: Id, payload: CloseIn):
    user = _doer(request, "command")
    return services.close_incident(incident_id, payload.review, actor=user)


@router.get("/incidents/{incident_id}/report.pdf")
def report_pdf(request, incident_id: Id):
    _viewer(request)
    data = _found(services.situation(incident_id))
    resp = HttpResponse(services.situation_pdf(data), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="situation-{data["incident"]["number"]}.pdf"'
    return resp


# ---- public warnings -----------------------------------------------------------------------------

@router.get("/warnings", response=list[dict], auth=None)
def warnings_in_force(request):
    """Warnings in force (public, as the portal shows them)."""
    return [{k: w[k] for k in ("identifier", "headline", "instruction", "area_desc", "level", "colour", "event",
                               "sent_at", "lon", "lat", "radius_m")} for w in services.warnings_in_force()]


@router.get("/warnings/{identifier}/cap.xml", auth=None)
def cap(request, identifier: str):
    """The warning as CAP 1.2 XML: ``Alert`` while in force, ``Cancel`` once withdrawn (public)."""
    w = _found(services.warning_by_identifier(identifier[:80]))
    return HttpResponse(services.cap_xml(w), content_type="application/cap+xml; charset=utf-8")
