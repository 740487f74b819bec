"""Traffic services other modules may call (plain data only): the county TPI, congested segments, incidents."""

from smartcounty.domains.traffic import congestion, tpi
from smartcounty.domains.traffic.models import Incident
from smartcounty.foundation.accounts import services as accounts

AUTHORITY_CODE = "transport"


def authority_id() -> int | None:
    """The organisation that runs the road network (the county transport bureau)."""
    org = accounts.organisation(AUTHORITY_CODE)  # one row by its code (every staff page's menu asks)
    return org.id if org else None


def current_tpi() -> dict | None:
    """The latest 5-minute county TPI: start, tpi, level, level_name, tti, segments, congested, by_class, peak."""
    return congestion.current()


def level_name(level: int) -> str:
    return tpi.LEVEL_NAMES[level]


def congested_segments(limit: int = 20) -> list[dict]:
    return [{"code": s.segment.code, "name": s.segment.name, "road_class": s.segment.road_class,
             "speed_kmh": s.speed_kmh, "level": s.level, "level_name": tpi.LEVEL_NAMES[s.level],
             "lon": s.segment.coordinates[0][0], "lat": s.segment.coordinates[0][1]}
            for s in congestion.congested_segments()[:limit]]


def active_incidents(limit: int = 50) -> list[dict]:
    rows = Incident.objects.filter(state=Incident.State.ACTIVE).select_related("segment").order_by("-detected_ms")
    return [{"id": i.id, "segment": i.segment.code, "name": i.segment.name, "detected": congestion.sensing.from_ms(
        i.detected_ms), "speed_kmh": i.speed_kmh, "baseline_kmh": i.baseline_kmh, "alert_id": i.alert_id,
             "lon": i.segment.coordinates[0][0], "lat": i.segment.coordinates[0][1]} for i in rows[:limit]]


# ----- for this module's API and pages -----

def segments(*, road_class: str | None = None, bbox=None):
    from smartcounty.domains.traffic.models import RoadSegment

    qs = RoadSegment.objects.all()
    if road_class:
        qs = qs.filter(road_class=road_class)
    if bbox:
        w, s, e, n = bbox
        qs = qs.filter(west__lte=e, east__gte=w, south__lte=n, north__gte=s)
    return qs.order_by("code")


def congested_states(min_level: int = congestion.CONGESTED_LEVEL):
    return [{"code": s.segment.code, "name": s.segment.name, "road_class": s.segment.road_class,
             "speed_kmh": s.speed_kmh, "level": s.level, "level_name": tpi.LEVEL_NAMES[s.level]}
            for s in congestion.congested_segments(min_level=min_level).select_related("segment")[:5000]]


def latest_states():
    """Every segment's state in the latest window (for the map), as plain rows."""
    from django.db.models import Max

    from smartcounty.domains.traffic.models import SegmentState, TpiSnapshot

    b = TpiSnapshot.objects.aggregate(m=Max("bucket_ms"))["m"]
    if b is None:
        return []
    return [{"code": c, "name": n, "road_class": rc, "coordinates": xy, "speed_kmh": v, "level": lv,
             "level_name": tpi.LEVEL_NAMES[lv]}
            for c, n, rc, xy, v, lv in SegmentState.objects.filter(bucket_ms=b).values_list(
                "segment__code", "segment__name", "segment__road_class", "segment__coordinates", "speed_kmh",
                "level").order_by("segment__code")[:5000]]


def profile(weekday: int) -> dict:
    slots = congestion.profile(weekday)
    return {"weekday": weekday, "slots": slots, "morning_peak": congestion.peak_hour(slots, half="morning"),
            "evening_peak": congestion.peak_hour(slots, half="evening"),
            "defined_peaks": {k: f"{a[0]:02d}:{a[1]:02d}-{b[0]:02d}:{b[1]:02d}"
                              for k, (a, b) in congestion.peaks().items()}}


def incident_rows(*, state: str | None = None):
    from smartcounty.domains.traffic import incidents

    return incidents.incidents(state=state)


def incident_out(i) -> dict:
    return {"id": i.id, "segment": i.segment.code, "name": i.segment.name, "datastream_id": i.datastream_id,
            "detected": congestion.sensing.from_ms(i.detected_ms), "cleared": congestion.sensing.from_ms(i.cleared_ms),
            "baseline_kmh": i.baseline_kmh, "speed_kmh": i.speed_kmh, "state": i.state, "alert_id": i.alert_id}


class _ParkingPage:
    """A lazily evaluated list of car-park rows for pagination: only the page's car parks are read."""

    def __init__(self, qs):
        self.qs = qs

    def __len__(self):
        return self.qs.count()

    def count(self):
        return self.qs.count()

    def __getitem__(self, sl):
        from smartcounty.domains.traffic import parking

        return parking.rows(self.qs[sl])


def parking_page(*, kind=None, town=None):
    from smartcounty.domains.traffic import parking

    return _ParkingPage(parking.car_parks(kind=kind, town=town))


def parking_totals() -> dict:
    """Vacant spaces and capacity of the car parks with a live reading, their number and how many are offline."""
    from smartcounty.domains.traffic import parking

    return parking.totals()


def current_notices():
    from smartcounty.domains.traffic import notices

    return notices.current()


def publish_notice(**kw) -> int:
    from smartcounty.domains.traffic import notices

    return notices.publish(**kw)
