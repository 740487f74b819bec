"""The ingest hot path: validate items, store them with bulk SQL, keep latest values, publish facts.

No ORM object and no pydantic model per item: each item is checked by plain Python, the rows go in
with one multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` per chunk (SQLite) or one
``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING RETURNING`` (PostgreSQL), so a
repeated (datastream, phenomenon time) changes nothing and we know exactly which rows are new.
Everything, dead letters included, commits in one transaction; the facts are published after it (in a process
with an outbox lane, the batch of new observations is also written to the outbox in that transaction: see
``kernel.outbox``, so what is acknowledged is evaluated by the rules, AQI and signals even after a crash).
"""

import json
import math
import time
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone

from smartcounty.foundation.sensing import fastpath
from smartcounty.foundation.sensing.fastpath import FUTURE_MS, INT64_MAX, MIN_MS
from smartcounty.foundation.sensing.models import Datastream, DeadLetter, HealthEvent
from smartcounty.foundation.sensing.schemas import AllCreated, DatastreamHealth, IngestResult
from smartcounty.kernel import events, jsonparse, process, registry

OBSERVATIONS = "sensing.observations"
OFFLINE = "sensing.datastream_offline"
ONLINE = "sensing.datastream_online"

ITEM_KEYS = frozenset({"datastream", "Datastream", "phenomenonTime", "resultTime", "result", "resultQuality",
                       "parameters", "validTime", "FeatureOfInterest", "FeatureOfInterest/id", "@iot.id"})
#: SensorThings properties kept in the observation's ``extra`` (JSON text) rather than a column of their own
EXTRA_KEYS = frozenset({"parameters", "validTime", "FeatureOfInterest", "FeatureOfInterest/id"})
MAX_EXTRA_TEXT = 4096
QUALITY = {"good": 0, "suspect": 1, "bad": 2, 0: 0, 1: 1, 2: 2}
MAX_ITEMS = 50000  # per call of ``ingest`` (MQTT batches); the HTTP API takes at most MAX_REQUEST_ITEMS
MAX_REQUEST_ITEMS = 10_000
#: the longest text/JSON result kept (as its JSON text); a longer one is rejected to the dead letters
MAX_RESULT_TEXT = 4096
#: dead letters kept per batch: the first ones item by item, the rest counted in one summary row
MAX_DEAD_LETTERS = 100


class Reject(Exception):
    pass


def parse_interval(value, field: str) -> tuple[int, int | None]:
    """An instant, or an ISO 8601 interval ``start/end`` (both with offsets), to (start ms, end ms or None)."""
    if isinstance(value, str) and "/" in value:
        start, _, end = value.partition("/")
        lo, hi = parse_time(start, field), parse_time(end, field)
        if hi < lo:
            raise Reject(f"{field}: the interval ends before it starts")
        return lo, hi
    return parse_time(value, field), None


def _extras(item, ms: int, end_ms) -> str | None:
    """The JSON text of what an item carries beyond the common properties (``parameters``, ``validTime``, a
    FeatureOfInterest, a phenomenon interval's end), or None."""
    more: dict = {}
    if end_ms is not None:
        more["phenomenonTimeEnd"] = end_ms
    if item.get("parameters") is not None:
        params = item["parameters"]
        if not isinstance(params, dict):
            raise Reject("parameters: expected a JSON object")
        if jsonparse.too_deep(params, RESULT_DEPTH):
            raise Reject(f"parameters: nested deeper than {RESULT_DEPTH} levels")
        more["parameters"] = params
    if item.get("validTime") is not None:
        lo, hi = parse_interval(item["validTime"], "validTime")
        more["validTime"] = [lo, hi if hi is not None else lo]
    foi = item.get("FeatureOfInterest", item.get("FeatureOfInterest/id"))
    if foi is not None:
        ref = foi.get("@iot.id") if isinstance(foi, dict) else foi
        if type(ref) is not int or ref <= 0:
            raise Reject("FeatureOfInterest: expected {\"@iot.id\": <id>} of an existing feature of interest")
        more["featureOfInterest"] = ref
    if not more:
        return None
    text = json.dumps(more, ensure_ascii=False)
    if len(text) > MAX_EXTRA_TEXT:
        raise Reject(f"parameters: longer than {MAX_EXTRA_TEXT} characters as JSON")
    return text


