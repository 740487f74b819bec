"""Traffic API (/api/v1/traffic/): road conditions are public; the network and incidents are the transport
bureau's."""

from datetime import UTC, datetime, time, timedelta
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from smartcounty.domains.traffic import congestion, network, parking, services
from smartcounty.domains.traffic.schemas import (
    CarParkOut,
    ImportOut,
    IncidentOut,
    ParkingHourOut,
    ProfileOut,
    SegmentOut,
    SegmentStateOut,
    StreamMapOut,
    TpiOut,
)
from smartcounty.foundation.sensing.services import to_ms
from smartcounty.kernel import audit, authz
from smartcounty.kernel.api import InputSchema, Pagination
from smartcounty.kernel.problems import ApiError

router = Router(tags=["traffic"])
MAX_HISTORY = timedelta(days=7)


def _range(start: datetime | None, end: datetime | None) -> tuple[int, int]:
    end = end or datetime.now(UTC)
    start = start or end - timedelta(days=1)
    if end <= start:
        raise ApiError(422, "invalid", "end must be after start", field="end")
    if end - start > MAX_HISTORY:
        raise ApiError(422, "invalid", "at most 7 days at a time", field="start")
    return to_ms(start), to_ms(end)


def _bbox(bbox: str | None):
    if not bbox:
        return None
    try:
        w, s, e, n = (float(x) for x in bbox.split(","))
    except ValueError:
        raise ApiError(422, "invalid", "bbox is west,south,east,north", field="bbox") from None
    return w, s, e, n


@router.get("/tpi", response={200: TpiOut, 404: dict}, auth=None)
def tpi_now(request):
    """The latest 5-minute county traffic performance index (public)."""
    now = services.current_tpi()
    if now is None:
        raise ApiError(404, "not-found", "no TPI computed yet")
    return now


@router.get("/tpi/history", response=list[TpiOut], auth=None)
def tpi_history(request, start: datetime | None = None, end: datetime | None = None):
    """The county TPI of each 5-minute window of a range of at most 7 days (default the last day)."""
    lo, hi = _range(start, end)
    return congestion.history(lo, hi)


@router.get("/tpi/profile", response=ProfileOut, auth=None)
def tpi_profile(request, weekday: Annotated[int, Query(ge=0, le=6)]):
    """Mean TPI per 5-minute slot of a day of the week (0 = Monday), the measured and the defined peak hours."""
    if not 0 <= weekday <= 6:
        raise ApiError(422, "invalid", "weekday is 0 (Monday) to 6 (Sunday)", field="weekday")
    return services.profile(weekday)


@router.get("/segments", response=list[SegmentOut], auth=None)
@paginate(Pagination)
def list_segments(request, road_class: str | None = None, bbox: str | None = None):
    if road_class and road_class not in ("expressway", "arterial", "secondary", "branch"):
        raise ApiError(422, "invalid", "road_class is expressway, arterial, secondary or branch", field="road_class")
    return services.segments(road_class=road_class, bbox=_bbox(bbox))


@router.get("/segments/{code}/history", response=list[dict], auth=None)
def segment_history(request, code: str, start: datetime | None = None, end: datetime | None = None):
    lo, hi = _range(start, end)
    return congestion.segment_history(code, lo, hi)


@router.get("/congested", response=list[SegmentStateOut], auth=None)
@paginate(Pagination)
def congested(request, min_level: Annotated[int, Query(ge=1, le=5)] = congestion.CONGESTED_LEVEL):
    """Segments at or above a level (default 4, 中度拥堵) in the latest window, worst first."""
    if not 1 <= min_level <= 5:
        raise ApiError(422, "invalid", "min_level is 1 to 5", field="min_level")
    return services.congested_states(min_level)


class FeatureCollectionIn(Schema):
    type: str
    features: list[dict]


