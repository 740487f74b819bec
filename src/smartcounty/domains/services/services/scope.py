"""Who sees which applications: one rule for pages, API and cockpit.

Platform administrators and the window (县行政审批服务局, which takes in every department's items) see every
application; a department's staff see only the applications of its own items (the one its review step
needs); a resident sees his own. The same rule as ``cases.visible_cases`` over the application's case: the
window is the case type's owning organisation, the department the case's responsible one."""

from dataclasses import dataclass

from smartcounty.domains.services.catalogue import WINDOW_CODE
from smartcounty.foundation.accounts import services as accounts
from smartcounty.kernel import authz
from smartcounty.kernel.problems import ApiError


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    organisation_id: int | None
    #: every application (platform admin, the window)
    all: bool
    #: may take in, review and decide (staff with services.handle)
    handles: bool
    #: a member of the window (may take in applications for anyone: 一窗受理)
    window: bool


def window_id() -> int | None:
    org = accounts.organisation(WINDOW_CODE)
    return org.id if org else None


def reader(user) -> Scope:
    if user is None or not user.is_authenticated:
        return Scope(None, None, False, False, False)
    admin = user.is_superuser or getattr(user, "role", "") == "platform_admin"
    org = getattr(user, "organisation_id", None)
    handles = authz.user_has_perm(user, "services.handle", org) if org or admin else False
    window = admin or (org is not None and org == window_id() and handles)
    return Scope(user.pk, org, admin or window, handles or admin, window)


def require_handler(scope: Scope) -> None:
    if not scope.handles:
        raise ApiError(403, "forbidden")


def filter_applications(scope: Scope, qs):
    """The applications ``scope`` may see, of the queryset ``qs`` (of ``Application``)."""
    if scope.all:
        return qs
    if scope.handles and scope.organisation_id is not None:
        return qs.filter(organisation_id=scope.organisation_id)
    if scope.user_id is not None:
        return qs.filter(applicant_id=scope.user_id)
    return qs.none()


def sees(scope: Scope, app) -> bool:
    if scope.all:
        return True
    if scope.handles and scope.organisation_id is not None and app.organisation_id == scope.organisation_id:
        return True
    return scope.user_id is not None and app.applicant_id == scope.user_id
