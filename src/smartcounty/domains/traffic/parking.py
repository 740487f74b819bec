"""Parking: car parks and on-street zones with capacity, rates and opening hours; occupancy from sensing.

A car park's sensor reports occupied spaces (``parking_occupied``) or vacant spaces (``parking_vacant``,
DATEX II ``parkingNumberOfVacantSpaces``, FIWARE ``availableSpotNumber``). ``status`` of a reading:

- ``offline``: no reading, the datastream is offline in sensing, or the last reading is older than 3 refresh
  intervals: vacant spaces are unknown (None), never a stale number;
- ``closed``: outside the opening hours;
- ``full``: no vacant space; ``over_capacity`` says the sensor counts more cars than spaces (drift, or cars
  parked outside the bays): vacant is 0 and the occupancy rate is capped at 1;
- ``available``: otherwise (``few`` when under 10 % of the spaces are vacant).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from smartcounty.domains.traffic.models import CarPark
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError

OCCUPIED, VACANT = "parking_occupied", "parking_vacant"
STALE_INTERVALS = 3
FEW_SHARE = 0.1


@dataclass(frozen=True)
class Availability:
    status: str  # available, few, full, closed, offline
    vacant: int | None
    occupied: int | None
    occupancy: float | None  # 0..1
    over_capacity: bool
    observed: datetime | None
    refresh_interval_s: int | None


def is_open(opens: time | None, closes: time | None, at: datetime) -> bool:
    """Opening hours in Beijing time; ``closes`` before ``opens`` runs past midnight."""
    if opens is None or closes is None or opens == closes:
        return True
    t = timezone.localtime(at).time()
    return opens <= t < closes if opens < closes else (t >= opens or t < closes)


def availability(capacity: int, *, value: float | None, prop: str | None, observed: datetime | None,
                 online: bool, interval_s: int | None, open_now: bool, now: datetime) -> Availability:
    """Pure: what a reading says about a car park (see the module's doc)."""
    stale = (observed is None or not online or interval_s is None
             or now - observed > timedelta(seconds=STALE_INTERVALS * interval_s))
    if value is None or stale:
        return Availability("offline", None, None, None, False, observed, interval_s)
    count = int(round(value))
    occupied = count if prop == OCCUPIED else capacity - count
    over = occupied > capacity
    occupied_shown = min(max(occupied, 0), capacity) if capacity else 0
    vacant = capacity - occupied_shown
    occupancy = occupied_shown / capacity if capacity else None
    if not open_now:
        status = "closed"
    elif vacant <= 0:
        status = "full"
    elif vacant < FEW_SHARE * capacity:
        status = "few"
    else:
        status = "available"
    return Availability(status, vacant, occupied, occupancy, over, observed, interval_s)


def _check(capacity: int, free_minutes: int, hourly_rate, daily_cap, opens, closes, lon, lat, kind):
    if capacity < 1 or capacity > 100_000:
        raise ApiError(422, "invalid", "capacity must be 1 to 100000 spaces", field="capacity")
    if kind not in CarPark.Kind.values:
        raise ApiError(422, "invalid", f"unknown kind {kind!r}", field="kind")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ApiError(422, "invalid", "coordinates out of range", field="lon")
    if hourly_rate < 0 or daily_cap < 0 or free_minutes < 0:
        raise ApiError(422, "invalid", "rates cannot be negative", field="hourly_rate")
    if (opens is None) != (closes is None):
        raise ApiError(422, "invalid", "give both opening and closing time, or neither", field="closes")


def create_car_park(*, code: str, name: str, kind: str, capacity: int, lon: float, lat: float,
                    free_minutes: int = 0, hourly_rate=0, daily_cap=0, opens=None, closes=None,
                    datastream_id: int | None = None, refresh_interval_s: int = 60, actor=None) -> str:
    _check(capacity, free_minutes, hourly_rate, daily_cap, opens, closes, lon, lat, kind)
    if not 10 <= refresh_interval_s <= 86_400:
        raise ApiError(422, "invalid", "refresh interval must be 10 s to 1 day", field="refresh_interval_s")
    if not code or len(code) > 40 or not name:
        raise ApiError(422, "invalid", "code and name are required", field="code")
    if CarPark.objects.filter(code=code).exists():
        raise ApiError(409, "conflict", f"car park {code} exists", field="code")
    if datastream_id is not None:
        info = sensing.datastream_info(datastream_id)
        if info is None or info["property_code"] not in (OCCUPIED, VACANT):
            raise ApiError(422, "invalid", "the datastream must measure parking_occupied or parking_vacant",
                           field="datastream_id")
    with transaction.atomic():
        park = CarPark.objects.create(code=code, name=name, kind=kind, capacity=capacity, lon=lon, lat=lat,
                                      free_minutes=free_minutes, hourly_rate=hourly_rate, daily_cap=daily_cap,
                                      opens=opens, closes=closes, datastream_id=datastream_id,
                                      refresh_interval_s=refresh_interval_s,
                                      town_code=sensing.locate(lon, lat)[0])
        audit.record("traffic.car_park_create", actor=actor, obj=park, detail={"code": code, "capacity": capacity})
    return park.code


def car_parks(*, kind: str | None = None, town: str | None = None):
    qs = CarPark.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if town:
        qs = qs.filter(town_code=town)
    return qs.order_by("code")


def rows(parks, now: datetime | None = None) -> list[dict]:
    """Plain rows of car parks with their live availability: one query for the readings of all of them."""
    now = now or timezone.now()
    parks = list(parks)
    infos = {i["id"]: i for i in sensing.datastreams_info([p.datastream_id for p in parks if p.datastream_id])}
    out = []
    for p in parks:
        i = infos.get(p.datastream_id)
        a = availability(p.capacity, value=i["last_value"] if i else None, prop=i["property_code"] if i else None,
                         observed=i["last_time"] if i else None, online=bool(i and i["online"]),
                         interval_s=p.refresh_interval_s if i else None,
                         open_now=is_open(p.opens, p.closes, now), now=now)
        out.append({"code": p.code, "name": p.name, "kind": p.kind, "capacity": p.capacity,
                    "free_minutes": p.free_minutes, "hourly_rate": float(p.hourly_rate),
                    "daily_cap": float(p.daily_cap), "opens": p.opens, "closes": p.closes, "lon": p.lon,
                    "lat": p.lat, "town_code": p.town_code, "status": a.status, "vacant": a.vacant,
                    "occupied": a.occupied, "occupancy": a.occupancy, "over_capacity": a.over_capacity,
                    "observed": a.observed, "refresh_interval_s": a.refresh_interval_s})
    return out


def history(code: str, start_ms: int, end_ms: int) -> list[dict]:
    """Hourly mean, min and max of occupied spaces (vacant for a vacant-counting sensor) of one car park."""
    park = CarPark.objects.filter(code=code).first()
    if park is None:
        raise ApiError(404, "not-found", f"no car park {code}")
    if park.datastream_id is None:
        return []
    info = sensing.datastream_info(park.datastream_id)
    vacant = info is not None and info["property_code"] == VACANT
    out = []
    for b in sensing.aggregate(park.datastream_id, start_ms, end_ms, "1h"):
        occ = (lambda v: park.capacity - v) if vacant else (lambda v: v)
        lo, hi = sorted((occ(b["min"]), occ(b["max"])))
        out.append({"start": b["start"], "occupied_mean": round(occ(b["mean"]), 1), "occupied_min": lo,
                    "occupied_max": hi, "occupancy_mean": round(min(max(occ(b["mean"]) / park.capacity, 0), 1), 3)})
    return out


def totals(now: datetime | None = None) -> dict:
    """Vacant spaces and capacity over all car parks with a live reading."""
    rs = rows(CarPark.objects.exclude(datastream_id=None)[:2000], now)
    live = [r for r in rs if r["vacant"] is not None]
    return {"vacant": sum(r["vacant"] for r in live), "capacity": sum(r["capacity"] for r in live),
            "parks": len(rs), "offline": len(rs) - len(live)}
