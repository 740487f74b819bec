"""Who may see and do emergency management: one rule for pages, API and cockpit.

The county emergency management bureau's staff command (open incidents, give tasks, publish warnings) and keep
the resources; the fire and rescue brigade's staff see everything and command too (they are the duty desk for
fire alarms); platform administrators do everything; nobody else sees anything. Managing resources and the stock
ledger is the bureau's."""

from dataclasses import dataclass

from smartcounty.foundation.accounts import services as accounts
from smartcounty.kernel import authz
from smartcounty.kernel.problems import ApiError

BUREAU_CODE = "emergency"
BRIGADE_CODE = "fire-rescue"
#: verb -> organisations whose staff may do it
WHO = {"view": (BUREAU_CODE, BRIGADE_CODE), "command": (BUREAU_CODE, BRIGADE_CODE), "manage": (BUREAU_CODE,)}


@dataclass(frozen=True)
class Scope:
    sees: bool


def org_id(code: str) -> int | None:
    org = accounts.organisation(code)
    return org.id if org else None


def _org_code(user) -> str:
    """The code of the user's organisation, read once per user object (pages call ``may`` several times)."""
    code = getattr(user, "_emergency_org_code", None)
    if code is None:
        org = accounts.organisation_by_id(user.organisation_id) if getattr(user, "organisation_id", None) else None
        code = org.code if org else ""
        try:
            user._emergency_org_code = code
        except AttributeError:
            pass
    return code


def may(user, verb: str) -> bool:
    perm = f"emergency.{verb}"
    if not authz.user_has_perm(user, perm):  # the role lacks it: no query
        return False
    if authz.user_has_perm(user, perm, -1):  # platform administrators hold it everywhere
        return True
    return _org_code(user) in WHO[verb]


def reader(user) -> Scope:
    return Scope(may(user, "view"))


def require(user, verb: str) -> None:
    if not may(user, verb):
        raise ApiError(403, "forbidden")