def parse_time(value, field: str) -> int:
    """ISO 8601 with an offset (or ``Z``), or integer epoch milliseconds, to epoch ms."""
    if isinstance(value, str):
        if "/" in value:
            raise Reject(f"{field}: expected an instant, not an interval")
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            raise Reject(f"{field}: not an ISO 8601 time") from None
        if dt.tzinfo is None:
            raise Reject(f"{field}: the time needs an offset (e.g. Z or +08:00)")
        return round(dt.timestamp() * 1000)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise Reject(f"{field}: expected an ISO 8601 string or epoch milliseconds")


def _datastream_id(item) -> int:
    ref = item.get("datastream", item.get("Datastream"))
    if isinstance(ref, dict):
        ref = ref.get("@iot.id", ref.get("id"))
    if isinstance(ref, int) and not isinstance(ref, bool) and 0 < ref <= INT64_MAX:
        return ref
    raise Reject("datastream: expected a datastream id")


_ABSENT = object()
RESULT_DEPTH = jsonparse.MAX_DEPTH - 2  # the body's list and the item's object hold the result


def parse_item(item, now_ms: int, datastream_id: int | None = None, extras: dict | None = None):
    """One item to a row tuple (datastream, phenomenon_ms, result_ms, value, json_text, quality); what it carries
    beyond those (``parameters``, ``validTime``, FeatureOfInterest, an interval's end) goes into ``extras``
    under (datastream, phenomenon_ms) as JSON text.

    The common shape (integer datastream, epoch-ms or ISO time, numeric result) takes the short
    branches first: this runs once per observation, so every avoided call counts."""
    if type(item) is not dict and not isinstance(item, dict):
        raise Reject("an observation must be a JSON object")
    if not item.keys() <= ITEM_KEYS:
        extra = item.keys() - ITEM_KEYS
        raise Reject(f"unknown field(s): {', '.join(sorted(map(str, extra)))}")
    ds = datastream_id
    if ds is None:
        ds = item.get("datastream")
        if type(ds) is not int or ds <= 0 or ds > INT64_MAX:
            ds = _datastream_id(item)
    pt = item.get("phenomenonTime", _ABSENT)
    end_ms = None
    if type(pt) is int:
        ms = pt
    elif pt is _ABSENT:
        ms = now_ms
    else:
        ms, end_ms = parse_interval(pt, "phenomenonTime")
    if ms < MIN_MS or ms > now_ms + FUTURE_MS:
        raise Reject("phenomenonTime: outside the accepted range (2000-01-01 to now + 1 day)")
    rt = item.get("resultTime")
    if rt is None:
        result_ms = now_ms
    elif type(rt) is int:
        result_ms = rt
    else:
        result_ms = parse_time(rt, "resultTime")
    if not 0 <= result_ms <= INT64_MAX:
        raise Reject("resultTime: outside the accepted range")
    result = item.get("result", _ABSENT)
    kind = type(result)
    text = None
    if kind is float:
        value = result
        if value - value != 0.0:  # NaN or an infinity (json accepts NaN and Infinity literals)
            raise Reject("result: not a finite number")
    elif kind is int:
        try:
            value = float(result)
        except OverflowError:
            raise Reject("result: not a finite number") from None
    elif result is _ABSENT:
        raise Reject("result: missing")
    elif result is True or result is False:
        value = 1.0 if result else 0.0  # a number for aggregates and rules; the JSON keeps the boolean
        text = "true" if result else "false"
    elif isinstance(result, (int, float)):
        value = float(result)
        if not math.isfinite(value):
            raise Reject("result: not a finite number")
    elif result is None:
        raise Reject("result: null")
    else:
        value = None
        if (kind is dict or kind is list) and jsonparse.too_deep(result, RESULT_DEPTH):
            raise Reject(f"result: nested deeper than {RESULT_DEPTH} levels")
        if kind is str and len(result) > MAX_RESULT_TEXT:
            raise Reject(f"result: longer than {MAX_RESULT_TEXT} characters")
        text = json.dumps(result, ensure_ascii=False)
        if len(text) > MAX_RESULT_TEXT:
            raise Reject(f"result: longer than {MAX_RESULT_TEXT} characters as JSON")
    quality = item.get("resultQuality", 0)
    if quality != 0 or type(quality) is not int:
        try:
            quality = QUALITY[quality]
        except (KeyError, TypeError):
            raise Reject("resultQuality: expected good, suspect or bad") from None
    if extras is not None and (end_ms is not None or not item.keys().isdisjoint(EXTRA_KEYS)):
        more = _extras(item, ms, end_ms)
        if more is not None:
            extras[(ds, ms)] = more
    return (ds, ms, result_ms, value, text, quality)


