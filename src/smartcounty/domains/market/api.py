"""Market supervision API (/api/v1/market/): special equipment with its due dates, inspections and the
interval table; food businesses with assessments and inspections; the CSV import. Every endpoint asks for a
``market.*`` permission on the county market supervision bureau (``services.reader``/``services.require``)."""

from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from smartcounty.domains.market import services
from smartcounty.domains.market.schemas import (
    AssessmentIn,
    BusinessIn,
    EquipmentIn,
    FoodInspectionIn,
    InspectionIn,
    IntervalIn,
)
from smartcounty.kernel import authz
from smartcounty.kernel.api import Id, Pagination
from smartcounty.kernel.problems import ApiError

router = Router(tags=["market"])


def _viewer(request):
    user = authz.require(request, "market.view")
    scope = services.reader(user)
    if not scope.sees:
        raise ApiError(403, "forbidden")
    return user, scope


def _doer(request, verb: str):
    user = authz.require(request, f"market.{verb}")
    services.require(user, verb)
    return user


@router.get("/equipment", response=list[dict])
@paginate(Pagination)
def list_equipment(request, state: str = "", kind: str = "", town: str = "", unit: str = "", q: str = ""):
    _user, scope = _viewer(request)
    return services.equipment_list(scope, state=state, kind=kind, town_code=town[:9], unit_uscc=unit[:18], q=q[:40])


@router.get("/equipment/summary", response=dict)
def summary(request):
    _user, scope = _viewer(request)
    return services.due_summary(scope, by_kind=True)


@router.get("/equipment/{equipment_id}", response=dict)
def get_equipment(request, equipment_id: Id):
    _user, scope = _viewer(request)
    d = services.equipment_detail(scope, equipment_id)
    if d is None:
        raise ApiError(404, "not-found")
    return d


@router.post("/equipment", response={201: dict})
def create_equipment(request, payload: EquipmentIn):
    user = _doer(request, "manage")
    pk = services.create_equipment(**payload.dict(), actor=user)
    return Status(201, services.equipment_detail(services.reader(user), pk))


@router.post("/equipment/{equipment_id}/inspections", response={201: dict})
def record_inspection(request, equipment_id: Id, payload: InspectionIn):
    user = _doer(request, "inspect")
    return Status(201, services.record_inspection(equipment_id, **payload.dict(), actor=user))


@router.get("/units/{uscc}", response=dict)
def unit(request, uscc: str):
    _user, scope = _viewer(request)
    info = services.unit_info(scope, uscc[:18])
    if info is None:
        raise ApiError(404, "not-found")
    return {**info, **services.unit_counts(scope, info["uscc"])}


@router.get("/intervals", response=list[dict])
def intervals(request):
    _viewer(request)
    return services.kind_rules()


@router.put("/intervals/{kind}", response=dict)
def set_interval(request, kind: str, payload: IntervalIn):
    user = _doer(request, "configure")
    moved = services.set_interval(kind[:16], payload.interval_months, basis=payload.basis, actor=user)
    return {"kind": kind, "interval_months": payload.interval_months, "moved": moved}


@router.post("/check-due", response=dict)
def check_due(request):
    _doer(request, "configure")
    return services.check_due()


@router.post("/imports", response={200: dict})
def import_equipment(request, file: File[UploadedFile]):
    user = _doer(request, "manage")
    result = services.import_csv(file.read(), file.name or "", actor=user)
    if result["errors"]:
        raise ApiError(422, "invalid-file", f"{len(result['errors'])} problems; nothing was imported",
                       field="file", errors=result["errors"])
    return result


@router.get("/food", response=list[dict])
@paginate(Pagination)
def list_food(request, grade: str = "", town: str = "", overdue: bool = False, q: str = ""):
    _user, scope = _viewer(request)
    return services.businesses(scope, grade=grade[:1], town_code=town[:9], overdue=overdue, q=q[:40])


@router.get("/food/{business_id}", response=dict)
def get_food(request, business_id: Id):
    _user, scope = _viewer(request)
    d = services.business_detail(scope, business_id)
    if d is None:
        raise ApiError(404, "not-found")
    return d


@router.post("/food", response={201: dict})
def create_food(request, payload: BusinessIn):
    user = _doer(request, "manage")
    pk = services.create_business(**payload.dict(), actor=user)
    return Status(201, services.business_detail(services.reader(user), pk))


@router.post("/food/{business_id}/assessments", response={201: dict})
def assess(request, business_id: Id, payload: AssessmentIn):
    user = _doer(request, "inspect")
    return Status(201, services.assess(business_id, **payload.dict(), actor=user))


@router.post("/food/{business_id}/inspections", response={201: dict})
def inspect(request, business_id: Id, payload: FoodInspectionIn):
    user = _doer(request, "inspect")
    return Status(201, services.inspect(business_id, **payload.dict(), actor=user))
