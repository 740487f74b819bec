"""API shapes of the tourism module."""

from datetime import date, datetime, time

from ninja import Field, Schema

from smartcounty.kernel.api import InputSchema


class AttractionOut(Schema):
    code: str
    name: str
    a_level: int
    a_level_name: str
    opens: time | None
    closes: time | None
    max_instant: int
    max_daily: int
    present: int
    today: int
    share: float
    warning: int
    warning_name: str
    shares: list[float]
    lon: float
    lat: float
    updated: datetime | None


class SharesIn(InputSchema):
    yellow: float = Field(ge=0.01, le=2)
    orange: float = Field(ge=0.01, le=2)
    red: float = Field(ge=0.01, le=2)
    hysteresis: float = Field(0.05, ge=0, le=0.5)


class DayOut(Schema):
    day: date
    entries: int
    holiday: bool


class StatsOut(Schema):
    by_day: list[DayOut]
    holiday: dict | None
    other_days: dict | None
    by_attraction: list[dict]
