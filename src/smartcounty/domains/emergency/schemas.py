"""API shapes of emergency management."""

from typing import Literal

from pydantic import Field

from smartcounty.kernel.api import Id, InputSchema

Lon = Field(ge=73, le=136)
Lat = Field(ge=3, le=54)


class ResourceIn(InputSchema):
    kind: Literal["depot", "team", "expert", "vehicle", "equipment"]
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=120)
    lon: float = Lon
    lat: float = Lat
    town_code: str = Field("", max_length=9)
    address: str = Field("", max_length=200)
    status: Literal["ready", "deployed", "out"] = "ready"
    quantity: int = Field(1, ge=0, le=1_000_000)
    skills: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=40)
    contact_phone: str = Field("", max_length=20)
    organisation_id: Id | None = None


class StatusIn(InputSchema):
    status: Literal["ready", "deployed", "out"]


class MemberIn(InputSchema):
    name: str = Field(min_length=1, max_length=40)
    phone: str = Field("", max_length=20)
    skills: str = Field("", max_length=200)


class ShelterIn(InputSchema):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=120)
    shelter_class: Literal["urgent", "short", "medium", "long"]
    lon: float = Lon
    lat: float = Lat
    effective_area_m2: int = Field(ge=1, le=100_000_000)
    service_radius_m: int | None = Field(None, ge=1, le=10_000)
    capacity: int | None = Field(None, ge=0, le=10_000_000)
    town_code: str = Field("", max_length=9)
    address: str = Field("", max_length=200)


class OccupiedIn(InputSchema):
    occupied: int = Field(ge=0, le=10_000_000)


class MoveIn(InputSchema):
    item_id: Id
    quantity: int = Field(ge=1, le=1_000_000_000)
    note: str = Field("", max_length=200)
    incident_id: Id | None = None


class TransferIn(MoveIn):
    to_depot_id: Id


class CountIn(InputSchema):
    item_id: Id
    counted: int = Field(ge=0, le=1_000_000_000)
    note: str = Field("", max_length=200)


class IncidentIn(InputSchema):
    title: str = Field(min_length=1, max_length=200)
    kind: Literal["fire", "flood", "pollution", "accident", "hazmat", "earthquake", "public_health", "other"]
    level: int = Field(ge=1, le=4)
    lon: float = Lon
    lat: float = Lat
    radius_m: int = Field(500, ge=0, le=50_000)
    address: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)


class FromAlertIn(InputSchema):
    alert_id: Id
    level: int | None = Field(None, ge=1, le=4)
    radius_m: int = Field(500, ge=0, le=50_000)


class FromCaseIn(InputSchema):
    case_id: Id
    level: int = Field(1, ge=1, le=4)
    kind: Literal["fire", "flood", "pollution", "accident", "hazmat", "earthquake", "public_health", "other"] = "other"
    radius_m: int = Field(500, ge=0, le=50_000)


class LinkIn(InputSchema):
    kind: Literal["alert", "case"]
    ref_id: Id


class LevelIn(InputSchema):
    level: int = Field(ge=1, le=4)
    note: str = Field("", max_length=300)


class NoteIn(InputSchema):
    text: str = Field(min_length=1, max_length=500)


class TaskIn(InputSchema):
    team_id: Id
    title: str = Field(min_length=1, max_length=200)
    deadline_minutes: int = Field(60, ge=5, le=7 * 24 * 60)


class WarningIn(InputSchema):
    headline: str = Field(min_length=1, max_length=160)
    instruction: str = Field(min_length=1, max_length=1000)
    level: int = Field(ge=1, le=4)
    area_desc: str = Field("", max_length=200)


class CloseIn(InputSchema):
    review: str = Field(min_length=10, max_length=5000)
