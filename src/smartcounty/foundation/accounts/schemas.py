"""Shapes of people and organisations that the API returns and other modules receive from services.

Other modules never see the accounts models: they get these (pydantic) schemas, and refer to an
organisation by its ``id`` or its stable ``code`` (see ``data/organisations.json``).
"""

from datetime import datetime

from ninja import Schema
from pydantic import Field, field_validator

from smartcounty.foundation.accounts.roles import STAFF_ROLES, Role  # noqa: F401 - for other modules
from smartcounty.kernel.api import InputSchema


class OrganisationOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: str
    plan_role: str = ""
    is_active: bool = True


class UserBrief(Schema):
    """What other modules may show about a user (no contact details)."""

    id: int
    username: str
    display_name: str
    role: str
    organisation_id: int | None = None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    kind: str
    role: str
    organisation: OrganisationOut | None = None
    permissions: list[str]
    #: When the request came with an API token: its scopes, which narrow ``permissions``.
    token_scopes: list[str] | None = None


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise a number, not enough to call it."""
    if not phone:
        return ""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "*" * len(phone)


class MemberOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    #: Masked (138****5678): a member list is not the place to read phone numbers.
    phone: str
    is_active: bool
    last_login: datetime | None = None

    @staticmethod
    def resolve_phone(obj) -> str:
        return mask_phone(obj.phone)


class RoleIn(InputSchema):
    role: str = Field(max_length=20)
    #: Organisation code; null for residents and platform administrators.
    organisation: str | None = Field(default=None, max_length=40)


class TokenIn(InputSchema):
    name: str = Field(min_length=1, max_length=80)
    #: Module labels (``places``), permission codes (``places.manage``) or ``*``.
    scopes: list[str] = Field(min_length=1, max_length=20)
    #: Days until it expires (1-365); null never expires.
    days: int | None = Field(default=90, ge=1, le=365)
    #: A current authenticator code (or a recovery code): needed when the user has two-step verification.
    otp: str | None = Field(default=None, max_length=40)

    @field_validator("scopes")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(s.strip() for s in value))


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class TokenCreated(TokenOut):
    #: The whole token: shown this once, never stored (only its sha256 is).
    secret: str


class DemoUser(Schema):
    username: str
    role: str
    organisation: str
    password: str
    created: bool


# -- events this module publishes (kernel.events; delivered after commit) --------------------

class RoleChanged(Schema):
    """``accounts.role_changed``: a user's role or organisation changed (API, page or service)."""

    user_id: int
    role: str
    organisation_id: int | None = None
    previous_role: str
    previous_organisation_id: int | None = None


class ResidentRegistered(Schema):
    """``accounts.resident_registered``: a resident created an account (sign-up or a service desk)."""

    user_id: int
    username: str
