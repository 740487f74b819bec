"""Shapes the catalog's API returns and other modules use.

Modules declare resources they publish in ``register()``::

    reg.catalog_resources.register("210010/00001", ResourceSpec(...), module="environment")

and later call ``catalog.services.publish_dataset("210010/00001", rows)``.

Event payloads (dicts): ``catalog.dataset_published`` {code, version, rows};
``catalog.resource_changed`` {code, created}; ``catalog.resource_opened`` {code};
``catalog.request_submitted`` {request, resource, provider_org_id, due_on};
``catalog.request_decided`` {request, resource, approved, requester_org_id};
``catalog.request_overdue`` {request, resource, provider_org_id, due_on};
``catalog.grant_revoked`` {grant, resource, grantee_org_id}.
"""

from datetime import date, datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from smartcounty.kernel.api import InputSchema

SharingTypeLit = Literal["unconditional", "conditional", "none"]
OpenTypeLit = Literal["open", "metadata", "closed"]
CycleLit = Literal["realtime", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly", "irregular"]
DataTypeLit = Literal["string", "integer", "number", "boolean", "date", "datetime", "geometry"]
PersonalLit = Literal["", "name", "phone", "id_number", "address"]


class ItemIn(InputSchema):
    name: str = Field(min_length=1, max_length=64)
    title: str = Field("", max_length=100)
    data_type: DataTypeLit = "string"
    required: bool = False
    personal: PersonalLit = ""


class ItemOut(Schema):
    name: str
    title: str
    data_type: str
    required: bool
    personal: str


class ResourceSpec(InputSchema):
    """A resource a module declares (provider = organisation code)."""

    provider: str
    slug: str
    name: str
    summary: str = ""
    domain: str
    format: Literal["table", "spatial", "file", "api"] = "table"
    sharing_type: SharingTypeLit = "unconditional"
    sharing_conditions: str = ""
    legal_basis: str = ""
    open_type: OpenTypeLit = "closed"
    update_cycle: CycleLit = "daily"
    tags: list[str] = []
    items: list[ItemIn]


class ResourceIn(InputSchema):
    code: str = Field(max_length=40)
    slug: str = Field(max_length=100)
    name: str = Field(min_length=1, max_length=200)
    summary: str = ""
    domain: str = Field(min_length=2, max_length=2)
    format: Literal["table", "spatial", "file", "api"] = "table"
    sharing_type: SharingTypeLit
    sharing_conditions: str = ""
    sharing_method: str = Field("API", max_length=100)
    legal_basis: str = ""
    open_type: Literal["metadata", "closed"] = "closed"
    update_cycle: CycleLit = "irregular"
    published_on: date | None = None
    related_codes: list[str] = []
    tags: list[str] = []
    source_url: str = Field("", max_length=200)
    items: list[ItemIn] = Field(min_length=1)


class ResourcePatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = None
    domain: str | None = Field(None, min_length=2, max_length=2)
    sharing_type: SharingTypeLit | None = None
    sharing_conditions: str | None = None
    legal_basis: str | None = None
    open_type: Literal["metadata", "closed"] | None = None
    update_cycle: CycleLit | None = None
    published_on: date | None = None
    related_codes: list[str] | None = None
    tags: list[str] | None = None
    source_url: str | None = Field(None, max_length=200)


class ResourceOut(Schema):
    code: str
    slug: str
    name: str
    summary: str
    classification: str
    domain: str
    provider_org_id: int
    provider_org_code: str
    provider_org_name: str
    format: str
    sharing_type: str
    sharing_conditions: str
    sharing_method: str
    legal_basis: str
    open_type: str
    update_cycle: str
    published_on: date | None
    related_codes: list[str]
    tags: list[str]
    current_version: int | None = None
    rows: int | None = None
    modified_at: datetime

    @staticmethod
    def resolve_current_version(obj):
        return obj.current_version.number if obj.current_version_id else None

    @staticmethod
    def resolve_rows(obj):
        return obj.current_version.row_count if obj.current_version_id else None


class ResourceDetail(ResourceOut):
    items: list[ItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


class VersionOut(Schema):
    number: int
    source: str
    file_format: str
    filename: str
    row_count: int
    sha256: str
    created_at: datetime


class RowsOut(Schema):
    resource: str
    version: int | None
    fields: list[str]
    masked: list[str]
    basis: str
    grant: int | None
    total: int
    limit: int
    offset: int
    rows: list[dict[str, Any]]


class RequestIn(InputSchema):
    resource: str
    purpose: str = Field(min_length=1, max_length=2000)
    fields: list[str] = Field(min_length=1)
    unmasked_fields: list[str] = []
    period_start: date
    period_end: date


class DecisionIn(InputSchema):
    approve: bool
    note: str = Field("", max_length=2000)
    fields: list[str] | None = None
    unmasked_fields: list[str] | None = None
    row_filter: dict[str, Any] | None = None
    expires_on: date | None = None


class RequestOut(Schema):
    id: int
    resource: str
    requester_org_code: str
    purpose: str
    fields: list[str]
    unmasked_fields: list[str]
    period_start: date
    period_end: date
    status: str
    submitted_at: datetime
    due_on: date
    decided_at: datetime | None
    decision_note: str
    escalated_at: datetime | None
    grant: int | None = None

    @staticmethod
    def resolve_resource(obj):
        return obj.resource.code

    @staticmethod
    def resolve_grant(obj):
        grant = getattr(obj, "grant", None)
        return grant.pk if grant else None


class GrantOut(Schema):
    id: int
    resource: str
    grantee_org_code: str
    fields: list[str]
    unmasked_fields: list[str]
    row_filter: dict[str, Any]
    starts_on: date
    expires_at: datetime
    revoked_at: datetime | None

    @staticmethod
    def resolve_resource(obj):
        return obj.resource.code


class RevokeIn(InputSchema):
    reason: str = Field("", max_length=500)


class ReadOut(Schema):
    at: datetime
    actor: str
    organisation_id: int | None
    resource: str
    fields: list[str]
    rows: int
    grant: int | None
    basis: str
    channel: str


class AppIn(InputSchema):
    name: str = Field(min_length=1, max_length=100)
    per_minute: int = Field(60, ge=1, le=600)


class AppOut(Schema):
    id: int
    name: str
    prefix: str
    per_minute: int
    key: str | None = None
