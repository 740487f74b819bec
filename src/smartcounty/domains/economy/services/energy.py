"""Energy monitoring of enterprises and parks: meters are sensing datastreams of interval consumption
(kW·h or m³ per reading); daily and monthly totals per enterprise and per park; anomaly alerts.

An anomaly is a last-24-hour consumption far above the daily mean of the seven days before it
(``anomaly_level``); it is raised through the alerts module (source ``economy``) and resolved when the
consumption falls back."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from smartcounty.domains.economy.models import Enterprise, Meter
from smartcounty.domains.economy.services import registry
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError

#: meter kind -> observed property code
PROPERTIES = {"electricity": "electricity_use", "water": "water_use", "gas": "gas_use"}
KIND_OF = {v: k for k, v in PROPERTIES.items()}
UNITS = {"electricity": "kW·h", "water": "m³", "gas": "m³"}
#: consumption / baseline at which the alert level starts: yellow (2) and orange (3)
RATIOS = ((2.0, 3), (1.5, 2))
#: meters read hourly; the baseline needs three days of readings, the last 24 hours half a day's
READINGS_PER_DAY = 24
MIN_BASELINE_READINGS = 3 * READINGS_PER_DAY
MIN_RECENT_READINGS = READINGS_PER_DAY // 2
DAY = timedelta(days=1)
ALERT_SOURCE = "economy"


def anomaly_level(recent: float, baseline: float | None) -> int:
    """Alert level of a day's consumption ``recent`` against the mean daily consumption ``baseline``:
    0 normal, 2 (yellow) at 1.5 times the baseline, 3 (orange) at twice it. No baseline, no level."""
    if baseline is None or baseline <= 0 or recent is None:
        return 0
    ratio = recent / baseline
    for limit, level in RATIOS:
        if ratio >= limit:
            return level
    return 0


@transaction.atomic
def add_meter(enterprise_id: int, *, kind: str, code: str, lon: float, lat: float, actor=None,
              is_demo: bool = False) -> dict:
    if kind not in PROPERTIES:
        raise ApiError(422, "invalid", _("kind is electricity, water or gas"), field="kind")
    ent = Enterprise.objects.filter(pk=enterprise_id).first()
    if ent is None:
        raise ApiError(404, "not-found")
    existing = Meter.objects.filter(code=code).first()
    if existing is not None:
        if existing.enterprise_id != ent.pk or existing.kind != kind:
            raise ApiError(409, "conflict", _("the meter number belongs to another meter"), field="code")
        return _meter(existing)
    thing = sensing.create_thing(f"meter-{code}", f"{ent.name}{UNITS[kind]}表", lon=lon, lat=lat,
                                 kind="energy_meter", organisation_id=registry.owner_organisation_id(),
                                 properties={"enterprise": ent.uscc, "meter": code}, is_demo=is_demo)
    ds = sensing.create_datastream(thing, PROPERTIES[kind], expected_interval_s=3600)
    meter = Meter.objects.create(enterprise=ent, kind=kind, code=code, thing_id=thing.pk, datastream_id=ds.pk)
    audit.record("economy.meter_add", actor=actor, obj=meter, detail={"enterprise": ent.uscc, "kind": kind})
    return _meter(meter)


def _meter(m: Meter) -> dict:
    return {"id": m.pk, "enterprise_id": m.enterprise_id, "kind": m.kind, "code": m.code,
            "datastream_id": m.datastream_id}


def meters(scope: registry.Scope, *, enterprise_id=None, park_id=None, kind: str = "") -> list[dict]:
    qs = scope.filter(Meter.objects.all(), "enterprise__park_id")
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    if park_id:
        qs = qs.filter(enterprise__park_id=park_id)
    if kind:
        qs = qs.filter(kind=kind)
    return [_meter(m) for m in qs.order_by("id")[:1000]]


def _month_key(start: datetime) -> str:
    return (start + timedelta(hours=8)).strftime("%Y-%m")


def consumption(scope: registry.Scope, *, kind: str, start: datetime, end: datetime, bucket: str = "day",
                enterprise_id=None, park_id=None) -> dict:
    """Consumption of one kind summed over the meters asked for, per Beijing day or month:
    ``{"unit", "meters", "total", "series": [{"period", "value"}]}``."""
    if kind not in PROPERTIES:
        raise ApiError(422, "invalid", _("kind is electricity, water or gas"), field="kind")
    if bucket not in ("day", "month"):
        raise ApiError(422, "invalid", _("bucket is day or month"), field="bucket")
    if end <= start or end - start > timedelta(days=400):
        raise ApiError(422, "invalid", _("the range is empty or longer than 400 days"), field="end")
    ids = [m["datastream_id"] for m in meters(scope, enterprise_id=enterprise_id, park_id=park_id, kind=kind)]
    per: dict = defaultdict(float)
    s_ms, e_ms = sensing.to_ms(start), sensing.to_ms(end)
    for ds in ids:
        for b in sensing.aggregate(ds, s_ms, e_ms, "1day"):
            key = (b["start"] + timedelta(hours=8)).date().isoformat() if bucket == "day" else _month_key(b["start"])
            per[key] += b["mean"] * b["count"]
    series = [{"period": k, "value": round(v, 3)} for k, v in sorted(per.items())]
    return {"kind": kind, "unit": UNITS[kind], "meters": len(ids), "total": round(sum(per.values()), 3),
            "series": series}


def park_breakdown(scope: registry.Scope, park_id: int, *, kind: str, start: datetime, end: datetime) -> list[dict]:
    """Each enterprise of a park with its consumption over the range (one query for all meters)."""
    registry.park_in_scope(scope, park_id)
    rows = list(Meter.objects.filter(enterprise__park_id=park_id, kind=kind)
                .values_list("datastream_id", "enterprise_id", "enterprise__name"))
    stats = sensing.window_stats([r[0] for r in rows], sensing.to_ms(start), sensing.to_ms(end))
    out: dict = {}
    for ds, ent, name in rows:
        o = out.setdefault(ent, {"enterprise_id": ent, "name": name, "value": 0.0})
        o["value"] += stats.get(ds, (0, 0.0, 0, 0))[1] or 0.0
    return sorted(({**o, "value": round(o["value"], 3)} for o in out.values()), key=lambda r: -r["value"])


def check_anomalies(at: datetime, *, datastream_ids=None) -> list[dict]:
    """Judge every meter (or those given) at ``at``: raise, update or resolve its anomaly alert.
    Two aggregate queries for all meters. Returns the meters judged with their level."""
    qs = Meter.objects.select_related("enterprise")
    if datastream_ids is not None:
        qs = qs.filter(datastream_id__in=list(datastream_ids))
    ms = list(qs)
    if not ms:
        return []
    ids = [m.datastream_id for m in ms]
    recent = sensing.window_stats(ids, sensing.to_ms(at - DAY), sensing.to_ms(at))
    base = sensing.window_stats(ids, sensing.to_ms(at - 8 * DAY), sensing.to_ms(at - DAY))
    out = []
    for m in ms:
        r = recent.get(m.datastream_id)
        b = base.get(m.datastream_id)
        # per-reading means, so a missed reading does not look like a drop: the daily baseline is the
        # baseline's mean reading times the readings of a day
        baseline = (b[1] / b[0] * READINGS_PER_DAY) if (b and b[0] >= MIN_BASELINE_READINGS) else None
        value = (r[1] / r[0] * READINGS_PER_DAY) if (r and r[0] >= MIN_RECENT_READINGS) else None
        level = anomaly_level(value, baseline)
        key = f"energy:{m.code}"
        current = alerts.find_open_alert(ALERT_SOURCE, key)
        if level:
            ratio = value / baseline
            title = f"{m.enterprise.name}{m.get_kind_display()}用量异常：近24小时为前7日日均的{ratio:.1f}倍"
            alerts.raise_alert(source=ALERT_SOURCE, key=key, title=title, level=level, property=PROPERTIES[m.kind],
                               thing_id=m.thing_id, datastream_id=m.datastream_id, town=m.enterprise.town_code,
                               organisation_id=registry.owner_organisation_id(), value=round(value, 3), at=at,
                               detail={"enterprise": m.enterprise.uscc, "baseline": round(baseline, 3),
                                       "ratio": round(ratio, 3)})
        elif current is not None and value is not None:
            alerts.resolve_alert(current.id, value=round(value, 3), at=at, note="用量恢复正常")
        out.append({"meter": m.code, "recent": None if value is None else round(value, 3),
                    "baseline": None if baseline is None else round(baseline, 3), "level": level})
    return out


def on_observations(event: str, payload) -> None:
    """``sensing.observations``: judge the meters this batch fed, at their newest reading."""
    from smartcounty.foundation.sensing.schemas import ObservationBatch

    batch = ObservationBatch.of(payload)
    ids, newest = set(), None
    for code in batch.properties & set(KIND_OF):
        for ds, ms, _rt, value, _text, _q in batch.select(code):
            if value is not None:
                ids.add(ds)
                newest = ms if newest is None else max(newest, ms)
    if ids:
        check_anomalies(sensing.from_ms(newest + 1), datastream_ids=ids)
