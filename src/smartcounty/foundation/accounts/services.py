"""Accounts services: organisations, roles and permissions, API tokens, residents, sign-in records.

Other modules call these (never the models). Organisations come back as ``schemas.OrganisationOut``
and users as ``schemas.UserBrief``:

- organisations: ``organisation(code)``, ``organisation_by_id(id)``, ``organisations(kind=None)``,
  ``organisation_ids_by_code()``, ``ensure_plan_organisations()`` (codes in ``data/organisations.json``)
- people: ``users_brief(ids)``, ``members_of(organisation_id, role=None)``, ``create_resident(...)``,
  ``set_role(user, role, organisation, actor=...)``, ``permissions_of(user)``, ``is_platform_admin(user)``
- tokens: ``issue_token``, ``revoke_token``, ``user_for_token``, ``TokenAuth``
- ``Role`` (also in ``schemas``), ``mask_phone``
Events: ``accounts.role_changed`` (``schemas.RoleChanged``), ``accounts.resident_registered``
(``schemas.ResidentRegistered``).
"""

import hashlib
import json
import re
import secrets
from datetime import timedelta
from functools import cache
from pathlib import Path

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from smartcounty.foundation.accounts import devices, signup, totp  # noqa: F401 - re-exported for callers
from smartcounty.foundation.accounts.lockout import (  # noqa: F401 - re-exported for callers
    active_delay,
    attempt,
    clear_failures,
    record_failure,
    record_refused,
    retry_after,
)
from smartcounty.foundation.accounts.models import ApiToken, Organisation, User
from smartcounty.foundation.accounts.roles import Role
from smartcounty.foundation.accounts.schemas import (  # noqa: F401 - mask_phone is re-exported
    OrganisationOut,
    ResidentRegistered,
    RoleChanged,
    UserBrief,
    mask_phone,
)
from smartcounty.kernel import audit, events, ratelimit, registry
from smartcounty.kernel.net import client_address  # noqa: F401 - re-exported for callers
from smartcounty.kernel.problems import ApiError

TOKEN_PREFIX = "sc_"
DATA_FILE = Path(__file__).resolve().parent / "data" / "organisations.json"
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


# -- roles and permissions -------------------------------------------------------------------

@cache
def role_permissions(role: str) -> frozenset[str]:
    """Permission codes a role holds, from every module's declared permissions."""
    return frozenset(p.code for p in registry.permissions.values() if role in p.roles)


def permissions_of(user) -> list[str]:
    """Every permission code ``user`` holds (platform admins: all of them)."""
    if user.is_superuser or user.role == Role.PLATFORM_ADMIN:
        return sorted(registry.permissions)
    return sorted(role_permissions(user.role))


#: Where each role lands after signing in (the first of these pages that is installed): residents on
#: their own reports, everyone who works in the platform on what waits for them.
START_PAGES = {
    Role.RESIDENT: ("citymgmt:mine", "portal:home"),
    Role.GRID_WORKER: ("portal:staff",),
    Role.STAFF: ("portal:staff",),
    Role.ORG_ADMIN: ("portal:staff",),
    Role.PLATFORM_ADMIN: ("portal:staff", "cockpit:index"),
}


def start_page(user) -> str:
    """The path ``user`` lands on after signing in (the home page when none of his pages is installed)."""
    from django.urls import NoReverseMatch, reverse

    for name in START_PAGES.get(getattr(user, "role", ""), ()):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return reverse("home")


def is_platform_admin(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role == Role.PLATFORM_ADMIN))


def set_role(user, role: str, organisation, *, actor) -> User:
    """Change a user's role and organisation (each given as itself or its id). Org admins may only manage their
    own organisation."""
    if not isinstance(user, User):
        user = User.objects.get(pk=user)
    if organisation is not None and not isinstance(organisation, Organisation):
        organisation = Organisation.objects.get(pk=organisation if isinstance(organisation, int) else organisation.id)
    if role not in Role.values:
        raise ApiError(422, "invalid", f"unknown role {role!r}", field="role")
    if not is_platform_admin(actor):
        if actor.role != Role.ORG_ADMIN or role == Role.PLATFORM_ADMIN:
            raise ApiError(403, "forbidden")
        if user.organisation_id != actor.organisation_id or (organisation and organisation.pk != actor.organisation_id):
            raise ApiError(403, "forbidden")
        if user.pk == actor.pk:
            raise ApiError(403, "forbidden", "an organisation administrator cannot change their own role")
    if role not in (Role.RESIDENT, Role.PLATFORM_ADMIN) and organisation is None:
        raise ApiError(422, "invalid", "staff roles need an organisation", field="organisation")
    if role == Role.RESIDENT:
        organisation = None
    before = {"role": user.role, "organisation": user.organisation_id}
    with transaction.atomic():
        user.role = role
        user.organisation = organisation
        user.kind = User.Kind.RESIDENT if role == Role.RESIDENT else User.Kind.STAFF
        user.is_staff = role == Role.PLATFORM_ADMIN or user.is_superuser
        user.save(update_fields=["role", "organisation", "kind", "is_staff"])
        audit.record("accounts.role_change", actor=actor, obj=user,
                     organisation_id=user.organisation_id or before["organisation"],
                     detail={"user": user.username, "before": before,
                             "after": {"role": role, "organisation": user.organisation_id}})
        events.publish("accounts.role_changed", RoleChanged(
            user_id=user.pk, role=role, organisation_id=user.organisation_id, previous_role=before["role"],
            previous_organisation_id=before["organisation"]).model_dump())
    return user


