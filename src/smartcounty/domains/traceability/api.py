"""Traceability API (/api/v1/traceability/): batches, EPCIS-style events, traces, recall, chain check;
the public trace of a code (``auth=None``)."""

from django.http import HttpResponse
from ninja import Router, Status
from ninja.pagination import paginate

from smartcounty.domains.traceability import services
from smartcounty.domains.traceability.schemas import BatchIn, EventIn, InspectIn, RecallIn, TransformIn
from smartcounty.kernel import authz
from smartcounty.kernel.api import Pagination
from smartcounty.kernel.problems import ApiError

router = Router(tags=["traceability"])


def _user(request, verb: str, org):
    user = authz.require(request, f"traceability.{verb}")
    services.require(user, verb, org)
    return user


def _org_of(code: str):
    return services.batch_org(code)


@router.get("/batches", response=list[dict])
@paginate(Pagination)
def list_batches(request, q: str = ""):
    user = authz.require(request, "traceability.view")
    sup = services.supervisor_id()
    if authz.user_has_perm(user, "traceability.view", sup or -1):
        return services.batches(all_orgs=True, q=q[:40])
    if not user.organisation_id:
        raise ApiError(403, "forbidden")
    return services.batches(organisation_id=user.organisation_id, q=q[:40])


@router.post("/batches", response={201: dict})
def create_batch(request, payload: BatchIn):
    user = authz.require(request, "traceability.record")
    services.require(user, "record", user.organisation_id)
    d = payload.dict()
    b = services.create_batch(product=d["product"], quantity=d["quantity"], unit=d["unit"], stage=d["stage"],
                              producer_kind=d["producer_kind"], producer_code=d["producer_code"],
                              producer_name=d["producer_name"], origin=d["origin"], place=d["place"], lon=d["lon"],
                              lat=d["lat"], when=d["time"], readings=d["readings"],
                              organisation_id=user.organisation_id, actor=user)
    return Status(201, services.batch_out(b))


@router.post("/batches/{code}/events", response={201: dict})
def add_event(request, code: str, payload: EventIn):
    user = _user(request, "record", _org_of(code))
    d = payload.dict()
    ev = services.record(code, d["kind"], actor=user, when=d["time"], place=d["place"], lon=d["lon"], lat=d["lat"],
                         readings=d["readings"], note=d["note"])
    return Status(201, {"id": ev.id, "hash": ev.hash})


@router.post("/transformations", response={201: list[dict]})
def transform(request, payload: TransformIn):
    d = payload.dict()
    orgs = {_org_of(c) for c in d["inputs"]}
    user = authz.require(request, "traceability.record")
    for org in orgs:
        services.require(user, "record", org)
    outs = services.transform(d["inputs"], d["outputs"], kind=d["kind"], actor=user, when=d["time"],
                              place=d["place"], readings=d["readings"], stage=d["stage"])
    return Status(201, [services.batch_out(b) for b in outs])


@router.post("/batches/{code}/inspections", response={201: dict})
def inspect(request, code: str, payload: InspectIn):
    user = _user(request, "inspect", _org_of(code))
    d = payload.dict()
    ev = services.inspect(code, passed=d["passed"], actor=user, place=d["place"], readings=d["readings"],
                          note=d["note"])
    return Status(201, {"id": ev.id, "result": ev.result})


@router.post("/batches/{code}/recall", response=dict)
def recall(request, code: str, payload: RecallIn):
    user = _user(request, "recall", _org_of(code))
    return services.recall(code, reason=payload.reason, actor=user)


@router.get("/batches/{code}/trace", response=dict)
def trace(request, code: str, direction: str = "backward"):
    _user(request, "view", _org_of(code))
    return services.traced(code, direction)


@router.get("/verify", response=dict)
def verify(request):
    authz.require(request, "traceability.inspect", services.supervisor_id() or -1)
    v = services.verify()
    return {"ok": v.ok, "checked": v.checked, "broken_id": v.broken_id, "reason": v.reason}


@router.get("/public/{code}", response=dict, auth=None)
def public_trace(request, code: str):
    """The chain of a product from farm to shop (upstream of the code), personal data masked."""
    return services.traced(code, "backward", public=True)


@router.get("/public/{code}/epcis", auth=None)
def public_epcis(request, code: str):
    import json

    return HttpResponse(json.dumps(services.epcis_document(code), ensure_ascii=False, default=str),
                        content_type="application/ld+json")
