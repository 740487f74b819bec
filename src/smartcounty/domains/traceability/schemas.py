"""API shapes of traceability."""

from datetime import datetime

from pydantic import Field

from smartcounty.kernel.api import InputSchema


class Reading(InputSchema):
    type: str = Field(min_length=1, max_length=40)
    value: float
    uom: str = Field("", max_length=12)


class BatchIn(InputSchema):
    product: str = Field(min_length=1, max_length=80)
    quantity: float = Field(gt=0)
    unit: str = Field("kg", max_length=12)
    stage: str = "production"
    producer_kind: str
    producer_code: str = Field(min_length=1, max_length=18)
    producer_name: str = Field("", max_length=120)
    origin: str = Field("", max_length=120)
    place: str = Field("", max_length=120)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    time: datetime | None = None
    readings: list[Reading] = []


class EventIn(InputSchema):
    kind: str
    place: str = Field("", max_length=120)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    time: datetime | None = None
    readings: list[Reading] = []
    note: str = Field("", max_length=200)


class Output(InputSchema):
    product: str = Field("", max_length=80)
    quantity: float = Field(gt=0)
    unit: str = Field("", max_length=12)


class TransformIn(InputSchema):
    kind: str
    stage: str | None = None
    inputs: list[str] = Field(min_length=1, max_length=100)
    outputs: list[Output] = Field(min_length=1, max_length=100)
    place: str = Field("", max_length=120)
    time: datetime | None = None
    readings: list[Reading] = []


class InspectIn(InputSchema):
    passed: bool
    place: str = Field("", max_length=120)
    readings: list[Reading] = []
    note: str = Field("", max_length=200)


class RecallIn(InputSchema):
    reason: str = Field(min_length=1, max_length=200)
