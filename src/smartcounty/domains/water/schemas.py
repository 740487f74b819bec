"""Shapes of the water API (/api/v1/water/) and the plain data its services return."""

from datetime import datetime

from ninja import Schema


class LevelOut(Schema):
    gauge_id: int  # sensing datastream id
    station_id: int
    station: str
    town: str
    lon: float | None
    lat: float | None
    level: float | None  # m
    time: datetime | None
    warning_level: float | None  # 警戒水位, m
    guarantee_level: float | None  # 保证水位, m
    to_warning: float | None  # m above (+) or below (−) the warning level
    state: str | None  # normal / above_warning / above_guaranteed
    state_name: str | None


class HourOut(Schema):
    start: datetime
    count: int
    mean: float | None = None
    min: float | None = None
    max: float | None = None
    mm: float | None = None


class RainTotal(Schema):
    hours: int
    mm: float


class RainOut(Schema):
    gauge_id: int
    station: str
    town: str
    lon: float | None
    lat: float | None
    time: datetime | None
    totals: list[RainTotal]


class DroughtOut(Schema):
    grade: int | None  # 0 no drought .. 4 extreme (GB/T 20481 monthly scale); None: not enough data
    name: str | None
    anomaly_percent: float | None
    actual_mm: float | None
    normal_mm: float | None
    gauges: int  # gauges with enough data
    gauges_short: int
    min_days: int
    window_days: int
    start: datetime
    end: datetime
    configured_normals: bool
    covered_days: list[int]


class ParameterOut(Schema):
    key: str
    name: str
    unit: str
    value: float
    water_class: int | None
    class_code: str | None
    exceedance: float | None  # over Class III, (C − C_III)/C_III


class QualityOut(Schema):
    station_id: int
    station: str
    town: str
    lon: float | None
    lat: float | None
    water_body: str  # river / lake
    time: datetime | None
    water_class: int | None  # 1..5, 6 = 劣V
    class_code: str | None
    class_label: str | None
    quality: str | None
    deciding: list[str]
    parameters: list[ParameterOut]
