"""Sensing shapes other modules use. (The sensing helper extends this file.)

Events published by sensing (through ``smartcounty.kernel.events``), delivered after commit:

- ``sensing.observations``: payload ``ObservationBatch`` (a sequence of ``ObservationFact``), the
  observations one ingest batch stored (new ones only; a repeated (datastream, phenomenon time) is not
  published again). Handlers also accept a plain list of ``ObservationFact`` (``ObservationBatch.of``).
- ``sensing.datastream_offline`` / ``sensing.datastream_online``: payload ``DatastreamHealth``.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import compress
from operator import itemgetter
from typing import NamedTuple

import orjson


class ObservationFact(NamedTuple):
    datastream_id: int
    thing_id: int
    property: str  # observed property code, e.g. "pm25", "water_level", "smoke"
    town: str | None  # 9-digit town code from places, e.g. "371525001"
    grid: str | None  # 14-digit grid code from places
    time: datetime  # phenomenon time, aware, UTC
    value: float | None  # numeric result (None when the result is not numeric)


class StreamInfo(NamedTuple):
    """Whose a datastream is and where, as an ``ObservationBatch`` carries it (the fields ``ObservationFact``
    shares with it)."""

    datastream_id: int
    thing_id: int
    property: str
    town: str | None
    grid: str | None


#: Positions in an ``ObservationBatch`` row: ``(datastream_id, phenomenon_ms, result_ms, value, json_text, quality)``.
DS, MS, VALUE = 0, 1, 3
_ds = itemgetter(DS)


class ObservationBatch(Sequence):
    """The payload of ``sensing.observations``: the observations one ingest batch stored.

    It reads as a sequence of ``ObservationFact``, each made when asked for. A subscriber on the hot path
    reads rows instead: ``select(code)`` gives the stored rows of one observed property, in batch order,
    as ``(datastream_id, phenomenon_ms, result_ms, value, json_text, quality)`` tuples (``DS``, ``MS`` and
    ``VALUE`` index them; ``value`` is None for a non-numeric result), and ``info[datastream_id]`` the
    datastream's ``StreamInfo``. Nothing is made per observation of a property nobody selects. Subscribers
    run in several threads: a batch is never changed after it is published."""

    __slots__ = ("rows", "info", "properties", "_groups", "_lock", "_bytes")

    def __init__(self, rows: list, info: dict):
        self.rows = rows
        self.info = info  # datastream_id -> StreamInfo, for every datastream with a row here
        self.properties = frozenset(i.property for i in info.values())
        self._groups: dict | None = None
        self._lock = threading.Lock()
        self._bytes: bytes | None = None

    def to_bytes(self) -> bytes:
        """The batch as the outbox keeps it (``kernel.outbox``): JSON of the rows and the streams, made once."""
        if self._bytes is None:
            self._bytes = orjson.dumps([self.rows, [tuple(i) for i in self.info.values()]])
        return self._bytes

    @classmethod
    def from_bytes(cls, data: bytes) -> "ObservationBatch":
        rows, info = orjson.loads(data)
        return cls(list(map(tuple, rows)), {i[0]: StreamInfo(*i) for i in info})

    @classmethod
    def encode(cls, payload) -> bytes:
        """The codec of the durable event ``sensing.observations`` (with ``from_bytes``)."""
        return cls.of(payload).to_bytes()

    @classmethod
    def of(cls, payload) -> "ObservationBatch":
        """The batch itself, or one made from a sequence of ``ObservationFact`` (tests, other publishers)."""
        if isinstance(payload, cls):
            return payload
        info, rows = {}, []
        for f in payload:
            info[f.datastream_id] = StreamInfo(f.datastream_id, f.thing_id, f.property, f.town, f.grid)
            rows.append((f.datastream_id, round(f.time.timestamp() * 1000), None, f.value, None, 0))
        return cls(rows, info)

    def select(self, code: str) -> list:
        """The rows of observed property ``code``, in batch order (grouped once per batch, in C loops)."""
        if code not in self.properties:
            return []
        if len(self.properties) == 1:
            return self.rows
        with self._lock:
            if self._groups is None:
                props = list(map({d: i.property for d, i in self.info.items()}.__getitem__, map(_ds, self.rows)))
                self._groups = {p: list(compress(self.rows, map(p.__eq__, props))) for p in self.properties}
        return self._groups[code]

    def fact(self, row) -> "ObservationFact":
        i = self.info[row[DS]]
        return ObservationFact(i.datastream_id, i.thing_id, i.property, i.town, i.grid,
                               datetime.fromtimestamp(row[MS] / 1000, UTC), row[VALUE])

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.fact(r) for r in self.rows[i]]
        return self.fact(self.rows[i])

    def __iter__(self):
        return map(self.fact, self.rows)

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None

    def __repr__(self) -> str:
        return f"ObservationBatch({len(self.rows)} rows, {len(self.info)} datastreams)"


class DatastreamHealth(NamedTuple):
    datastream_id: int
    thing_id: int
    property: str
    town: str | None
    grid: str | None
    last_time: datetime | None
    online: bool

    @staticmethod
    def encode(payload: "DatastreamHealth") -> bytes:
        """The codec of the durable events ``sensing.datastream_offline`` / ``_online`` (with ``from_bytes``)."""
        return orjson.dumps(tuple(payload))

    @classmethod
    def from_bytes(cls, data: bytes) -> "DatastreamHealth":
        fields = orjson.loads(data)
        if fields[5] is not None:
            fields[5] = datetime.fromisoformat(fields[5])
        return cls(*fields)


class ObservedPropertySpec(NamedTuple):
    """What a module registers in ``reg.observed_properties`` (key = ``code``).

    Sensing creates (or updates) one ObservedProperty row per entry, idempotently, when the
    demo is loaded or ``services.sync_observed_properties()`` runs.
    """

    code: str
    name_zh: str
    name_en: str
    unit: str  # UCUM-style symbol, e.g. "ug/m3", "m", "mm", "Cel"
    definition: str = ""  # URI of the property's definition
    decimals: int = 1
    #: The plausible range of a numeric result (None: unbounded on that side). Ingest rejects a reading outside
    #: it to the dead letters, with the reason: a negative rainfall or a humidity of 480 % is a device fault,
    #: not weather, and would mislead every aggregate, rule and judgement downstream.
    minimum: float | None = None
    maximum: float | None = None
    #: Results are numbers (booleans count as 1 and 0). Ingest rejects text, JSON and "NaN" strings for such a
    #: property; False: any JSON result is kept (as its text, up to ``ingest.MAX_RESULT_TEXT`` characters).
    numeric: bool = True

    def outside(self, value: float) -> bool:
        return (self.minimum is not None and value < self.minimum) or \
            (self.maximum is not None and value > self.maximum)


class IngestResult(NamedTuple):
    """Outcome of one ingest batch: one status per item, in input order.

    ``status`` is ``"created"``, ``"duplicate"`` (same datastream and phenomenon time already
    stored: nothing changed) or ``"rejected"`` (then ``errors`` has the reason, and the item
    went to the dead-letter table).
    """

    created: int
    duplicates: int
    rejected: int
    items: Sequence  # of dict: {"index", "status", "error"?} (a list, or ``AllCreated``)

    def statuses(self) -> list[str]:
        """One status per item, in input order."""
        if isinstance(self.items, AllCreated):
            return ["created"] * len(self.items)
        return [r["status"] for r in self.items]

    def errors(self) -> list[dict]:
        """``{"index", "error"}`` of each rejected item."""
        if not self.rejected:
            return []
        return [{"index": r["index"], "error": r["error"]} for r in self.items if r["status"] == "rejected"]


class AllCreated(Sequence):
    """The items of a batch whose every item was created: ``{"index": i, "status": "created"}``, made on demand
    (a 5,000-item batch need not build 5,000 dicts that its API answer turns into one status list)."""

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self.n))]
        if i < 0:
            i += self.n
        if not 0 <= i < self.n:
            raise IndexError(i)
        return {"index": i, "status": "created"}

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None

    def __repr__(self) -> str:
        return f"AllCreated({self.n})"


# --- API shapes --------------------------------------------------------------------------------

# --- plain data other modules get from sensing's services (never a QuerySet or a model) ----------

@dataclass(frozen=True)
class Reader:
    """What one user may see of sensing: every organisation's datastreams, or the county-wide ones and
    their own organisation's. ``services.reader(user)`` is the one rule the pages, the API and the cockpit use."""

    organisation_id: int | None = None
    all_orgs: bool = False

    @property
    def key(self) -> str:
        return "all" if self.all_orgs else f"org:{self.organisation_id}"


