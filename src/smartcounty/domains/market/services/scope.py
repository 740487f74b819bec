"""Who may see market supervision data: one rule for pages, API and cockpit.

The county market supervision bureau's staff (and platform administrators) see every piece of equipment
and every food business; nobody else sees any."""

from dataclasses import dataclass

from smartcounty.foundation.accounts import services as accounts
from smartcounty.kernel import authz
from smartcounty.kernel.problems import ApiError

BUREAU_CODE = "market-regulation"


@dataclass(frozen=True)
class Scope:
    sees: bool


def bureau_id() -> int | None:
    org = accounts.organisation(BUREAU_CODE)
    return org.id if org else None


def reader(user) -> Scope:
    return Scope(authz.user_has_perm(user, "market.view", bureau_id() or -1))


def may(user, verb: str) -> bool:
    return authz.user_has_perm(user, f"market.{verb}", bureau_id() or -1)


def require(user, verb: str) -> None:
    if not may(user, verb):
        raise ApiError(403, "forbidden")
