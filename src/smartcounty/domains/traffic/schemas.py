"""API shapes of the traffic module."""

from datetime import datetime, time

from ninja import Schema


class SegmentOut(Schema):
    code: str
    name: str
    road_class: str
    length_m: float
    free_flow_kmh: float
    town_code: str
    coordinates: list[list[float]]


class TpiOut(Schema):
    start: datetime
    tpi: float
    level: int
    level_name: str
    tti: float
    segments: int
    congested: int
    by_class: dict[str, float]
    peak: str | None = None


class SegmentStateOut(Schema):
    code: str
    name: str
    road_class: str
    speed_kmh: float
    level: int
    level_name: str


class ProfileSlotOut(Schema):
    slot: int
    time: str
    mean: float
    max: float
    days: int


class PeakOut(Schema):
    start: str
    end: str
    mean_tpi: float


class ProfileOut(Schema):
    weekday: int
    slots: list[ProfileSlotOut]
    morning_peak: PeakOut | None
    evening_peak: PeakOut | None
    defined_peaks: dict[str, str]


class ImportErrorOut(Schema):
    feature: int
    field: str
    message: str


class ImportOut(Schema):
    created: int
    updated: int
    errors: list[ImportErrorOut]


class StreamMapOut(Schema):
    segment: str
    datastream_id: int
    source: str
    created: bool


class IncidentOut(Schema):
    id: int
    segment: str
    name: str
    datastream_id: int
    detected: datetime
    cleared: datetime | None
    baseline_kmh: float
    speed_kmh: float
    state: str
    alert_id: int | None


class CarParkOut(Schema):
    """APDS Place with its latest Observation (DATEX II parkingNumberOfVacantSpaces = ``vacant``)."""

    code: str
    name: str
    kind: str
    capacity: int
    free_minutes: int
    hourly_rate: float
    daily_cap: float
    opens: time | None
    closes: time | None
    lon: float
    lat: float
    town_code: str
    status: str
    vacant: int | None
    occupied: int | None
    occupancy: float | None
    over_capacity: bool
    observed: datetime | None
    refresh_interval_s: int | None


class ParkingHourOut(Schema):
    start: datetime
    occupied_mean: float
    occupied_min: float
    occupied_max: float
    occupancy_mean: float
