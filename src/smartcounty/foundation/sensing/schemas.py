"""Sensing shapes other modules use. (The sensing helper extends this file.)

Events published by sensing (through ``smartcounty.kernel.events``), delivered after commit:

- ``sensing.observations``: payload ``list[ObservationFact]``, the observations one ingest batch
  stored (new ones only; a repeated (datastream, phenomenon time) is not published again).
- ``sensing.datastream_offline`` / ``sensing.datastream_online``: payload ``DatastreamHealth``.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple


class ObservationFact(NamedTuple):
    datastream_id: int
    thing_id: int
    property: str  # observed property code, e.g. "pm25", "water_level", "smoke"
    town: str | None  # 9-digit town code from places, e.g. "371525001"
    grid: str | None  # 14-digit grid code from places
    time: datetime  # phenomenon time, aware, UTC
    value: float | None  # numeric result (None when the result is not numeric)


class DatastreamHealth(NamedTuple):
    datastream_id: int
    thing_id: int
    property: str
    town: str | None
    grid: str | None
    last_time: datetime | None
    online: bool


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

from ninja import Field, Schema  # noqa: E402

from smartcounty.kernel.api import InputSchema  # noqa: E402


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
    organisation_id: int | None = None
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

    @staticmethod
    def _loc(obj, attr, field):
        if isinstance(obj, dict):
            return obj.get(field)
        locs = list(obj.locations.all())
        return getattr(locs[-1], attr) if locs else None

    @staticmethod
    def resolve_lon(obj):
        return ThingOut._loc(obj, "lon", "lon")

    @staticmethod
    def resolve_lat(obj):
        return ThingOut._loc(obj, "lat", "lat")

    @staticmethod
    def resolve_town(obj):
        return ThingOut._loc(obj, "town_code", "town") or ""

    @staticmethod
    def resolve_grid(obj):
        return ThingOut._loc(obj, "grid_code", "grid") or ""


class DatastreamIn(InputSchema):
    thing: int
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
        return None if obj.last_ms is None else datetime.fromtimestamp(obj.last_ms / 1000, UTC)
