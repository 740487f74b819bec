"""The ingest fast path for the common batch: every item well formed, every datastream known and allowed,
every (datastream, phenomenon time) new.

``columns`` checks a batch column by column with built-ins that loop in C (``map``, ``set``, ``min``,
``all``) instead of one Python call per item, and returns the row tuples ``ingest.parse_item`` would
have made, or None when any item needs the per-item checks (then the caller takes the general path,
which finds and explains every problem). ``insert_new`` inserts without ``RETURNING`` (which
costs SQLite a fifth of its insert rate) and compares the row count with the batch: if some key was
already stored it raises ``NotFast`` inside a savepoint, so nothing stays written and the caller takes
the general path, which reports each duplicate. Once every row is known to be new, the hourly rollup
and the latest values are plain aggregates of the batch.

Both paths share what is here: ``write`` (the bulk INSERT, with or without ``RETURNING``) and the batch
helpers ``hourly_groups``, ``newest`` and ``batch``.
"""

import math
from functools import lru_cache
from itertools import chain, repeat
from operator import itemgetter

import orjson
from django.db import connection

from smartcounty.foundation.sensing.schemas import ObservationBatch, StreamInfo

MIN_MS = 946684800000  # 2000-01-01T00:00:00Z: older phenomenon times are a device clock fault
FUTURE_MS = 24 * 3600 * 1000  # tolerated clock skew into the future
#: the keys a plain item may have (``ingest.ITEM_KEYS`` also takes SensorThings' ``Datastream``)
PLAIN_KEYS = frozenset({"datastream", "phenomenonTime", "resultTime", "result", "resultQuality"})
SQLITE_CHUNK = 5000  # 6 columns x 5000 < SQLite's 32766 host parameters
HOUR_MS = 3_600_000
INT64_MAX = 2**63 - 1  # ids and times are BIGINT columns
_INT = {int}
_NUMBERS = frozenset({int, float})
_QUALITY_CODES = frozenset({0, 1, 2})


class NotFast(Exception):
    """The batch needs the general path (raised inside a savepoint, so its writes are rolled back)."""


def _column(items: list, key: str) -> list:
    """``[d.get(key) for d in items]``, looped in C."""
    return list(map(dict.get, items, repeat(key)))


def columns(items: list, now_ms: int, datastream_id: int | None = None):
    """Row tuples ``(datastream, phenomenon_ms, result_ms, value, None, quality)`` for a batch of plain
    items (integer datastream and epoch-ms times, finite numeric results), or None."""
    n = len(items)
    if not n or set(map(type, items)) != {dict}:
        return None
    if not all(map(PLAIN_KEYS.issuperset, items)):
        return None
    if datastream_id is None:
        ds = _column(items, "datastream")
        if set(map(type, ds)) != _INT or min(ds) <= 0 or max(ds) > INT64_MAX:
            return None
    else:
        ds = repeat(datastream_id, n)
    pt = _column(items, "phenomenonTime")
    if set(map(type, pt)) != _INT or min(pt) < MIN_MS or max(pt) > now_ms + FUTURE_MS:
        return None
    rt = _column(items, "resultTime")
    kinds = set(map(type, rt))
    if kinds == {type(None)}:
        rt = repeat(now_ms, n)
    elif kinds == _INT:
        if min(rt) < 0 or max(rt) > INT64_MAX:
            return None
    elif kinds == {int, type(None)}:
        rt = [now_ms if t is None else t for t in rt]
        if min(rt) < 0 or max(rt) > INT64_MAX:
            return None
    else:
        return None
    values = _column(items, "result")
    kinds = set(map(type, values))
    if not kinds <= _NUMBERS:
        return None  # bool, None, text, JSON, absent: the general path
    if int in kinds:
        try:
            values = list(map(float, values))
        except OverflowError:
            return None
    if not all(map(math.isfinite, values)):
        return None
    quality = list(map(dict.get, items, repeat("resultQuality"), repeat(0)))
    if set(map(type, quality)) != _INT or not set(quality) <= _QUALITY_CODES:
        return None
    return list(zip(ds, pt, rt, values, repeat(None, n), quality, strict=True))


def chunk_sizes(n: int):
    """How ``n`` rows are cut into SQLite statements: ``SQLITE_CHUNK`` rows while that many remain, then powers of
    two. Batches of any size (MQTT's vary with the traffic) then run statements of few shapes, each prepared
    once per connection (5,000 rows take SQLite ~13 ms to prepare) and kept in its statement cache."""
    while n >= SQLITE_CHUNK:
        yield SQLITE_CHUNK
        n -= SQLITE_CHUNK
    while n:
        size = 1 << (n.bit_length() - 1)
        yield size
        n -= size