#: Sees everything (background jobs and other modules' judges, which act for the county).
EVERYONE = Reader(all_orgs=True)


@dataclass(frozen=True)
class ThingRef:
    id: int
    code: str
    name: str
    kind: str
    organisation_id: int | None

    @property
    def pk(self) -> int:
        return self.id


@dataclass(frozen=True)
class DatastreamRef:
    id: int
    name: str
    thing_id: int
    property_code: str
    expected_interval_s: int
    organisation_id: int | None

    @property
    def pk(self) -> int:
        return self.id


@dataclass(frozen=True)
class LatestValue:
    """One datastream's latest value with its thing's name, kind and properties, and where it is."""

    id: int
    name: str
    thing_id: int
    thing_code: str
    thing_name: str
    thing_kind: str
    thing_properties: dict
    property_code: str
    unit_symbol: str
    expected_interval_s: int
    town_code: str
    grid_code: str
    lon: float | None
    lat: float | None
    last_ms: int | None
    last_value: float | None
    online: bool
    organisation_id: int | None

    @property
    def last_time(self) -> datetime | None:
        return None if self.last_ms is None else datetime.fromtimestamp(self.last_ms / 1000, UTC)


@dataclass(frozen=True)
class ThingRow:
    """A thing with its newest location and its datastreams' latest values (sensing's pages and API)."""

    id: int
    code: str
    name: str
    kind: str
    organisation_id: int | None
    lon: float | None
    lat: float | None
    town: str
    grid: str
    datastreams: tuple = ()


