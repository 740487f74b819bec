"""API shapes of market supervision."""

from datetime import date

from pydantic import Field

from smartcounty.kernel.api import InputSchema


class EquipmentIn(InputSchema):
    kind: str
    registration_code: str = Field(min_length=1, max_length=24)
    name: str = Field(min_length=1, max_length=120)
    unit_uscc: str = Field(min_length=18, max_length=18)
    unit_name: str = Field(min_length=1, max_length=120)
    first_use: date
    town_code: str = Field("", max_length=9)
    address: str = Field("", max_length=200)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    last_inspection: date | None = None
    last_self_test: date | None = None


class InspectionIn(InputSchema):
    task: str
    done_on: date
    result: str
    body: str = Field("", max_length=120)
    report_no: str = Field("", max_length=40)
    note: str = Field("", max_length=200)


class IntervalIn(InputSchema):
    interval_months: int = Field(ge=1, le=120)
    basis: str | None = Field(None, max_length=120)


class BusinessIn(InputSchema):
    licence_no: str = Field(min_length=16, max_length=16)
    name: str = Field(min_length=1, max_length=120)
    uscc: str = Field(min_length=18, max_length=18)
    category: str
    town_code: str = Field("", max_length=9)
    address: str = Field("", max_length=200)
    licence_valid_until: date | None = None


class AssessmentIn(InputSchema):
    year: int = Field(ge=2000, le=2100)
    static_score: int = Field(ge=0, le=40)
    dynamic_score: int = Field(ge=0, le=60)


class FoodInspectionIn(InputSchema):
    done_on: date
    inspector: str = Field(min_length=1, max_length=80)
    result: str
    findings: str = Field("", max_length=2000)
    rectification: str = Field("", max_length=500)
