"""City-management services: reports (from residents, inspectors and Open311), components, API keys."""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction

from smartcounty.domains.citymgmt.catalogue import CASE_TYPE, CATEGORIES, CLOSED_STATES, category_name
from smartcounty.domains.citymgmt.models import Component, Open311Key, validate_component_code
from smartcounty.foundation.cases import services as cases
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError

DUPLICATE_RADIUS_M = 50
CASE_TYPE_KEY = CASE_TYPE.key


def report(*, category: str, description: str = "", lon=None, lat=None, address: str = "", title: str = "",
           reporter=None, reporter_name: str = "", reporter_contact: str = "", source: str = "public",
           data: dict | None = None, photo=None, now=None):
    """File a report as a city-management case in 信息采集; flag it when an open case of the same
    category lies within 50 m. ``photo`` is an uploaded file, checked like every attachment."""
    if category not in CATEGORIES:
        raise ApiError(422, "invalid", f"unknown category {category!r}", field="category")
    with transaction.atomic():
        case = cases.create_case(CASE_TYPE_KEY, title=(title or category_name(category))[:200], category=category,
                                 description=description, lon=lon, lat=lat, address=address, data=data,
                                 reporter=reporter, reporter_name=reporter_name, reporter_contact=reporter_contact,
                                 source=source, actor=reporter, now=now)
        if lon is not None and lat is not None:
            other = cases.nearby_open_case(CASE_TYPE_KEY, category, lon, lat, radius_m=DUPLICATE_RADIUS_M,
                                           exclude_id=case.pk)
            if other is not None:
                cases.mark_duplicate(case, other)
        if photo is not None:
            cases.add_attachment(case.pk, photo, actor=reporter, now=now)
    return case


def is_open(case) -> bool:
    return case.state not in CLOSED_STATES


def configure(*, centre_organisation_id: int, supervisor_organisation_id: int | None, actor=None) -> None:
    """The command centre (立案, 派遣, 核查, 结案) and the supervising office (overdue cases)."""
    cases.configure_case_type(CASE_TYPE_KEY, owner_organisation_id=centre_organisation_id,
                              supervisor_organisation_id=supervisor_organisation_id, actor=actor)


def route_category(category: str, organisation_id: int, *, actor=None) -> None:
    if category not in CATEGORIES:
        raise ApiError(422, "invalid", f"unknown category {category!r}", field="category")
    cases.set_assignment_rule(CASE_TYPE_KEY, "category", category, organisation_id, actor=actor)


def route_grid(grid_code: str, organisation_id: int, *, actor=None) -> None:
    cases.set_assignment_rule(CASE_TYPE_KEY, "grid", grid_code, organisation_id, actor=actor)


# ----- components -----

def create_component(*, code: str, name: str = "", lon: float, lat: float, owner_organisation_id=None,
                     status: str = Component.Status.NORMAL, actor=None) -> Component:
    try:
        validate_component_code(code)
    except ValidationError as exc:
        raise ApiError(422, "invalid", " ".join(exc.messages), field="code") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ApiError(422, "invalid", "coordinates out of range", field="lon")
    if status not in Component.Status.values:
        raise ApiError(422, "invalid", f"unknown status {status!r}", field="status")
    if Component.objects.filter(code=code).exists():
        raise ApiError(409, "conflict", f"component {code} already exists", field="code")
    where = cases.locate(lon, lat)
    with transaction.atomic():
        comp = Component.objects.create(
            code=code, category=f"C{code[6:10]}", name=name or category_name(f"C{code[6:10]}"), lon=lon, lat=lat,
            owner_organisation_id=owner_organisation_id, status=status,
            town_code=getattr(where, "town_code", "") or "", grid_code=getattr(where, "grid_code", "") or "")
        audit.record("citymgmt.component_create", actor=actor, obj=comp, detail={"code": code})
    return comp


def next_component_code(county: str, category: str) -> str:
    prefix = f"{county}{category[1:]}"
    last = Component.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    serial = int(last[10:]) + 1 if last else 1
    return f"{prefix}{serial:06d}"


def components(*, category=None, grid_code=None, town_code=None, status=None):
    qs = Component.objects.all()
    for field, value in (("category", category), ("grid_code", grid_code), ("town_code", town_code),
                         ("status", status)):
        if value:
            qs = qs.filter(**{field: value})
    return qs.order_by("code")


def component(code: str) -> Component | None:
    return Component.objects.filter(code=code).first()


# ----- Open311 API keys -----

def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_api_key(name: str, *, actor=None) -> tuple[Open311Key, str]:
    secret = "o311_" + secrets.token_urlsafe(24)
    with transaction.atomic():
        key = Open311Key.objects.create(name=name, digest=_digest(secret))
        audit.record("citymgmt.open311_key_issue", actor=actor, obj=key, detail={"name": name})
    return key, secret


def api_key_valid(secret: str | None) -> Open311Key | None:
    if not secret:
        return None
    return Open311Key.objects.filter(digest=_digest(secret), is_active=True).first()


def performance(by: str, *, since, until, user):
    """On-time, closure and rework rates and handling time per department or grid. The command centre,
    the supervising office and platform admins see every department; other departments their own."""
    org = None if cases.sees_all_of_type(user, CASE_TYPE_KEY) else (user.organisation_id or -1)
    return cases.statistics(by, since=since, until=until, case_type=CASE_TYPE_KEY, organisation_id=org)