@dataclass(frozen=True)
class PropertyCount:
    property_code: str
    total: int
    online: int


@dataclass(frozen=True)
class DeviceCounts:
    """Things (devices) and datastreams (sensors) a reader sees, and how many of each are online (a thing is
    online when any of its datastreams is)."""

    things: int
    things_online: int
    datastreams: int
    datastreams_online: int


@dataclass(frozen=True)
class MapPoint:
    thing_id: int
    name: str
    lon: float
    lat: float
    streams: int
    online: int


@dataclass(frozen=True)
class MapCell:
    lon: float
    lat: float
    count: int
    online: int


from ninja import Field, Schema  # noqa: E402

from smartcounty.kernel.api import Id, InputSchema  # noqa: E402


class IngestOut(Schema):
    created: int
    duplicates: int
    rejected: int
    #: One status per input item, in order: created, duplicate or rejected.
    results: list[str]
    #: The rejected items: {"index": n, "error": reason}.
    errors: list[dict]


class DatastreamOut(Schema):
    id: int
    name: str
    thing_id: int
    property: str = Field(alias="property_code")
    unit: str = Field(alias="unit_symbol")
    expected_interval_s: int
    town: str = Field(alias="town_code")
    grid: str = Field(alias="grid_code")
    lon: float | None
    lat: float | None
    last_time: datetime | None
    last_value: float | None
    online: bool
    organisation_id: int | None

    @staticmethod
    def resolve_last_time(obj):
        ms = obj.last_ms if hasattr(obj, "last_ms") else obj.get("last_ms")
        return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


class ObservationOut(Schema):
    phenomenonTime: datetime
    resultTime: datetime | None
    result: float | str | dict | list | bool | None
    resultQuality: str


class BucketOut(Schema):
    start: datetime
    count: int
    min: float | None
    max: float | None
    mean: float | None


class ThingIn(InputSchema):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$")
    name: str = Field(min_length=1, max_length=120)
    kind: str = Field("", max_length=40)
    description: str = ""
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    organisation_id: Id | None = None
    properties: dict = {}


class ThingOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    organisation_id: int | None
    lon: float | None = None
    lat: float | None = None
    town: str = ""
    grid: str = ""


class DatastreamIn(InputSchema):
    thing: Id
    observed_property: str = Field(min_length=1, max_length=40)
    expected_interval_s: int = Field(300, ge=1, le=30 * 86400)
    name: str = Field("", max_length=160)


class DeadLetterOut(Schema):
    id: int
    at: datetime
    source: str
    topic: str
    reason: str
    payload: str
    datastream_id: int | None
    organisation_id: int | None


class HealthEventOut(Schema):
    at: datetime
    online: bool
    last_time: datetime | None

    @staticmethod
    def resolve_last_time(obj):
        ms = obj["last_ms"] if isinstance(obj, dict) else obj.last_ms
        return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)