# -- organisations ---------------------------------------------------------------------------

def _out(org: Organisation) -> OrganisationOut:
    return OrganisationOut.model_validate(org, from_attributes=True)


def plan_organisation_rows() -> list[dict]:
    """The organisations the plan names (牵头单位/责任单位) and the leading group, from the data file."""
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))["organisations"]


def ensure_plan_organisations() -> int:
    """Create every plan organisation that is missing (by code); return how many were created.

    Existing rows are left as they are (an administrator may have corrected them), so running it
    again changes nothing.
    """
    rows = plan_organisation_rows()
    with transaction.atomic():
        existing = Organisation.objects.filter(Q(code__in=[r["code"] for r in rows]) | Q(name__in=[r["name"] for r in rows]))
        codes, names = set(), set()
        for code, name in existing.values_list("code", "name"):
            codes.add(code)
            names.add(name)
        # A unit already there under its name (entered by hand with another code) is not duplicated.
        missing = [Organisation(code=r["code"], name=r["name"], name_en=r["name_en"], kind=r["kind"],
                                plan_role=r.get("plan_role", ""))
                   for r in rows if r["code"] not in codes and r["name"] not in names]
        Organisation.objects.bulk_create(missing)
        if missing:
            audit.record("accounts.organisations_loaded", detail={"created": [o.code for o in missing]})
    return len(missing)


def organisation(code: str) -> OrganisationOut | None:
    """One organisation by its code, or None."""
    org = Organisation.objects.filter(code=code).first()
    return _out(org) if org else None


def organisation_by_id(pk: int) -> OrganisationOut | None:
    org = Organisation.objects.filter(pk=pk).first()
    return _out(org) if org else None


def organisations(kind: str | None = None, *, active_only: bool = True) -> list[OrganisationOut]:
    """Every organisation (optionally of one kind), in the plan's order."""
    qs = Organisation.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if active_only:
        qs = qs.filter(is_active=True)
    return [_out(o) for o in qs]


def organisation_ids_by_code() -> dict[str, int]:
    return dict(Organisation.objects.values_list("code", "id"))


# -- users -----------------------------------------------------------------------------------

def users_brief(ids) -> dict[int, UserBrief]:
    """Display facts of users by id (no contact details), for other modules' lists."""
    rows = User.objects.filter(pk__in=list(ids)).only("id", "username", "display_name", "role", "organisation_id")
    return {u.pk: UserBrief(id=u.pk, username=u.username, display_name=str(u), role=u.role,
                            organisation_id=u.organisation_id) for u in rows}


def members_of(organisation_id: int, role: str | None = None, *, limit: int = 500) -> list[UserBrief]:
    """Active members of an organisation (optionally of one role), e.g. to dispatch a task to them."""
    qs = User.objects.filter(organisation_id=organisation_id, is_active=True).order_by("username")
    if role:
        qs = qs.filter(role=role)
    return [UserBrief(id=u.pk, username=u.username, display_name=str(u), role=u.role,
                      organisation_id=u.organisation_id)
            for u in qs.only("id", "username", "display_name", "role", "organisation_id")[:limit]]


def change_password(user: User, old_password: str, new_password: str) -> None:
    """Change one's own password (validated, audited). Raise ApiError on a wrong old or weak new one."""
    if not user.check_password(old_password):
        raise ApiError(422, "invalid", _("The current password is wrong."), field="old_password")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ApiError(422, "invalid", " ".join(exc.messages), field="new_password") from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record("accounts.password_change", actor=user, obj=user, detail={"user": user.username})


