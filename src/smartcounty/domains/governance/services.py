"""Grid-governance services: grid workers, field events and statistics by town and grid."""

from django.db import transaction
from django.utils import timezone

from smartcounty.domains.governance.catalogue import CASE_TYPE, CATEGORIES
from smartcounty.domains.governance.models import GridWorker
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.places import services as places
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError

CASE_TYPE_KEY = CASE_TYPE.key


def configure(*, centre_organisation_id: int, supervisor_organisation_id: int | None, actor=None) -> None:
    """The governance centre (综治中心: 受理, 分流, 回访) and the supervising office."""
    cases.configure_case_type(CASE_TYPE_KEY, owner_organisation_id=centre_organisation_id,
                              supervisor_organisation_id=supervisor_organisation_id, actor=actor)


def route_category(category: str, organisation_id: int, *, actor=None) -> None:
    if category not in CATEGORIES:
        raise ApiError(422, "invalid", f"unknown category {category!r}", field="category")
    cases.set_assignment_rule(CASE_TYPE_KEY, "category", category, organisation_id, actor=actor)


def assign_worker(user, grid_code: str, *, actor=None, since=None) -> GridWorker:
    """Make ``user`` (a grid worker) responsible for a grid."""
    if getattr(user, "role", "") != "grid_worker":
        raise ApiError(422, "invalid", "only users with the grid-worker role look after grids", field="user_id")
    grid = places.grid(grid_code)
    if grid is None:
        raise ApiError(422, "invalid", f"unknown grid {grid_code!r}", field="grid_code")
    with transaction.atomic():
        worker, _ = GridWorker.objects.update_or_create(
            user=user, grid_code=grid_code,
            defaults={"town_code": grid.town_code, "is_active": True, "since": since or timezone.localdate()})
        audit.record("governance.assign_worker", actor=actor, obj=worker,
                     detail={"user": user.username, "grid": grid_code})
    return worker


def release_worker(user, grid_code: str, *, actor=None) -> None:
    with transaction.atomic():
        n = GridWorker.objects.filter(user=user, grid_code=grid_code, is_active=True).update(is_active=False)
        if n:
            audit.record("governance.release_worker", actor=actor, object_type="governance.gridworker",
                         object_id=f"{user.pk}:{grid_code}", detail={"user": user.username, "grid": grid_code})


def grids_of(user) -> list[str]:
    return list(GridWorker.objects.filter(user=user, is_active=True).order_by("grid_code")
                .values_list("grid_code", flat=True))


def workers(*, grid_code=None, town_code=None):
    qs = GridWorker.objects.filter(is_active=True).select_related("user")
    if grid_code:
        qs = qs.filter(grid_code=grid_code)
    if town_code:
        qs = qs.filter(town_code=town_code)
    return qs.order_by("grid_code", "user_id")


def report_event(worker, *, category: str, title: str = "", description: str = "", lon=None, lat=None,
                 grid_code: str = "", address: str = "", now=None):
    """A grid worker reports a field event in one of their grids (by the location, or the grid given,
    or their only grid)."""
    if category not in CATEGORIES:
        raise ApiError(422, "invalid", f"unknown category {category!r}", field="category")
    mine = grids_of(worker)
    if not mine:
        raise ApiError(403, "forbidden", "you are not a grid worker of any grid")
    if not grid_code and lon is not None and lat is not None:
        where = cases.locate(lon, lat)
        grid_code = (getattr(where, "grid_code", "") or "") if where else ""
    if not grid_code and len(mine) == 1:
        grid_code = mine[0]
    if grid_code not in mine:
        raise ApiError(403, "forbidden", f"grid {grid_code or '?'} is not one of your grids", field="grid_code")
    grid = places.grid(grid_code)
    return cases.create_case(CASE_TYPE_KEY, title=(title or CATEGORIES[category][0])[:200], category=category,
                             description=description, lon=lon, lat=lat, grid_code=grid_code,
                             town_code=grid.town_code if grid else "", address=address, reporter=worker,
                             source="grid_worker", actor=worker, now=now)


def statistics(by: str, *, since=None, until=None, user, town_code=None):
    """Figures by town or grid. The centre, the supervisor and platform admins see all; others their own."""
    if by not in ("town", "grid", "category", "organisation"):
        raise ApiError(422, "invalid", "by must be town, grid, category or organisation", field="by")
    org = None if cases.sees_all_of_type(user, CASE_TYPE_KEY) else (user.organisation_id or -1)
    return cases.statistics(by, since=since, until=until, case_type=CASE_TYPE_KEY, organisation_id=org,
                            town_code=town_code)
