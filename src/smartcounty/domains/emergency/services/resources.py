"""Emergency resources: create and change them, list them (paged, filtered by indexed columns), their map."""

from django.db import transaction
from django.utils.translation import gettext as _

from smartcounty.domains.emergency import catalogue
from smartcounty.domains.emergency.models import Resource, Shelter, TeamMember
from smartcounty.foundation.places import services as places
from smartcounty.kernel import audit, masking
from smartcounty.kernel.geo import check_lonlat
from smartcounty.kernel.problems import ApiError
from smartcounty.kernel.rows import Rows

KIND_NAMES = {"depot": "物资储备库", "team": "救援队伍", "expert": "应急专家", "vehicle": "救援车辆",
              "equipment": "救援装备"}
STATUS_NAMES = {"ready": "待命", "deployed": "已出动", "out": "停用"}
CLASS_NAMES = {k: v[0] for k, v in catalogue.SHELTER_CLASSES.items()}
LIST_FIELDS = ("id", "kind", "code", "name", "lon", "lat", "town_code", "status", "quantity", "skills",
               "contact_name", "contact_phone", "organisation_id")


def _where(lon, lat) -> tuple[float, float]:
    try:
        return check_lonlat(lon, lat)
    except ValueError:
        raise ApiError(422, "invalid", _("a longitude and latitude on Earth are needed"), field="lon") from None


def _town(town_code: str, lon: float, lat: float) -> str:
    if town_code:
        return town_code
    loc = places.locate(lon, lat)
    return (loc.town_code or "") if loc else ""


def create_resource(*, kind: str, code: str, name: str, lon: float, lat: float, town_code: str = "",
                    address: str = "", status: str = "ready", quantity: int = 1, skills: str = "",
                    contact_name: str = "", contact_phone: str = "", organisation_id: int | None = None,
                    actor=None) -> int:
    if kind not in KIND_NAMES:
        raise ApiError(422, "invalid", _("unknown kind of resource"), field="kind")
    if status not in STATUS_NAMES:
        raise ApiError(422, "invalid", _("unknown status"), field="status")
    lon, lat = _where(lon, lat)
    if Resource.objects.filter(code=code).exists():
        raise ApiError(409, "conflict", _("the code %(c)s is taken") % {"c": code}, field="code")
    with transaction.atomic():
        r = Resource.objects.create(kind=kind, code=code, name=name, lon=lon, lat=lat,
                                    town_code=_town(town_code, lon, lat), address=address, status=status,
                                    quantity=0 if kind == "depot" else quantity, skills=skills,
                                    contact_name=contact_name, contact_phone=contact_phone,
                                    organisation_id=organisation_id)
        audit.record("emergency.resource.create", actor=actor, obj=r, detail={"kind": kind, "code": code})
    return r.id


def set_status(resource_id: int, status: str, *, actor) -> dict:
    if status not in STATUS_NAMES:
        raise ApiError(422, "invalid", _("unknown status"), field="status")
    with transaction.atomic():
        r = Resource.objects.select_for_update().filter(pk=resource_id).first()
        if r is None:
            raise ApiError(404, "not-found")
        before, r.status = r.status, status
        r.save(update_fields=["status"])
        audit.record("emergency.resource.status", actor=actor, obj=r, detail={"from": before, "to": status})
    return {"id": r.id, "status": status}


def add_member(team_id: int, *, name: str, phone: str = "", skills: str = "", actor=None) -> int:
    with transaction.atomic():
        team = Resource.objects.select_for_update().filter(pk=team_id, kind=Resource.Kind.TEAM).first()
        if team is None:
            raise ApiError(404, "not-found", _("no such rescue team"))
        m = TeamMember.objects.create(team=team, name=name[:40], phone=phone[:20], skills=skills[:200])
        team.quantity = team.members.count()
        team.save(update_fields=["quantity"])
        audit.record("emergency.member.add", actor=actor, obj=m, detail={"team": team.code})
    return m.id


def members(team_id: int, *, unmasked: bool = False) -> list[dict]:
    """A team's members; phones masked unless the caller holds the grant to see them (audited by the caller)."""
    out = []
    for m in TeamMember.objects.filter(team_id=team_id).order_by("name", "id").values(
            "id", "name", "phone", "skills", "on_duty"):
        if not unmasked:
            m["name"], m["phone"] = masking.mask_name(m["name"]), masking.mask_phone(m["phone"])
        out.append(m)
    return out


def create_shelter(*, code: str, name: str, shelter_class: str, lon: float, lat: float, effective_area_m2: int,
                   service_radius_m: int | None = None, capacity: int | None = None, town_code: str = "",
                   address: str = "", contact_name: str = "", contact_phone: str = "", actor=None) -> int:
    if shelter_class not in catalogue.SHELTER_CLASSES:
        raise ApiError(422, "invalid", _("unknown shelter class"), field="shelter_class")
    lon, lat = _where(lon, lat)
    most = catalogue.shelter_capacity(shelter_class, effective_area_m2)
    capacity = most if capacity is None else capacity
    if capacity > most:
        raise ApiError(422, "invalid", _("a %(cls)s of %(a)s m² takes at most %(n)s persons")
                       % {"cls": CLASS_NAMES[shelter_class], "a": effective_area_m2, "n": most}, field="capacity")
    radius = catalogue.SHELTER_CLASSES[shelter_class][3]
    service_radius_m = radius if service_radius_m is None else service_radius_m
    if not 0 < service_radius_m <= radius:
        raise ApiError(422, "invalid", _("the service radius of a %(cls)s is at most %(r)s m")
                       % {"cls": CLASS_NAMES[shelter_class], "r": radius}, field="service_radius_m")
    if Shelter.objects.filter(code=code).exists():
        raise ApiError(409, "conflict", _("the code %(c)s is taken") % {"c": code}, field="code")
    with transaction.atomic():
        s = Shelter.objects.create(code=code, name=name, shelter_class=shelter_class, lon=lon, lat=lat,
                                   town_code=_town(town_code, lon, lat), address=address,
                                   effective_area_m2=effective_area_m2, capacity=capacity,
                                   service_radius_m=service_radius_m, contact_name=contact_name,
                                   contact_phone=contact_phone)
        audit.record("emergency.shelter.create", actor=actor, obj=s, detail={"code": code, "class": shelter_class})
    return s.id


