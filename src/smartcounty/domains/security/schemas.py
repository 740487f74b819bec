"""Security API shapes and the plain data its services hand out."""

from dataclasses import dataclass
from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from smartcounty.kernel.api import InputSchema


@dataclass(frozen=True)
class Reader:
    """What one user may do here: ``views`` (security.view within the office), ``manages`` (security.manage)."""

    user_id: int | None
    views: bool
    manages: bool


class SystemOut(Schema):
    id: int
    code: str
    name: str
    owner_organisation_id: int
    owner: str = ""
    level: int
    critical: bool
    assessed_on: date | None
    next_due: date | None
    state: str
    description: str = ""


class SystemIn(InputSchema):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=120)
    owner_organisation_id: int = Field(ge=1, le=2**53)
    level: int = Field(ge=1, le=5)
    critical: bool = True
    assessed_on: date | None = None
    description: str = Field("", max_length=2000)


class AssessmentIn(InputSchema):
    assessed_on: date


class SiteOut(Schema):
    id: int
    name: str
    host: str
    port: int
    owner_organisation_id: int | None
    owner: str = ""
    system_id: int | None
    checked_at: datetime | None
    error: str
    subject: str
    issuer: str
    san: list[str]
    not_before: datetime | None
    not_after: datetime | None
    days_left: int | None
    verified: bool
    verify_error: str
    tls_version: str
    state: str


class SiteIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    host: str = Field(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.:\[\]-]+$")
    port: int = Field(443, ge=1, le=65535)
    owner_organisation_id: int | None = Field(None, ge=1, le=2**53)
    system_id: int | None = Field(None, ge=1, le=2**53)


class EventOut(Schema):
    id: int
    at: datetime
    scenario: str
    scenario_name: str
    ip: str
    count: int
    evidence: dict
    alert_id: int | None
    blocked: bool


class BlockOut(Schema):
    id: int
    ip: str
    reason: str
    reason_name: str
    event_id: int | None
    created_at: datetime
    until: datetime
    lifted_at: datetime | None
    active: bool


class BlockIn(InputSchema):
    ip: str = Field(min_length=2, max_length=45)
    minutes: int = Field(60, ge=1, le=60 * 24 * 30)
