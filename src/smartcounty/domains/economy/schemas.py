"""Shapes the economy module hands to other modules and to its API (plain data, never the ORM)."""

from datetime import date
from typing import NamedTuple

from ninja import Schema
from pydantic import Field

from smartcounty.kernel.api import InputSchema


class EnterpriseBrief(NamedTuple):
    """What another module (traceability, market...) learns about an enterprise."""

    id: int
    uscc: str
    name: str
    industry: str
    town_code: str
    park_id: int | None


class EnterpriseOut(Schema):
    id: int
    uscc: str
    name: str
    kind: str
    kind_name: str
    industry: str
    industry_name: str
    town_code: str
    town_name: str
    park_id: int | None
    park_name: str
    size: str
    size_name: str
    contact_name: str
    contact_phone: str
    address: str
    registered_on: date | None
    cloud_level: int | None
    cloud_level_name: str
    cloud_provider: str
    cloud_since: date | None


class EnterpriseIn(InputSchema):
    uscc: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=120)
    kind: str = "limited"
    industry: str = Field(min_length=1, max_length=8)
    town: str = ""
    park: str = ""
    size: str = "small"
    contact_name: str = Field("", max_length=40)
    contact_phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    registered_on: date | None = None


class CloudIn(InputSchema):
    level: int = Field(ge=1, le=3)
    provider: str = Field(min_length=1, max_length=60)
    since: date


class ParkOut(Schema):
    id: int
    code: str
    name: str
    town_code: str
    organisation_id: int | None
    area_ha: float | None
    lon: float | None
    lat: float | None
    enterprises: int


class MeterIn(InputSchema):
    kind: str
    code: str = Field(min_length=1, max_length=40)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class MeterOut(Schema):
    id: int
    enterprise_id: int
    kind: str
    code: str
    datastream_id: int


class RowError(Schema):
    row: int
    column: str
    message: str


class ImportResult(Schema):
    rows: int
    created: int
    updated: int
    errors: list[RowError]