def set_occupied(shelter_id: int, occupied: int, *, actor) -> dict:
    with transaction.atomic():
        s = Shelter.objects.select_for_update().filter(pk=shelter_id).first()
        if s is None:
            raise ApiError(404, "not-found")
        if not 0 <= occupied <= s.capacity:
            raise ApiError(422, "invalid", _("between 0 and the capacity (%(n)s)") % {"n": s.capacity},
                           field="occupied")
        s.occupied = occupied
        s.save(update_fields=["occupied"])
        audit.record("emergency.shelter.occupied", actor=actor, obj=s, detail={"occupied": occupied})
    return {"id": s.id, "occupied": occupied, "free": s.capacity - occupied}


def _resource_row(r: dict) -> dict:
    return {**r, "kind_name": KIND_NAMES.get(r["kind"], r["kind"]), "status_name": STATUS_NAMES.get(r["status"], ""),
            "contact_phone": masking.mask_phone(r["contact_phone"])}


def resource_list(*, kind: str = "", town_code: str = "", status: str = "", q: str = "") -> Rows:
    qs = Resource.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if town_code:
        qs = qs.filter(town_code=town_code)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(name__contains=q)
    return Rows(qs.order_by("kind", "code"), _resource_row, fields=LIST_FIELDS)


def resource_detail(resource_id: int) -> dict | None:
    r = Resource.objects.filter(pk=resource_id).values(*LIST_FIELDS, "address").first()
    return _resource_row(r) if r else None


def _shelter_row(s: dict) -> dict:
    return {**s, "class_name": CLASS_NAMES.get(s["shelter_class"], ""), "free": s["capacity"] - s["occupied"],
            "contact_phone": masking.mask_phone(s.get("contact_phone", ""))}


SHELTER_FIELDS = ("id", "code", "name", "shelter_class", "lon", "lat", "town_code", "effective_area_m2", "capacity",
                  "occupied", "service_radius_m", "contact_name", "contact_phone")


def shelter_list(*, town_code: str = "", shelter_class: str = "") -> Rows:
    qs = Shelter.objects.all()
    if town_code:
        qs = qs.filter(town_code=town_code)
    if shelter_class:
        qs = qs.filter(shelter_class=shelter_class)
    return Rows(qs.order_by("code"), _shelter_row, fields=SHELTER_FIELDS)


def counts() -> dict:
    """Resources by kind, shelters and their free places: a few aggregate queries."""
    from django.db.models import Count, Q, Sum

    rows = Resource.objects.order_by().values("kind").annotate(n=Count("id"), r=Count("id", filter=Q(status="ready")))
    by_kind = {r["kind"]: r["n"] for r in rows}
    ready = {r["kind"]: r["r"] for r in rows}
    sh = Shelter.objects.aggregate(n=Count("id"), cap=Sum("capacity"), occ=Sum("occupied"))
    return {"kinds": [{"kind": k, "name": n, "total": by_kind.get(k, 0), "ready": ready.get(k, 0)}
                      for k, n in KIND_NAMES.items()],
            "resources": sum(by_kind.values()), "shelters": sh["n"] or 0,
            "shelter_capacity": sh["cap"] or 0, "shelter_free": (sh["cap"] or 0) - (sh["occ"] or 0)}


MAP_LIMIT = 2000


def map_points(bbox=None, *, limit: int = MAP_LIMIT) -> dict:
    """Resources and shelters for the map (inside ``bbox`` when given), at most ``limit`` of each."""
    rq, sq = Resource.objects.all(), Shelter.objects.all()
    if bbox:
        w, s, e, n = bbox
        rq = rq.filter(lat__gte=s, lat__lte=n, lon__gte=w, lon__lte=e)
        sq = sq.filter(lat__gte=s, lat__lte=n, lon__gte=w, lon__lte=e)
    res = [{"id": r["id"], "kind": r["kind"], "name": r["name"], "lon": r["lon"], "lat": r["lat"],
            "label": KIND_NAMES[r["kind"]], "status": r["status"]}
           for r in rq.order_by("id").values("id", "kind", "name", "lon", "lat", "status")[:limit]]
    shel = [{"id": s["id"], "kind": "shelter", "name": s["name"], "lon": s["lon"], "lat": s["lat"],
             "label": CLASS_NAMES[s["shelter_class"]], "radius": s["service_radius_m"],
             "free": s["capacity"] - s["occupied"]}
            for s in sq.order_by("id").values("id", "name", "lon", "lat", "shelter_class", "service_radius_m",
                                              "capacity", "occupied")[:limit]]
    return {"resources": res, "shelters": shel}
