"""API shapes of agriculture."""

from datetime import date

from pydantic import Field

from smartcounty.kernel.api import InputSchema


class FarmIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    operator_kind: str
    operator_code: str = Field(min_length=1, max_length=18)
    operator_name: str = Field(min_length=1, max_length=120)
    town_code: str = Field("", max_length=12)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)


class PlotIn(InputSchema):
    name: str = Field(min_length=1, max_length=80)
    geometry: dict


class SeasonIn(InputSchema):
    crop: str
    sown_on: date
    harvest_on: date | None = None


class SensorIn(InputSchema):
    kind: str
    code: str = Field(min_length=1, max_length=40)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    pest: str = Field("", max_length=40)
    threshold: float | None = Field(None, gt=0)


class AdvisoryIn(InputSchema):
    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1, max_length=4000)
    crop: str = ""
    town_code: str = Field("", max_length=12)
