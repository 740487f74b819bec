"""Guan County traffic demo (labelled 示例): the county seat's streets, G309 and the G22 expressway as
segments imported from GeoJSON, the four demo detectors mapped onto them, a floating-vehicle stream on
every other segment with a day of history, and the TPI of that day. Coordinates are approximate."""

from smartcounty.domains.traffic import feed, network
from smartcounty.domains.traffic.models import RoadSegment, SegmentStream
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.sensing import services as sensing

# name, class, points [(lon, lat), ...] (each consecutive pair of points is one segment)
ROADS = (
    ("G22青兰高速", "expressway", [(115.40, 36.448), (115.46, 36.451), (115.520, 36.455), (115.58, 36.459)]),
    ("G309国道", "arterial", [(115.360, 36.488), (115.395, 36.488), (115.420, 36.487), (115.447, 36.485),
                             (115.470, 36.4835), (115.495, 36.482), (115.540, 36.480)]),
    ("冠宜春路", "arterial", [(115.430, 36.480), (115.447, 36.480), (115.465, 36.480)]),
    ("振兴路", "arterial", [(115.447, 36.465), (115.447, 36.480), (115.447, 36.497)]),
    ("建设路", "secondary", [(115.430, 36.490), (115.447, 36.491), (115.465, 36.491)]),
    ("红旗路", "secondary", [(115.436, 36.468), (115.436, 36.480), (115.436, 36.495)]),
    ("崇文街", "secondary", [(115.458, 36.468), (115.458, 36.480), (115.458, 36.495)]),
    ("清泉街", "branch", [(115.440, 36.474), (115.452, 36.474), (115.462, 36.474)]),
    ("文化路", "branch", [(115.441, 36.495), (115.453, 36.495)]),
)
BACKFILL_HOURS = 24


def segment_codes() -> list[tuple[str, str, str]]:
    out = []
    for n, (road, cls, pts) in enumerate(ROADS):
        for i in range(1, len(pts)):
            out.append((f"GX-{n + 1:02d}-{i:02d}", f"{road}第{i}段(示例)", cls))
    return out


def geojson() -> dict:
    """The demo network as a GeoJSON FeatureCollection (what a county's GIS office would export)."""
    features, codes = [], iter(segment_codes())
    for _road, _cls, pts in ROADS:
        for a, b in zip(pts, pts[1:], strict=False):
            code, name, cls = next(codes)
            features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [list(a), list(b)]},
                             "properties": {"code": code, "name": name, "class": cls}})
    return {"type": "FeatureCollection", "features": features}


def load(stdout=None):
    result = network.import_geojson(geojson())
    if result["errors"]:
        raise RuntimeError(f"demo network did not import: {result['errors'][:3]}")
    detectors = network.map_detectors()
    org = accounts.organisation_ids_by_code().get("transport")
    mapped = set(SegmentStream.objects.values_list("segment_id", flat=True))
    made = 0
    for seg in RoadSegment.objects.exclude(id__in=mapped).order_by("code"):
        mid = seg.coordinates[len(seg.coordinates) // 2 - 1]
        nxt = seg.coordinates[len(seg.coordinates) // 2]
        lon, lat = (mid[0] + nxt[0]) / 2, (mid[1] + nxt[1]) / 2
        thing = sensing.create_thing(f"traffic-fcd-{seg.code}", f"{seg.name}浮动车测速(示例)", lon=lon, lat=lat,
                                     kind="traffic_fcd", organisation_id=org, is_demo=True,
                                     properties={"demo": True, "segment": seg.code}, description="演示数据 / demo data")
        ds = sensing.create_datastream(thing, network.SPEED_PROPERTY, expected_interval_s=300)
        network.map_stream(seg.code, ds.id, source=SegmentStream.Source.FLOATING)
        made += 1
    parks = load_parking(org)
    load_notice(org)
    n = feed.backfill(BACKFILL_HOURS)
    if stdout is not None:
        stdout.write(f"  traffic: {result['created'] + result['updated']} segments, {len(detectors)} detectors "
                     f"mapped, {made} floating streams, {parks} car parks, {n} backfilled readings")


def load_parking(org) -> int:
    from datetime import time as dtime

    from smartcounty.domains.traffic import parking
    from smartcounty.domains.traffic.models import CarPark

    made = 0
    for code, name, kind, cap, _profile, lon, lat, free, rate, cap_yuan, opens, closes in feed.DEMO_PARKS:
        if CarPark.objects.filter(code=code).exists():
            continue
        thing = sensing.create_thing(f"parking-{code}", f"{name}车位检测", lon=lon, lat=lat, kind="parking",
                                     organisation_id=org, is_demo=True, properties={"demo": True},
                                     description="演示数据 / demo data")
        ds = sensing.create_datastream(thing, parking.OCCUPIED, expected_interval_s=60)
        parking.create_car_park(code=code, name=name, kind=kind, capacity=cap, lon=lon, lat=lat, free_minutes=free,
                                hourly_rate=rate, daily_cap=cap_yuan,
                                opens=dtime.fromisoformat(opens) if opens else None,
                                closes=dtime.fromisoformat(closes) if closes else None, datastream_id=ds.id)
        made += 1
    return made


def load_notice(org) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from smartcounty.domains.traffic import notices
    from smartcounty.domains.traffic.models import Notice

    if Notice.objects.filter(title__endswith="(示例)").exists():
        return
    start = timezone.localtime().replace(hour=22, minute=0, second=0, microsecond=0)
    notices.publish(title="振兴路雨污管网改造夜间封闭施工(示例)", kind="closure", area="振兴路(冠宜春路至建设路段)",
                    detour="车辆请经红旗路、崇文街绕行", body="施工期间每日22:00至次日6:00封闭，请过往车辆提前绕行。",
                    starts_at=start, ends_at=start + timedelta(days=7, hours=8),
                    segment_codes=[c for c, n, _k in segment_codes() if n.startswith("振兴路第2段")],
                    organisation_id=org)