def expand_data_array(body: list) -> list:
    """SensorThings ``CreateObservations`` (dataArray) to flat items; a malformed group raises Reject."""
    items = []
    for group in body:
        if not isinstance(group, dict) or "dataArray" not in group:
            raise Reject("each group needs Datastream, components and dataArray")
        ds = _datastream_id(group)
        components = group.get("components")
        if not isinstance(components, list) or "result" not in components:
            raise Reject("components: a list naming at least result")
        allowed = {"phenomenonTime", "result", "resultTime", "resultQuality", "parameters", "validTime",
                   "FeatureOfInterest/id"}
        if not set(components) <= allowed:
            raise Reject(f"components: only {', '.join(sorted(allowed))}")
        for row in group["dataArray"] or ():
            if not isinstance(row, list) or len(row) != len(components):
                items.append({"datastream": ds, "__bad__": row})
                continue
            item = dict(zip(components, row, strict=True))
            item["datastream"] = ds
            items.append(item)
    return items


def insert_rows(rows: list) -> set:
    """Insert row tuples; return the (datastream, phenomenon_ms) keys that were new."""
    return fastpath.write(rows, returning=True)[1]


def _guess_datastream(item, datastream_id):
    """The datastream a rejected item meant, when it says (for the dead letter's owner)."""
    if datastream_id is not None:
        return datastream_id
    try:
        return _datastream_id(item) if isinstance(item, dict) else None
    except Reject:
        return None


_HOURLY_SQL = (
    "INSERT INTO sensing_hourlyrollup (datastream_id, hour_ms, n, total, lo, hi) VALUES (%s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (datastream_id, hour_ms) DO UPDATE SET n = sensing_hourlyrollup.n + excluded.n, "
    "total = sensing_hourlyrollup.total + excluded.total, lo = {least}(sensing_hourlyrollup.lo, excluded.lo), "
    "hi = {greatest}(sensing_hourlyrollup.hi, excluded.hi)")


def roll_up(groups: dict) -> None:
    """Add {(datastream, hour_ms): [n, sum, min, max]} of newly stored rows to the hourly rollup."""
    if not groups:
        return
    pg = connection.vendor == "postgresql"
    sql = _HOURLY_SQL.format(least="LEAST" if pg else "min", greatest="GREATEST" if pg else "max")
    with connection.cursor() as cur:
        cur.executemany(sql, [(ds, h, g[0], g[1], g[2], g[3]) for (ds, h), g in groups.items()])