def validate_resident(username: str, phone: str, display_name: str, *, phone_taken: bool = True) -> None:
    """Raise ApiError (422, with the field) when a new resident's details cannot be used.

    ``phone_taken=False`` leaves out the check that the number has no account yet: the sign-up page does
    not tell (``signup.py``); the number's owner is told by a text message instead."""
    username = (username or "").strip()
    if not username:
        raise ApiError(422, "invalid", _("Enter a username."), field="username")
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise ApiError(422, "invalid", " ".join(exc.messages), field="username") from None
    if len(username) > 150:
        raise ApiError(422, "invalid", _("The username is too long."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ApiError(409, "conflict", _("This username is taken."), field="username")
    if not PHONE_RE.match(phone or ""):
        raise ApiError(422, "invalid", _("Enter an 11-digit mainland mobile number."), field="phone")
    if phone_taken and User.objects.filter(phone=phone).exists():
        raise ApiError(409, "conflict", _("An account with this mobile number already exists."), field="phone")
    if not (display_name or "").strip() or len(display_name) > 60:
        raise ApiError(422, "invalid", _("Enter a display name of at most 60 characters."), field="display_name")


def create_resident(username: str, password: str, *, phone: str, display_name: str, actor=None) -> User:
    """Register a resident: one account for every service of the platform (一次注册，全网通行)."""
    username = (username or "").strip()
    display_name = (display_name or "").strip()
    validate_resident(username, phone, display_name)
    user = User(username=username, phone=phone, display_name=display_name,
                kind=User.Kind.RESIDENT, role=Role.RESIDENT)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApiError(422, "invalid", " ".join(exc.messages), field="password") from None
    user.set_password(password)
    return save_resident(user, actor=actor)


def save_resident(user: User, *, actor=None) -> User:
    """Store a validated new resident (password already set); audited, ``accounts.resident_registered``."""
    with transaction.atomic():
        user.save()
        audit.record("accounts.signup", actor=actor or user, obj=user, detail={"user": user.username})
        events.publish("accounts.resident_registered",
                       ResidentRegistered(user_id=user.pk, username=user.username).model_dump())
    return user


def record_sign_in(user: User, *, ip: str | None = None, via: str = "password", known_device: bool = False) -> None:
    with transaction.atomic():
        clear_failures(user.get_username())
        detail = {"user": user.username, "via": via, **({"known_device": True} if known_device else {})}
        audit.record("accounts.signin", actor=user, obj=user, ip=ip, detail=detail)


def record_sign_out(user: User, *, ip: str | None = None) -> None:
    audit.record("accounts.signout", actor=user, obj=user, ip=ip, detail={"user": user.username})


# -- API tokens ------------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def known_scopes() -> set[str]:
    """``*``, every module label and every permission code."""
    return {"*", *registry.modules, *registry.permissions}


def token_scope_choices(user) -> list[tuple[str, str]]:
    """Scopes worth offering ``user`` on a page: every module with a permission the user holds, and ``*``."""
    held = permissions_of(user)
    labels = sorted({code.split(".", 1)[0] for code in held})
    choices = [("*", _("Everything I may do"))]
    for label in labels:
        module = registry.modules.get(label) if label in registry.modules else None
        zh = (get_language() or "zh-hans").startswith("zh")
        name = getattr(module, "name_zh" if zh else "name_en", "") or getattr(module, "verbose_name", label)
        choices.append((label, str(name)))
    return choices


def issue_token(user: User, name: str, scopes: list[str], *, days: int | None = 90, actor=None) -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and never stored."""
    if not scopes:
        raise ApiError(422, "invalid", "a token needs at least one scope", field="scopes")
    unknown = sorted(set(scopes) - known_scopes())
    if unknown:
        raise ApiError(422, "invalid", f"unknown scopes: {', '.join(unknown)}", field="scopes")
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
            token.revoked_at = timezone.now()
            ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.revoked_at)
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
            ratelimit.auth_failed(request)
            return None
        request.user, request.api_token = found
        return found[0]


# ---- the reads and changes accounts' API needs, as plain data (the API touches no ORM) -------------------

from smartcounty.foundation.accounts.schemas import MemberOut, MeOut, TokenOut  # noqa: E402
from smartcounty.kernel.rows import Rows  # noqa: E402

#: The kinds of organisation (the API's filter choices).
OrganisationKind = Organisation.Kind


def organisation_list(kind: str | None = None, q: str | None = None) -> Rows:
    """Organisations (of a kind; whose name, English name or code holds ``q``), as ``OrganisationOut``."""
    from django.db.models import Q

    qs = Organisation.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(code__icontains=q))
    return Rows(qs, _out)


def member_list(organisation_id: int, role: str | None = None) -> Rows:
    """The members of an organisation by username, as ``MemberOut`` (phone numbers masked)."""
    qs = User.objects.filter(organisation_id=organisation_id).order_by("username")
    if role:
        qs = qs.filter(role=role)
    return Rows(qs, MemberOut.from_orm)


def profile(user_id: int, *, token_scopes: list[str] | None = None) -> MeOut | None:
    """A user as ``/me`` shows them: their organisation and permissions."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    org = organisation_by_id(user.organisation_id) if user.organisation_id else None
    return MeOut(id=user.pk, username=user.username, display_name=str(user), kind=user.kind, role=user.role,
                 organisation=org, permissions=permissions_of(user), token_scopes=token_scopes)


def tokens_of(user_id: int) -> Rows:
    """A user's API tokens, newest first, as ``TokenOut`` (never the secret)."""
    return Rows(ApiToken.objects.filter(user_id=user_id).order_by("-id"),
                lambda t: TokenOut.model_validate(t, from_attributes=True))


def revoke_token_by_id(token_id: int, *, actor) -> bool:
    """Revoke a token of ``actor`` (a platform administrator: anyone's); False when there is none to revoke."""
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None or (token.user_id != actor.pk and not is_platform_admin(actor)):
        return False
    revoke_token(token, actor=actor)
    return True