@router.post("/network/import", response={200: ImportOut, 422: ImportOut})
def import_network(request, payload: FeatureCollectionIn):
    """Create or update segments from GeoJSON; any feature's error writes nothing (422 with each error)."""
    user = authz.require(request, "traffic.manage", services.authority_id() or -1)
    result = network.import_geojson(payload.dict(), actor=user)
    return Status(422 if result["errors"] else 200, result)


class StreamIn(InputSchema):
    segment: str
    datastream_id: int = Field(ge=1, le=2**53)
    source: str = "floating"


@router.post("/streams", response=StreamMapOut)
def map_stream(request, payload: StreamIn):
    """Map a sensing speed datastream onto a segment."""
    user = authz.require(request, "traffic.manage", services.authority_id() or -1)
    return network.map_stream(payload.segment, payload.datastream_id, source=payload.source, actor=user)


@router.get("/incidents", response=list[IncidentOut])
@paginate(Pagination)
def list_incidents(request, state: str | None = None):
    """Detected incidents, newest first (the transport bureau)."""
    user = authz.require(request, "traffic.view_incidents", services.authority_id() or -1)
    if state and state not in ("active", "cleared"):
        raise ApiError(422, "invalid", "state is active or cleared", field="state")
    audit.record("traffic.incidents_read", actor=user, detail={"state": state or ""})
    return [services.incident_out(i) for i in services.incident_rows(state=state)[:1000]]


@router.get("/parking", response=list[CarParkOut], auth=None)
@paginate(Pagination)
def list_parking(request, kind: str | None = None, town: str | None = None):
    """Car parks and on-street zones with their vacant spaces now (public)."""
    if kind and kind not in ("off_street", "on_street"):
        raise ApiError(422, "invalid", "kind is off_street or on_street", field="kind")
    return services.parking_page(kind=kind, town=town)


@router.get("/parking/{code}/history", response=list[ParkingHourOut], auth=None)
def parking_history(request, code: str, start: datetime | None = None, end: datetime | None = None):
    """Hourly occupancy of one car park over at most 7 days (default the last day)."""
    lo, hi = _range(start, end)
    return parking.history(code, lo, hi)


class CarParkIn(InputSchema):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=100)
    kind: str
    capacity: int = Field(ge=1, le=100_000)
    lon: float
    lat: float
    free_minutes: int = Field(0, ge=0, le=1440)
    hourly_rate: float = Field(0, ge=0, le=1000)
    daily_cap: float = Field(0, ge=0, le=10000)
    opens: time | None = None
    closes: time | None = None
    datastream_id: int | None = Field(None, ge=1, le=2**53)
    refresh_interval_s: int = Field(60, ge=10, le=86_400)


@router.post("/parking", response={201: dict})
def create_parking(request, payload: CarParkIn):
    user = authz.require(request, "traffic.manage", services.authority_id() or -1)
    code = parking.create_car_park(**payload.dict(), actor=user)
    return Status(201, {"code": code})


class NoticeIn(InputSchema):
    title: str = Field(min_length=1, max_length=120)
    kind: str
    area: str = Field(min_length=1, max_length=200)
    detour: str = Field("", max_length=300)
    body: str = Field("", max_length=5000)
    starts_at: datetime
    ends_at: datetime
    segment_codes: list[str] = Field(default_factory=list, max_length=500)


class NoticeOut(Schema):
    id: int
    title: str
    kind: str
    area: str
    detour: str
    body: str
    starts_at: datetime
    ends_at: datetime
    segment_codes: list[str]


@router.get("/notices", response=list[NoticeOut], auth=None)
@paginate(Pagination)
def list_notices(request):
    """Traffic control notices in force or coming, soonest first (public)."""
    return services.current_notices()


@router.post("/notices", response={201: dict})
def publish_notice(request, payload: NoticeIn):
    """Publish a notice: shown on the portal at once and added to the open dataset."""
    org = services.authority_id() or -1
    user = authz.require(request, "traffic.manage", org)
    pk = services.publish_notice(**payload.dict(), organisation_id=org, actor=user)
    return Status(201, {"id": pk})