def store_rows(rows: list) -> set:
    """Insert row tuples and roll the new ones up; returns the new keys. (No checks, no events: for
    trusted bulk loads such as benchmarks and imports; devices go through ``ingest``.)"""
    with transaction.atomic():
        new = insert_rows(rows)
        roll_up(fastpath.hourly_groups([row for row in rows if (row[0], row[1]) in new]))
    return new


def _meta(ids) -> dict:
    return {r[0]: r for r in Datastream.objects.filter(id__in=ids).values_list(
        "id", "thing_id", "property_code", "town_code", "grid_code", "organisation_id", "online")}


def _ranges(meta: dict) -> dict:
    """{datastream: ObservedPropertySpec} of the datastreams whose observed property has a plausible range."""
    specs = registry.observed_properties
    found = {}
    for ds, m in meta.items():
        spec = specs.get(m[2]) if m[2] in specs else None
        if spec is not None and (spec.minimum is not None or spec.maximum is not None):
            found[ds] = spec
    return found


def _numeric(meta: dict) -> set:
    """The datastreams whose observed property takes numbers only (every registered one unless it says not)."""
    specs = registry.observed_properties
    return {ds for ds, m in meta.items() if m[2] in specs and specs.get(m[2]).numeric}


def _implausible(spec, value: float) -> str:
    lo = "" if spec.minimum is None else f"{spec.minimum:g}"
    hi = "" if spec.maximum is None else f"{spec.maximum:g}"
    return f"result: {value:g} {spec.unit} is outside the plausible range of {spec.code} ({lo} to {hi})"


def _health(meta_row, last_ms, online: bool) -> DatastreamHealth:
    last = datetime.fromtimestamp(last_ms / 1000, UTC) if last_ms is not None else None
    return DatastreamHealth(meta_row[0], meta_row[1], meta_row[2], meta_row[3] or None, meta_row[4] or None,
                            last, online)


def ingest(items: list, *, source: str, sender=None, allowed=None, publish: bool = True, topic: str | list = "",
           datastream_id: int | None = None, raw_items: list | None = None) -> IngestResult:
    """Store a batch. ``allowed(organisation_id) -> bool`` limits which datastreams the sender may feed.

    Per item: created, duplicate, or rejected (kept as a dead letter with the reason). ``raw_items``
    (same length as ``items``) is what goes into a dead letter instead of the parsed item; ``topic``
    is one MQTT topic for all items or a list with one per item.
    """
    if len(items) > MAX_ITEMS:
        raise Reject(f"at most {MAX_ITEMS} observations per batch")
    now_ms = int(time.time() * 1000)
    plain = fastpath.columns(items, now_ms, datastream_id)
    if plain is not None:
        done = _ingest_fast(plain, allowed=allowed, publish=publish)
        if done is not None:
            return done
    results: list = [None] * len(items)
    rejects: list = []
    extras: dict = {}
    parsed: list = list(enumerate(plain)) if plain is not None else []  # plain rows are already checked
    append = parsed.append
    for i, item in enumerate(items if plain is None else ()):
        try:
            if "__bad__" in item and isinstance(item, dict):
                raise Reject(item["__bad__"] if isinstance(item["__bad__"], str)
                             else "dataArray row does not match components")
            append((i, parse_item(item, now_ms, datastream_id, extras)))
        except Reject as exc:
            rejects.append((i, str(exc), _guess_datastream(item, datastream_id)))
        except TypeError:  # ``"__bad__" in item`` on a number, None...
            try:
                append((i, parse_item(item, now_ms, datastream_id, extras)))
            except Reject as exc:
                rejects.append((i, str(exc), _guess_datastream(item, datastream_id)))
    with process.write_transaction():
        wanted = {row[0] for _, row in parsed} | {ds for _, _, ds in rejects if ds is not None}
        meta = _meta(wanted) if wanted else {}
        verdict: dict = {}
        rows = []
        keep = []
        if allowed is not None:
            for org in {m[5] for m in meta.values()}:
                verdict[org] = bool(allowed(org))
        ranges = _ranges(meta)
        numeric = _numeric(meta)
        for i, row in parsed:
            m = meta.get(row[0])
            if m is None:
                rejects.append((i, f"datastream {row[0]} does not exist", row[0]))
                continue
            if allowed is not None and not verdict[m[5]]:
                rejects.append((i, f"not allowed to send to datastream {row[0]}", row[0]))
                continue
            if row[3] is None and row[0] in numeric:
                rejects.append((i, f"result: {m[2]} takes a number (not text, JSON or NaN)", row[0]))
                continue
            spec = ranges.get(row[0])
            if spec is not None and row[3] is not None and spec.outside(row[3]):
                rejects.append((i, _implausible(spec, row[3]), row[0]))
                continue
            rows.append(row)
            keep.append(i)
        new = insert_rows(rows)
        if extras:
            _store_extras(extras, new)
        created = duplicates = 0
        stored = []
        pending = set(new)
        for i, row in zip(keep, rows, strict=True):
            key = (row[0], row[1])
            if key in pending:
                pending.discard(key)
                created += 1
                results[i] = {"index": i, "status": "created"}
                stored.append(row)
            else:
                duplicates += 1
                results[i] = {"index": i, "status": "duplicate"}
        roll_up(fastpath.hourly_groups(stored))
        latest = fastpath.newest(stored)
        health = []
        if latest:
            _update_latest(latest, meta, health)
        for i, reason, _ds in rejects:
            results[i] = {"index": i, "status": "rejected", "error": reason}
        if rejects:
            _dead_letters(rejects, items, raw_items, source=source, topic=topic, sender=sender, meta=meta)
        if publish:
            if stored:
                events.publish(OBSERVATIONS, fastpath.batch(stored, meta))
            for h in health:
                events.publish(ONLINE, h)
    return IngestResult(created, duplicates, len(rejects), results)


