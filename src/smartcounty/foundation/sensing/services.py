"""Sensing services: the only entry points (with ``schemas``) other modules use.

Public: ``ingest`` (store a batch of observations), ``sync_observed_properties``, ``create_thing``,
``create_datastream``, ``observations``, ``aggregate``, ``window_stats``, ``trailing_stats``, ``hourly_stats``,
``latest_values`` (and ``latest_value``, ``thing_ids``, ``mean_latest``, ``property_counts``, ``device_counts``,
``map_points``, ``map_cells``: see ``queries``), ``reader`` (what a user may see), ``check_health``,
``datastream_info``. Every one returns plain data (``schemas``), never a QuerySet or a model. Times are epoch
milliseconds inside, aware UTC datetimes at the edges.
Events (see ``schemas``): ``sensing.observations``, ``sensing.datastream_offline``,
``sensing.datastream_online``.
"""

from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.db import connection, transaction
from django.db.models import BigIntegerField, F, Value
from django.utils import timezone

from smartcounty.foundation.sensing import fastpath
from smartcounty.foundation.sensing import ingest as _ingest
from smartcounty.foundation.sensing import queries as _queries
from smartcounty.foundation.sensing.models import (
    Datastream,
    HealthEvent,
    Location,
    ObservedProperty,
    Sensor,
    Thing,
)
from smartcounty.foundation.sensing.schemas import EVERYONE, DatastreamHealth, DatastreamRef, Reader, ThingRef  # noqa: F401 (EVERYONE, Reader: public)
from smartcounty.kernel import audit, events, registry
from smartcounty.kernel.problems import ApiError

OBSERVATIONS = _ingest.OBSERVATIONS
OFFLINE = _ingest.OFFLINE
ONLINE = _ingest.ONLINE
Reject = _ingest.Reject
MAX_REQUEST_ITEMS = _ingest.MAX_REQUEST_ITEMS
ingest = _ingest.ingest
dead_letter = _ingest.dead_letter
expand_data_array = _ingest.expand_data_array
parse_time = _ingest.parse_time


def roll_up_rows(rows: list) -> None:
    """Add stored row tuples to the hourly rollup (after a delete recomputes an hour from what is left)."""
    _ingest.roll_up(fastpath.hourly_groups(rows))


reader = _queries.reader
latest_values = _queries.latest_values
latest_value = _queries.latest_value
thing_ids = _queries.thing_ids
mean_latest = _queries.mean_latest
property_counts = _queries.property_counts
device_counts = _queries.device_counts
count_in_view = _queries.count_in_view
map_points = _queries.map_points
map_cells = _queries.map_cells
thing_rows = _queries.thing_rows
thing_kinds = _queries.thing_kinds
health_events = _queries.health_events
dead_letters = _queries.dead_letters

#: China has kept UTC+8 all year since 1991: Asia/Shanghai buckets are integer arithmetic.
SHANGHAI_OFFSET_MS = 8 * 3600 * 1000
BUCKETS = {"5min": 300_000, "1h": 3_600_000, "1day": 86_400_000}
#: A datastream is offline when silent for longer than expected interval x this factor.
GRACE = 2.5


def to_ms(dt: datetime) -> int:
    if dt.tzinfo is None:
        raise ValueError("aware datetime expected")
    return round(dt.timestamp() * 1000)


