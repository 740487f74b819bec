"""Shapes of the environment API (/api/v1/environment/) and the plain data its services return."""

from datetime import datetime

from ninja import Schema


class SubIndexOut(Schema):
    pollutant: str  # SO2, NO2, PM10, PM2_5, CO, O3
    label: str  # PM₂.₅ ...
    measure: str  # PM2_5_1H, O3_8H ...
    concentration: float  # µg/m³ (CO mg/m³)
    iaqi: int


class CategoryOut(Schema):
    level: int  # 1..6 (HJ 633 Table 2)
    level_name: str  # 一级 ...
    name: str  # 优, 良, 轻度污染 ...
    colour: str  # the table's colour, e.g. #FF7E00
    colour_name: str
    health_effect: str  # 对健康影响情况
    advice: str  # 建议采取的措施


class ReadingOut(Schema):
    scope: str  # station / town / county
    key: str  # station: sensing thing id; town: 9-digit code; county: 6-digit code
    name: str
    report: str  # hourly (实时报) / daily (日报)
    start: datetime  # the hour's or the Beijing day's start (UTC)
    aqi: int | None
    category: CategoryOut | None
    primary: list[str]  # 首要污染物 (only when AQI > 50)
    primary_labels: list[str]
    exceeding: list[str]  # 超标污染物 (IAQI > 100)
    iaqi: list[SubIndexOut]
    version: str  # HJ 633-2012 / HJ 633-2026
    stations: int  # stations whose data went in


class WarningOut(Schema):
    in_force: bool
    level: str | None  # blue / yellow / orange / red
    name: str | None
    alert_id: int | None
    scheme: str
    scheme_title: str
    draft: bool


class BacktestOut(Schema):
    model_mae: float | None
    persistence_mae: float | None
    skill: float | None  # 1 - MAE(model)/MAE(persistence); > 0 beats persistence
    pairs: int
    origins: int


class ForecastValueOut(Schema):
    lead_hours: int
    target: datetime
    aqi: float
    category: str


class ForecastOut(Schema):
    station_id: int
    station: str
    issued_at: datetime
    method: str  # ridge / persistence
    #: forecast: the backtest beats persistence; not_better: it does not; persistence: no model (too little history)
    status: str
    status_label: str
    is_forecast: bool
    history_hours: int
    backtest: BacktestOut
    next_24h_max: float | None
    values: list[ForecastValueOut] | None = None


class SkillOut(Schema):
    model_mae: float | None
    persistence_mae: float | None
    skill: float | None
    pairs: int
    stations: int
    stations_forecast: int  # stations whose backtest beats persistence