def _ingest_fast(rows: list, *, allowed, publish: bool) -> IngestResult | None:
    """A batch of plain items (``fastpath.columns``): None when the general path must take it
    (an unknown or forbidden datastream, an implausible value, a key already stored), with nothing written.

    Everything computed from the batch alone (datastreams, rollup groups, newest values, the event) is done
    before the write transaction, so another thread's batch can be prepared while this one is written;
    inside it, the datastreams are counted again (one was deleted meanwhile: the general path decides)."""
    wanted = {r[0] for r in rows}
    meta = _meta(wanted)
    if len(meta) != len(wanted):
        return None
    if allowed is not None and not all(allowed(org) for org in {m[5] for m in meta.values()}):
        return None
    groups, newest = fastpath.hourly_groups(rows), fastpath.newest(rows)
    ranges = _ranges(meta)
    if ranges and any(ds in ranges and (ranges[ds].outside(g[2]) or ranges[ds].outside(g[3]))
                      for (ds, _h), g in groups.items()):
        return None  # an implausible value (each hour's lowest and highest tell): rejected item by item
    published = fastpath.batch(rows, meta) if publish else None
    if published is not None and events.durable(OBSERVATIONS):
        published.to_bytes()  # the outbox row's payload, encoded before the write lock is taken
    with process.write_transaction():
        if fastpath.count_datastreams(wanted) != len(wanted):
            return None
        try:
            with transaction.atomic():
                fastpath.insert_new(rows)
        except fastpath.NotFast:
            return None
        roll_up(groups)
        health: list = []
        _update_latest(newest, meta, health)
        if publish:
            events.publish(OBSERVATIONS, published)
            for h in health:
                events.publish(ONLINE, h)
    n = len(rows)
    return IngestResult(n, 0, 0, AllCreated(n))


