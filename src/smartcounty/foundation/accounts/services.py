"""Accounts services: roles and permissions, API tokens, role changes. Other modules call these."""

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from django.db import transaction
from django.utils import timezone
from ninja.security import HttpBearer

from smartcounty.foundation.accounts.models import ApiToken, Organisation, User
from smartcounty.foundation.accounts.roles import Role
from smartcounty.kernel import audit, registry
from smartcounty.kernel.problems import ApiError

TOKEN_PREFIX = "sc_"


@cache
def role_permissions(role: str) -> frozenset[str]:
    """Permission codes a role holds, from every module's declared permissions."""
    return frozenset(p.code for p in registry.permissions.values() if role in p.roles)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str, scopes: list[str], *, days: int | None = 90, actor=None) -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and never stored."""
    if not scopes:
        raise ApiError(422, "invalid", "a token needs at least one scope", field="scopes")
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    expires = timezone.now() + timedelta(days=days) if days else None
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=_digest(secret),
                                        scopes=list(scopes), expires_at=expires)
        audit.record("accounts.token_issue", actor=actor or user, obj=token,
                     detail={"user": user.username, "scopes": list(scopes), "expires": str(expires)})
    return token, secret


def revoke_token(token: ApiToken, *, actor) -> None:
    with transaction.atomic():
        if token.revoked_at is None:
            ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
            audit.record("accounts.token_revoke", actor=actor, obj=token, detail={"user": token.user.username})


def user_for_token(secret: str) -> tuple[User, ApiToken] | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = ApiToken.objects.select_related("user").filter(digest=_digest(secret), revoked_at__isnull=True).first()
    if token is None or (token.expires_at and token.expires_at <= now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sc_...``: the token's user, narrowed to the token's scopes."""

    def authenticate(self, request, token):
        found = user_for_token(token)
        if found is None:
            return None
        request.user, request.api_token = found
        return found[0]


def set_role(user: User, role: str, organisation: Organisation | None, *, actor) -> User:
    """Change a user's role and organisation. Org admins may only manage their own organisation."""
    if role not in Role.values:
        raise ApiError(422, "invalid", f"unknown role {role!r}", field="role")
    is_platform = actor.is_superuser or actor.role == Role.PLATFORM_ADMIN
    if not is_platform:
        if actor.role != Role.ORG_ADMIN or role == Role.PLATFORM_ADMIN:
            raise ApiError(403, "forbidden")
        if user.organisation_id != actor.organisation_id or (organisation and organisation.pk != actor.organisation_id):
            raise ApiError(403, "forbidden")
    if role != Role.RESIDENT and organisation is None and role != Role.PLATFORM_ADMIN:
        raise ApiError(422, "invalid", "staff roles need an organisation", field="organisation")
    before = {"role": user.role, "organisation": user.organisation_id}
    with transaction.atomic():
        user.role = role
        user.organisation = organisation
        user.kind = User.Kind.RESIDENT if role == Role.RESIDENT else User.Kind.STAFF
        user.is_staff = role == Role.PLATFORM_ADMIN
        user.save(update_fields=["role", "organisation", "kind", "is_staff"])
        audit.record("accounts.role_change", actor=actor, obj=user,
                     detail={"before": before, "after": {"role": role, "organisation": user.organisation_id}})
    return user