@lru_cache(maxsize=32)  # (SQLITE_CHUNK and 13 powers of two) x numeric or not
def insert_sql(n: int, numeric: bool = False) -> str:
    """SQLite's INSERT of ``n`` rows. ``numeric``: rows with no JSON result and good quality bind four
    parameters each, the other two being literals. Binding holds the GIL and, inside the write transaction,
    SQLite's one writer: 5,000 such rows bind in under half the time of six parameters each. (Numbered
    parameters, e.g. one ``?1`` for a shared result time, would bind fewer still, but SQLite takes ~250 ms to
    prepare 5,000 rows of them.)"""
    values = ",".join(["(?,?,?,?,NULL,0)" if numeric else "(?,?,?,?,?,?)"] * n)
    return ("INSERT INTO sensing_observation (datastream_id, phenomenon_ms, result_ms, result, result_json, quality) "
            f"VALUES {values} ON CONFLICT (datastream_id, phenomenon_ms) DO NOTHING")


PG_INSERT = (
    "INSERT INTO sensing_observation (datastream_id, phenomenon_ms, result_ms, result, result_json, quality) "
    "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::float8[], %s::text[], %s::smallint[]) "
    "ON CONFLICT (datastream_id, phenomenon_ms) DO NOTHING")
PG_CHUNK = 20000
RETURNING = " RETURNING datastream_id, phenomenon_ms"
_json, _quality, _first_four = itemgetter(4), itemgetter(5), itemgetter(0, 1, 2, 3)


def write(rows: list, *, returning: bool) -> tuple[int, set]:
    """Insert row tuples with bulk SQL (one multi-row INSERT per chunk on SQLite, one ``unnest`` INSERT on
    PostgreSQL), a repeated key doing nothing. Returns the number of rows stored and, with ``returning``,
    their (datastream, phenomenon_ms) keys."""
    stored, new = 0, set()
    if not rows:
        return stored, new
    connection.ensure_connection()
    raw = connection.connection
    tail = RETURNING if returning else ""
    if connection.vendor == "postgresql":
        with raw.cursor() as cur:
            for start in range(0, len(rows), PG_CHUNK):
                chunk = rows[start:start + PG_CHUNK]
                cur.execute(PG_INSERT + tail, [list(c) for c in zip(*chunk, strict=True)])
                stored += cur.rowcount
                if returning:
                    new.update(cur.fetchall())
        return stored, new
    numeric = set(map(_json, rows)) == {None} and not any(map(_quality, rows))
    cur = raw.cursor()
    try:
        start = 0
        for size in chunk_sizes(len(rows)):
            chunk = rows[start:start + size]
            start += size
            params = list(chain.from_iterable(map(_first_four, chunk) if numeric else chunk))
            cur.execute(insert_sql(len(chunk), numeric) + tail, params)
            if returning:
                got = cur.fetchall()
                new.update(got)
                stored += len(got)
            else:
                stored += cur.rowcount
    finally:
        cur.close()
    return stored, new


def insert_new(rows: list) -> None:
    """Insert rows known to be valid, without ``RETURNING``; raise NotFast (call it inside a savepoint) if the
    row count shows a (datastream, phenomenon time) that was already stored or came twice."""
    if write(rows, returning=False)[0] != len(rows):
        raise NotFast("a (datastream, phenomenon time) was already stored")


def count_datastreams(ids: set) -> int:
    """How many of these datastream ids exist (one query, no ORM objects)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT COUNT(*) FROM sensing_datastream WHERE id = ANY(%s)", [list(ids)])
        else:
            cur.execute("SELECT COUNT(*) FROM sensing_datastream WHERE id IN (SELECT value FROM json_each(%s))",
                        [orjson.dumps(list(ids)).decode()])
        return cur.fetchone()[0]


def hourly_groups(rows: list) -> dict:
    """{(datastream, hour_ms): [n, sum, min, max]} of rows with a numeric result."""
    groups: dict = {}
    get = groups.get
    for ds, ms, _rt, v, _text, _q in rows:
        if v is None:
            continue
        key = (ds, ms - ms % HOUR_MS)
        g = get(key)
        if g is None:
            groups[key] = [1, v, v, v]
        else:
            g[0] += 1
            g[1] += v
            if v < g[2]:
                g[2] = v
            elif v > g[3]:
                g[3] = v
    return groups


_ms = itemgetter(1)


def newest(rows: list) -> dict:
    """{datastream: (phenomenon_ms, value)} of each datastream's newest row."""
    ordered = sorted(rows, key=_ms)
    return {r[0]: (r[1], r[3]) for r in ordered}


def batch(rows: list, meta: dict) -> ObservationBatch:
    """The ``sensing.observations`` payload for stored rows (``meta`` from ``ingest._meta``): nothing per row."""
    present = set(map(itemgetter(0), rows))
    info = {ds: StreamInfo(ds, m[1], m[2], m[3] or None, m[4] or None) for ds, m in meta.items() if ds in present}
    return ObservationBatch(rows, info)