def _store_extras(extras: dict, new: set) -> None:
    """Write the ``extra`` JSON of the rows just inserted (rows that carried SensorThings' other properties)."""
    todo = [(text, ds, ms) for (ds, ms), text in extras.items() if (ds, ms) in new]
    if todo:
        with connection.cursor() as cur:
            cur.executemany("UPDATE sensing_observation SET extra = %s WHERE datastream_id = %s AND phenomenon_ms = %s",
                            todo)


def _update_latest(latest: dict, meta: dict, health: list) -> None:
    ids = list(latest)
    with connection.cursor() as cur:
        id_params = ",".join(["%s"] * len(ids))
        cur.execute(f"UPDATE sensing_datastream SET online = %s WHERE online = %s AND id IN ({id_params}) "
                    "RETURNING id", [True, False, *ids])
        back = [r[0] for r in cur.fetchall()]
        cur.executemany("UPDATE sensing_datastream SET last_ms = %s, last_value = %s "
                        "WHERE id = %s AND (last_ms IS NULL OR last_ms < %s)",
                        [(ms, value, ds, ms) for ds, (ms, value) in latest.items()])
    if back:
        now = timezone.now()
        HealthEvent.objects.bulk_create(
            [HealthEvent(datastream_id=ds, at=now, online=True, last_ms=latest[ds][0]) for ds in back])
        health.extend(_health(meta[ds], latest[ds][0], True) for ds in back)


def _payload_text(item) -> str:
    if (type(item) is dict or type(item) is list) and jsonparse.too_deep(item):
        return f"(not kept: nested deeper than {jsonparse.MAX_DEPTH} levels)"
    try:
        return json.dumps(item, ensure_ascii=False, default=str)[:20000]
    except (RecursionError, ValueError):
        return "(not kept: not representable as JSON)"


def _dead_letters(rejects, items, raw_items, *, source, topic, sender, meta) -> None:
    """The first ``MAX_DEAD_LETTERS`` rejects of the batch item by item; the rest in one row that counts
    them by reason (one bad request cannot flood the table; every item's reason is in the response)."""
    letters = []
    sender_org = getattr(sender, "organisation_id", None)
    sender = sender if getattr(sender, "pk", None) else None
    kept, rest = rejects[:MAX_DEAD_LETTERS], rejects[MAX_DEAD_LETTERS:]
    for i, reason, ds in kept:
        raw = raw_items[i] if raw_items is not None else _payload_text(items[i])
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", "replace")
        m = meta.get(ds) if ds is not None else None
        where = topic[i] if isinstance(topic, list) else topic
        letters.append(DeadLetter(source=source, topic=where[:200], reason=reason[:300], payload=raw[:20000],
                                  datastream_id=ds if m is not None else None,
                                  organisation_id=(m[5] if m is not None else sender_org), sender=sender))
    if rest:
        reasons: dict = {}
        for _i, reason, _ds in rest:
            reasons[reason[:300]] = reasons.get(reason[:300], 0) + 1
        top = dict(sorted(reasons.items(), key=lambda kv: -kv[1])[:50])
        summary = {"not_kept": len(rest), "indexes": [rest[0][0], rest[-1][0]], "reasons": top}
        where = topic[rest[0][0]] if isinstance(topic, list) else topic
        letters.append(DeadLetter(source=source, topic=where[:200], organisation_id=sender_org, sender=sender,
                                  reason=f"{len(rest)} more rejected items of this batch (counted by reason)"[:300],
                                  payload=json.dumps(summary, ensure_ascii=False)[:20000]))
    DeadLetter.objects.bulk_create(letters)


def dead_letter(reason: str, payload, *, source: str, topic: str = "", sender=None) -> None:
    """Keep one payload that could not even be read as observations (bad JSON, bad topic...)."""
    if not isinstance(payload, str):
        payload = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else json.dumps(payload, default=str)
    DeadLetter.objects.create(source=source, topic=topic[:200], reason=reason[:300], payload=payload[:20000],
                              organisation_id=getattr(sender, "organisation_id", None),
                              sender=sender if getattr(sender, "pk", None) else None)
