"""Enterprise service requests to their park, carried as cases of ``economy.park_service``."""

from django.db import transaction
from django.utils.translation import gettext as _

from smartcounty.domains.economy.catalogue import CASE_TYPE, CATEGORIES
from smartcounty.domains.economy.models import Enterprise, ServiceRequest
from smartcounty.domains.economy.services import registry
from smartcounty.foundation.cases import services as cases
from smartcounty.kernel.problems import ApiError

CASE_TYPE_KEY = CASE_TYPE.key


def configure(*, actor=None) -> None:
    """The registry's organisation owns the type (it revisits); each request goes to its park's organisation."""
    cases.configure_case_type(CASE_TYPE_KEY, owner_organisation_id=registry.owner_organisation_id(),
                              supervisor_organisation_id=None, actor=actor)


@transaction.atomic
def request_service(enterprise_id: int, *, category: str, title: str, description: str = "", actor=None) -> dict:
    if category not in CATEGORIES:
        raise ApiError(422, "invalid", _("unknown kind of request"), field="category")
    ent = Enterprise.objects.select_related("park").filter(pk=enterprise_id).first()
    if ent is None:
        raise ApiError(404, "not-found")
    if ent.park is None or ent.park.organisation_id is None:
        raise ApiError(422, "invalid", _("the enterprise is in no park with a managing organisation"),
                       field="enterprise_id")
    case = cases.create_case(CASE_TYPE_KEY, title=title[:200] or CATEGORIES[category][0], category=category,
                             description=description, town_code=ent.town_code, organisation_id=ent.park.organisation_id,
                             external_ref=ent.uscc, data={"enterprise": ent.name}, source="park", actor=actor)
    ServiceRequest.objects.create(enterprise=ent, park=ent.park, case_id=case.pk, number=case.number,
                                  category=category, title=case.title)
    return {"case_id": case.pk, "number": case.number, "state": case.state}


def requests_of_park(scope: registry.Scope, park_id: int, *, limit: int = 50, viewer=None) -> list[dict]:
    """A park's service requests, newest first; ``may_open``: whether ``viewer`` may open the request's case
    (other departments read the registry but not every park's cases)."""
    registry.park_in_scope(scope, park_id)
    rows = list(ServiceRequest.objects.filter(park_id=park_id).select_related("enterprise").order_by("-id")[:limit])
    states = dict(cases.cases_of_type(CASE_TYPE_KEY).filter(pk__in=[r.case_id for r in rows])
                  .values_list("id", "state"))
    names = {s.key: str(s.title) for s in CASE_TYPE.states}
    openable = cases.visible_case_ids(viewer, [r.case_id for r in rows])
    return [{"case_id": r.case_id, "may_open": r.case_id in openable, "number": r.number, "category": r.category,
             "category_name": CATEGORIES[r.category][0], "title": r.title, "enterprise": r.enterprise.name,
             "state": states.get(r.case_id, ""), "state_name": names.get(states.get(r.case_id, ""), ""),
             "created_at": r.created_at} for r in rows]