def from_ms(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


def sync_observed_properties() -> int:
    """Create or update one ObservedProperty row per registered spec (idempotent). Returns the count."""
    n = 0
    for spec in registry.observed_properties.values():
        ObservedProperty.objects.update_or_create(code=spec.code, defaults={
            "name_zh": spec.name_zh, "name_en": spec.name_en, "unit": spec.unit,
            "definition": spec.definition, "decimals": spec.decimals})
        n += 1
    return n


def locate(lon: float, lat: float) -> tuple[str, str]:
    """(town code, grid code) of a point through places; blank when places does not know it."""
    if not apps.is_installed("smartcounty.foundation.places"):
        return "", ""
    from smartcounty.foundation.places import services as places_services

    found = places_services.locate(lon, lat)
    if found is None:
        return "", ""
    return (getattr(found, "town_code", "") or ""), (getattr(found, "grid_code", "") or "")


def _thing_ref(thing: Thing) -> ThingRef:
    return ThingRef(thing.id, thing.code, thing.name, thing.kind, thing.organisation_id)


def _ds_ref(ds: Datastream) -> DatastreamRef:
    return DatastreamRef(ds.id, ds.name, ds.thing_id, ds.property_code, ds.expected_interval_s, ds.organisation_id)


@transaction.atomic
def create_thing(code: str, name: str, *, lon: float, lat: float, kind: str = "", organisation_id=None,
                 description: str = "", properties: dict | None = None, is_demo: bool = False,
                 town_code: str = "", grid_code: str = "", actor=None) -> ThingRef:
    """Create (or return the existing) thing with its location, placed in a town and grid."""
    thing = Thing.objects.filter(code=code).first()
    if thing is not None:
        return _thing_ref(thing)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ApiError(422, "invalid", "coordinates out of range", field="lon")
    found_town, found_grid = locate(lon, lat)
    thing = Thing.objects.create(code=code, name=name, kind=kind, organisation_id=organisation_id,
                                 description=description, properties=properties or {}, is_demo=is_demo)
    Location.objects.create(thing=thing, name=name, lon=lon, lat=lat, town_code=found_town or town_code,
                            grid_code=found_grid or grid_code)
    if actor is not None:
        audit.record("sensing.thing_create", actor=actor, obj=thing, organisation_id=organisation_id,
                     detail={"code": code, "lon": lon, "lat": lat})
    return _thing_ref(thing)


def thing_exists(code: str) -> bool:
    return Thing.objects.filter(code=code).exists()


def thing_ref(thing_id: int) -> ThingRef | None:
    thing = Thing.objects.filter(pk=thing_id).first()
    return None if thing is None else _thing_ref(thing)


def has_datastream(thing_id: int, property_code: str) -> bool:
    return Datastream.objects.filter(thing_id=thing_id, property_code=property_code).exists()


@transaction.atomic
def create_datastream(thing, property_code: str, *, expected_interval_s: int = 300, name: str = "",
                      sensor_name: str = "", actor=None) -> DatastreamRef:
    """Create (or return) the thing's datastream of one observed property. ``thing`` is a ``ThingRef``
    (or anything with an ``id``) or a thing id."""
    thing_id = thing if isinstance(thing, int) else thing.id
    thing = Thing.objects.get(pk=thing_id)
    prop = ObservedProperty.objects.filter(code=property_code).first()
    if prop is None:
        if property_code not in registry.observed_properties:
            raise ApiError(422, "invalid", f"unknown observed property {property_code!r}", field="observed_property")
        sync_observed_properties()
        prop = ObservedProperty.objects.get(code=property_code)
    existing = Datastream.objects.filter(thing=thing, observed_property=prop).first()
    if existing is not None:
        return _ds_ref(existing)
    sensor, _ = Sensor.objects.get_or_create(name=sensor_name or f"{prop.name_en} sensor")
    loc = thing.locations.order_by("-id").first()
    ds = Datastream.objects.create(
        name=name or f"{thing.name} {prop.name_zh}", thing=thing, sensor=sensor, observed_property=prop,
        unit_name=prop.unit, unit_symbol=prop.unit, unit_definition=prop.definition,
        expected_interval_s=expected_interval_s, property_code=prop.code, organisation_id=thing.organisation_id,
        town_code=loc.town_code if loc else "", grid_code=loc.grid_code if loc else "",
        lon=loc.lon if loc else None, lat=loc.lat if loc else None)
    if actor is not None:
        audit.record("sensing.datastream_create", actor=actor, obj=ds, organisation_id=thing.organisation_id,
                     detail={"thing": thing.code, "property": prop.code})
    return _ds_ref(ds)


def _range(datastream_id: int, start_ms: int | None, end_ms: int | None) -> tuple[str, list]:
    where = ["datastream_id = %s"]
    params: list = [datastream_id]
    if start_ms is not None:
        where.append("phenomenon_ms >= %s")
        params.append(start_ms)
    if end_ms is not None:
        where.append("phenomenon_ms < %s")
        params.append(end_ms)
    return " AND ".join(where), params


def count_observations(datastream_id: int, start_ms: int | None = None, end_ms: int | None = None) -> int:
    cond, params = _range(datastream_id, start_ms, end_ms)
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM sensing_observation WHERE {cond}", params)
        return cur.fetchone()[0]


def observations(datastream_id: int, start_ms: int | None = None, end_ms: int | None = None,
                 *, limit: int = 500, offset: int = 0, newest_first: bool = False) -> list:
    """Rows of one datastream with start <= phenomenon time < end: (phenomenon_ms, result_ms, result,
    result_json, quality), oldest first unless ``newest_first``."""
    cond, params = _range(datastream_id, start_ms, end_ms)
    order = "DESC" if newest_first else "ASC"
    with connection.cursor() as cur:
        cur.execute(f"SELECT phenomenon_ms, result_ms, result, result_json, quality FROM sensing_observation "
                    f"WHERE {cond} ORDER BY phenomenon_ms {order} LIMIT %s OFFSET %s", [*params, limit, offset])
        return cur.fetchall()


def bucket_start(ms: int, bucket: str) -> int:
    """Start (epoch ms) of the Asia/Shanghai-aligned bucket holding ``ms`` (the SQL uses the same sum)."""
    width = BUCKETS[bucket]
    return (ms + SHANGHAI_OFFSET_MS) // width * width - SHANGHAI_OFFSET_MS


def _grouped(table_sql: str, params: list) -> dict:
    with connection.cursor() as cur:
        cur.execute(table_sql, params)
        return {b: [n or 0, total, lo, hi] for b, n, total, lo, hi in cur.fetchall()}


def aggregate(datastream_id: int, start_ms: int, end_ms: int, bucket: str) -> list[dict]:
    """Count, min, max and mean of numeric results per bucket; buckets are aligned to Asia/Shanghai
    (a ``1day`` bucket runs from 00:00 to 24:00 Beijing time). ``start`` is each bucket's UTC start.
    Buckets without numeric results are left out.

    ``1h`` and ``1day`` read the hourly rollup for the whole hours of the range and the observations
    only for the partial hours at its ends; ``5min`` reads the observations."""
    try:
        width = BUCKETS[bucket]
    except KeyError:
        raise ApiError(422, "invalid", f"bucket must be one of {', '.join(BUCKETS)}", field="bucket") from None
    if end_ms <= start_ms:
        raise ApiError(422, "invalid", "end must be after start", field="end")
    if (end_ms - start_ms) // width > 100_000:
        raise ApiError(422, "invalid", "too many buckets; use a wider bucket or a shorter range", field="bucket")
    off = SHANGHAI_OFFSET_MS
    raw_sql = ("SELECT (phenomenon_ms + %s) / %s AS b, COUNT(result), SUM(result), MIN(result), MAX(result) "
               "FROM sensing_observation WHERE datastream_id = %s AND phenomenon_ms >= %s AND phenomenon_ms < %s "
               "GROUP BY b")
    hour = fastpath.HOUR_MS
    first_hour = -(-start_ms // hour) * hour
    last_hour = end_ms // hour * hour
    if width < hour or first_hour >= last_hour:
        merged = _grouped(raw_sql, [off, width, datastream_id, start_ms, end_ms])
    else:
        if width == hour:  # one rollup row per bucket already: no GROUP BY (PostgreSQL's HashAggregate)
            sql = ("SELECT (hour_ms + %s) / %s, n, total, lo, hi FROM sensing_hourlyrollup "
                   "WHERE datastream_id = %s AND hour_ms >= %s AND hour_ms < %s")
        else:
            sql = ("SELECT (hour_ms + %s) / %s AS b, SUM(n), SUM(total), MIN(lo), MAX(hi) "
                   "FROM sensing_hourlyrollup WHERE datastream_id = %s AND hour_ms >= %s AND hour_ms < %s "
                   "GROUP BY b")
        merged = _grouped(sql, [off, width, datastream_id, first_hour, last_hour])
        for lo_ms, hi_ms in ((start_ms, first_hour), (last_hour, end_ms)):
            if lo_ms >= hi_ms:
                continue
            for b, (n, total, lo, hi) in _grouped(raw_sql, [off, width, datastream_id, lo_ms, hi_ms]).items():
                if not n:
                    continue
                g = merged.get(b)
                if g is None or not g[0]:
                    merged[b] = [n, total, lo, hi]
                else:
                    merged[b] = [g[0] + n, g[1] + total, min(g[2], lo), max(g[3], hi)]
    return [{"start": from_ms(b * width - off), "count": n, "min": lo, "max": hi, "mean": total / n}
            for b, (n, total, lo, hi) in sorted(merged.items()) if n]


def window_stats(datastream_ids, start_ms: int, end_ms: int) -> dict[int, tuple[int, float, float, float]]:
    """{datastream id: (count, sum, min, max)} of the numeric results with start <= phenomenon time < end, for
    several datastreams in one database query. Datastreams without a numeric result in the window are left out.

    The whole UTC hours inside the window come from the hourly rollup and only the partial hours at its ends
    from the observations (count, min and max equal the raw computation exactly; the sum up to float rounding)."""
    ids = sorted({int(i) for i in datastream_ids})
    if not ids or end_ms <= start_ms:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    raw = ("SELECT datastream_id AS d, COUNT(result) AS n, SUM(result) AS total, MIN(result) AS lo, MAX(result) AS hi "
           f"FROM sensing_observation WHERE datastream_id IN ({marks}) AND phenomenon_ms >= %s AND phenomenon_ms < %s "
           "GROUP BY datastream_id")
    hour = fastpath.HOUR_MS
    first_hour = -(-start_ms // hour) * hour
    last_hour = end_ms // hour * hour
    if first_hour >= last_hour:
        sql, params = raw, [*ids, start_ms, end_ms]
    else:
        parts = ["SELECT datastream_id AS d, n, total, lo, hi FROM sensing_hourlyrollup "
                 f"WHERE datastream_id IN ({marks}) AND hour_ms >= %s AND hour_ms < %s"]
        params = [*ids, first_hour, last_hour]
        for lo_ms, hi_ms in ((start_ms, first_hour), (last_hour, end_ms)):
            if lo_ms < hi_ms:
                parts.append(raw)
                params += [*ids, lo_ms, hi_ms]
        sql = f"SELECT d, SUM(n), SUM(total), MIN(lo), MAX(hi) FROM ({' UNION ALL '.join(parts)}) AS w GROUP BY d"
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return {d: (int(n), total, lo, hi) for d, n, total, lo, hi in cur.fetchall() if n}


def hourly_stats(datastream_ids, start_ms: int, end_ms: int) -> dict[int, dict[int, tuple[int, float]]]:
    """{datastream id: {UTC hour start ms: (count, mean)}} of the numeric results of several datastreams over
    the whole hours in [start, end), from the hourly rollup in one database query (hours without a numeric
    result are left out; the partial hours at the ends are not read)."""
    ids = sorted({int(i) for i in datastream_ids})
    hour = fastpath.HOUR_MS
    first_hour, last_hour = -(-start_ms // hour) * hour, end_ms // hour * hour
    if not ids or first_hour >= last_hour:
        return {}
    if (last_hour - first_hour) // hour > 24 * 366:
        raise ApiError(422, "invalid", "at most a year of hours", field="end")
    marks = ", ".join(["%s"] * len(ids))
    out: dict[int, dict[int, tuple[int, float]]] = {}
    with connection.cursor() as cur:
        cur.execute(f"SELECT datastream_id, hour_ms, n, total FROM sensing_hourlyrollup WHERE datastream_id IN "
                    f"({marks}) AND hour_ms >= %s AND hour_ms < %s", [*ids, first_hour, last_hour])
        for d, h, n, total in cur.fetchall():
            if n:
                out.setdefault(d, {})[h] = (int(n), total / n)
    return out


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def trailing_stats(datastream_ids, at: datetime, hours: float) -> dict[int, tuple[int, float, float, float]]:
    """``window_stats`` over the ``hours`` before ``at``: (at - hours, at], the start left out and ``at`` itself
    in (a stored time t, in whole ms, is <= ``at`` exactly when t <= ``at`` floored to the millisecond)."""
    end = (at.astimezone(UTC) - _EPOCH) // timedelta(milliseconds=1)
    return window_stats(datastream_ids, end - round(hours * fastpath.HOUR_MS) + 1, end + 1)


def _health_row(ds: Datastream, online: bool) -> DatastreamHealth:
    return DatastreamHealth(ds.id, ds.thing_id, ds.property_code, ds.town_code or None, ds.grid_code or None,
                            from_ms(ds.last_ms), online)


def check_health(now: datetime | None = None, *, grace: float = GRACE) -> list[int]:
    """Mark online datastreams silent for longer than expected interval x grace as offline.

    Stores a HealthEvent and publishes ``sensing.datastream_offline`` for each; returns their ids.
    """
    now = now or timezone.now()
    now_ms = to_ms(now)
    # last + interval x grace < now, written as last < now - interval x grace (an index-friendly filter)
    stale = Datastream.objects.filter(
        online=True, last_ms__lt=Value(now_ms, output_field=BigIntegerField()) - F("expected_interval_s") * int(grace * 1000))
    gone = []
    with transaction.atomic():
        for ds in stale.select_for_update().only("id", "thing_id", "property_code", "town_code", "grid_code",
                                                 "last_ms"):
            if not Datastream.objects.filter(pk=ds.pk, online=True).update(online=False):
                continue
            HealthEvent.objects.create(datastream=ds, at=now, online=False, last_ms=ds.last_ms)
            events.publish(OFFLINE, _health_row(ds, False))
            gone.append(ds.id)
    return gone


_INFO_FIELDS = ("id", "name", "thing_id", "thing__name", "property_code", "unit_symbol", "town_code", "grid_code",
                "lon", "lat", "last_ms", "last_value", "online", "organisation_id")


def _info(row: dict) -> dict:
    row["last_time"] = from_ms(row.pop("last_ms"))
    row["thing_name"] = row.pop("thing__name")
    return row


def datastream_info(datastream_id: int) -> dict | None:
    """Facts about one datastream other modules may show (no observation rows): id, name, thing_id,
    thing_name, property_code, unit_symbol, town_code, grid_code, lon, lat, last_time, last_value,
    online, organisation_id."""
    row = Datastream.objects.filter(pk=datastream_id).values(*_INFO_FIELDS).first()
    return None if row is None else _info(row)


def datastreams_info(ids) -> list[dict]:
    """``datastream_info`` of many datastreams in one query (unknown ids are left out)."""
    return [_info(r) for r in Datastream.objects.filter(pk__in=list(ids)).values(*_INFO_FIELDS)]


def thing_properties(thing_ids) -> dict[int, dict]:
    """{thing id: its ``properties`` (a plain dict)} of several things in one query (unknown ids left out)."""
    ids = sorted({int(i) for i in thing_ids})
    if not ids:
        return {}
    return {i: dict(p or {}) for i, p in Thing.objects.filter(pk__in=ids).values_list("id", "properties")}
