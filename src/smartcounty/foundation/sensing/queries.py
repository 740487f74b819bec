"""Read queries other modules need, answered as plain data (``schemas.LatestValue``, counts, map points).

Callers pass filters as parameters; every filter is backed by an index of ``Datastream`` (property, thing,
town, grid, online, the map index on lon/lat) or of ``Thing`` (kind). Re-exported by ``services``.
"""

from django.core.cache import cache
from django.db.models import Avg, Count, F, Func, IntegerField, Min, Q

from smartcounty.foundation.sensing.models import Datastream, Location, Thing
from smartcounty.foundation.sensing.schemas import (
    EVERYONE,
    DeviceCounts,
    LatestValue,
    MapCell,
    MapPoint,
    PropertyCount,
    Reader,
    ThingRow,
)
from smartcounty.kernel.authz import user_has_perm
from smartcounty.kernel.rows import Rows

_LATEST_FIELDS = ("id", "name", "thing_id", "thing__code", "thing__name", "thing__kind", "thing__properties",
                  "property_code", "unit_symbol", "expected_interval_s", "town_code", "grid_code", "lon", "lat",
                  "last_ms", "last_value", "online", "organisation_id")


def reader(user) -> Reader | None:
    """What ``user`` may see of sensing (None: nothing; they lack ``sensing.view``). The one scoping rule
    of sensing: its pages, its API and the cockpit's sensor panels all use it."""
    if not user_has_perm(user, "sensing.view"):
        return None
    if user_has_perm(user, "sensing.view_all"):
        return EVERYONE
    return Reader(organisation_id=getattr(user, "organisation_id", None))


def _scoped(qs, who: Reader | None, field: str = "organisation_id"):
    if who is None:
        return qs.none()
    if who.all_orgs:
        return qs
    return qs.filter(Q(**{f"{field}__isnull": True}) | Q(**{field: who.organisation_id}))


def _datastreams(*, who: Reader | None = EVERYONE, property_code=None, property_codes=None, thing_id=None,
                 thing_kind=None, town=None, grid=None, bbox=None, online=None, ids=None, has_value=None,
                 located=None, owned=None, reported=None):
    qs = _scoped(Datastream.objects.all(), who)
    if property_code:
        qs = qs.filter(property_code=property_code)
    if property_codes is not None:
        qs = qs.filter(property_code__in=list(property_codes))
    if thing_id:
        qs = qs.filter(thing_id=thing_id)
    if thing_kind:
        qs = qs.filter(thing__kind=thing_kind)
    if town:
        qs = qs.filter(town_code=town)
    if grid:
        qs = qs.filter(grid_code=grid)
    if bbox:
        west, south, east, north = bbox
        qs = qs.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
    if online is not None:
        qs = qs.filter(online=online)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if has_value is not None:
        qs = qs.filter(last_value__isnull=not has_value)
    if located is not None:
        qs = qs.filter(lon__isnull=not located)
    if owned is not None:
        qs = qs.filter(organisation_id__isnull=not owned)
    if reported is not None:
        qs = qs.filter(last_ms__isnull=not reported)
    return qs


def _row(r: dict) -> LatestValue:
    return LatestValue(
        id=r["id"], name=r["name"], thing_id=r["thing_id"], thing_code=r["thing__code"], thing_name=r["thing__name"],
        thing_kind=r["thing__kind"], thing_properties=r["thing__properties"] or {}, property_code=r["property_code"],
        unit_symbol=r["unit_symbol"], expected_interval_s=r["expected_interval_s"], town_code=r["town_code"],
        grid_code=r["grid_code"], lon=r["lon"], lat=r["lat"], last_ms=r["last_ms"], last_value=r["last_value"],
        online=r["online"], organisation_id=r["organisation_id"])


def LatestValues(qs) -> Rows:  # noqa: N802 (reads as the type it builds)
    return Rows(qs.order_by("id"), _row, fields=_LATEST_FIELDS)


def latest_values(*, who: Reader | None = EVERYONE, property_code: str | None = None, property_codes=None,
                  thing_id: int | None = None, thing_kind: str | None = None, town: str | None = None,
                  grid: str | None = None, bbox=None, online: bool | None = None, ids=None,
                  has_value: bool | None = None, located: bool | None = None,
                  owned: bool | None = None, reported: bool | None = None) -> Rows:
    """Latest value of each datastream ``who`` may see, with its thing's name, kind and properties.

    Filters: observed property (one, or several), thing, thing kind, town, grid, bbox (west, south, east,
    north), online, datastream ids, with or without a value, with or without a position, owned by an
    organisation or county-wide, having reported at all."""
    return LatestValues(_datastreams(who=who, property_code=property_code, property_codes=property_codes,
                                     thing_id=thing_id, thing_kind=thing_kind, town=town, grid=grid, bbox=bbox,
                                     online=online, ids=ids, has_value=has_value, located=located, owned=owned,
                                     reported=reported))


def latest_value(datastream_id: int, *, who: Reader | None = EVERYONE) -> LatestValue | None:
    return latest_values(who=who, ids=[datastream_id]).first()


def thing_ids(*, who: Reader | None = EVERYONE, property_codes=None) -> list[int]:
    """Ids of the things having a datastream of one of ``property_codes``, in order."""
    qs = _datastreams(who=who, property_codes=property_codes).order_by("thing_id")
    return list(qs.values_list("thing_id", flat=True).distinct())


def mean_latest(property_code: str, *, who: Reader | None = EVERYONE, online: bool | None = True,
                town: str | None = None) -> tuple[int, float | None]:
    """(how many, mean) of the latest values of ``property_code`` (online ones by default)."""
    c = _datastreams(who=who, property_code=property_code, online=online, town=town, has_value=True).aggregate(
        n=Count("id"), mean=Avg("last_value"))
    return c["n"], c["mean"]


def property_counts(who: Reader | None = EVERYONE) -> list[PropertyCount]:
    """Datastreams and those online per observed property, most first: one GROUP BY, kept 10 s per reader."""
    if who is None:
        return []
    key = f"sensing:property_counts:{who.key}"
    found = cache.get(key)
    if found is None:
        found = [PropertyCount(r["property_code"], r["n"], r["on"]) for r in
                 _datastreams(who=who).order_by().values("property_code")
                 .annotate(n=Count("id"), on=Count("id", filter=Q(online=True))).order_by("-n", "property_code")]
        cache.set(key, found, 10)
    return found


def device_counts(who: Reader | None = EVERYONE) -> DeviceCounts:
    """How many things (devices) and datastreams ``who`` sees, and how many are online: the same numbers on
    the sensors page, in the things API (its ``count``) and on the cockpit."""
    if who is None:
        return DeviceCounts(0, 0, 0, 0)
    streams = _datastreams(who=who).aggregate(n=Count("id"), on=Count("id", filter=Q(online=True)))
    things_qs = _scoped(Thing.objects.all(), who)
    t = things_qs.aggregate(n=Count("id", distinct=True),
                            on=Count("id", filter=Q(datastreams__online=True), distinct=True))
    return DeviceCounts(t["n"], t["on"], streams["n"], streams["on"])


class CellIndex(Func):
    """floor(x) for x >= 0: FLOOR on PostgreSQL; CAST AS INTEGER (truncation, native) on SQLite."""

    function = "FLOOR"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS INTEGER)", **extra)


def count_in_view(bbox, *, who: Reader | None = EVERYONE) -> int:
    """Datastreams with a position inside ``bbox``."""
    return _datastreams(who=who, bbox=bbox).order_by().count()


def map_points(bbox, limit: int, *, who: Reader | None = EVERYONE) -> tuple[int, list[MapPoint]]:
    """(things in view, the first ``limit`` of them by id): one point per thing with its datastreams and how
    many are online. Every column read is in the map index (``sensing_ds_map``)."""
    qs = _datastreams(who=who, bbox=bbox).order_by()
    # Counting ``thing`` (never null), not ``id``: every column read is in sensing's map index, so PostgreSQL
    # answers from the index alone (SQLite's indexes hold the id anyway).
    per_thing = qs.values("thing_id").annotate(lon=Min("lon"), lat=Min("lat"), streams=Count("thing"),
                                               up=Count("thing", filter=Q(online=True)))
    total = len(per_thing)
    names = dict(qs.values_list("thing_id", "thing__name").distinct()[: limit * 8])
    return total, [MapPoint(r["thing_id"], names.get(r["thing_id"], ""), r["lon"], r["lat"], r["streams"], r["up"])
                   for r in per_thing.order_by("thing_id")[:limit]]


def map_cells(bbox, per_side: int, *, who: Reader | None = EVERYONE) -> list[MapCell]:
    """Datastreams per cell of a ``per_side``² grid over ``bbox``: one GROUP BY in the database.

    Cells are numbered ``x * 1000 + y`` with x, y the floor of offset / cell size (offsets are never
    negative inside the bbox), computed natively by the database (see ``CellIndex``). Every column it reads
    (lon, lat, online, thing) is in sensing's map index (``sensing_ds_map``): the bbox walks it, or for a
    wide view the database scans it whole, and the table's rows are never visited.
    """
    w, s, e, n = bbox
    cw, ch = (e - w) / per_side, (n - s) / per_side
    cell = CellIndex((F("lon") - w) / cw) * 1000 + CellIndex((F("lat") - s) / ch)
    grouped = _datastreams(who=who, bbox=bbox).order_by().annotate(cell=cell).values("cell").annotate(
        count=Count("thing"), up=Count("thing", filter=Q(online=True)))
    out = []
    for r in grouped:
        cx, cy = divmod(int(r["cell"]), 1000)
        out.append(MapCell(round(w + (cx + 0.5) * cw, 5), round(s + (cy + 0.5) * ch, 5), r["count"], r["up"]))
    return out


def _thing_rows(things: list[dict], *, with_streams: bool) -> list[ThingRow]:
    ids = [t["id"] for t in things]
    where = {}
    for loc in Location.objects.filter(thing_id__in=ids).order_by("thing_id", "-id").values(
            "thing_id", "lon", "lat", "town_code", "grid_code"):
        where.setdefault(loc["thing_id"], loc)
    streams: dict[int, list[LatestValue]] = {}
    if with_streams and ids:
        for r in Datastream.objects.filter(thing_id__in=ids).order_by("id").values(*_LATEST_FIELDS):
            streams.setdefault(r["thing_id"], []).append(_row(r))
    out = []
    for t in things:
        loc = where.get(t["id"], {})
        out.append(ThingRow(t["id"], t["code"], t["name"], t["kind"], t["organisation_id"], loc.get("lon"),
                            loc.get("lat"), loc.get("town_code", ""), loc.get("grid_code", ""),
                            tuple(streams.get(t["id"], ()))))
    return out


def thing_rows(who: Reader | None = EVERYONE, *, kind: str | None = None, town: str | None = None, ids=None,
               with_streams: bool = True) -> Rows:
    """Things ``who`` may see (of a kind, in a town), with where they are and their latest values."""
    qs = _scoped(Thing.objects.all(), who)
    if kind:
        qs = qs.filter(kind=kind)
    if town:
        qs = qs.filter(locations__town_code=town).distinct()
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return Rows(qs.order_by("id"), None, fields=("id", "code", "name", "kind", "organisation_id"),
                batch=lambda rows: _thing_rows(rows, with_streams=with_streams))


def thing_kinds(who: Reader | None = EVERYONE) -> list[str]:
    return sorted(set(_scoped(Thing.objects.exclude(kind=""), who).values_list("kind", flat=True)))


def health_events(datastream_id: int) -> Rows:
    """When a datastream went offline and came back, newest first: dicts of at, online, last_time."""
    from smartcounty.foundation.sensing.models import HealthEvent

    def make(r):
        return {"at": r["at"], "online": r["online"], "last_time": _from_ms(r["last_ms"]), "last_ms": r["last_ms"]}

    return Rows(HealthEvent.objects.filter(datastream_id=datastream_id).order_by("-id"), make,
                fields=("at", "online", "last_ms"))


_LETTER_FIELDS = ("id", "at", "source", "topic", "reason", "payload", "datastream_id", "organisation_id")


def dead_letters(organisation_id: int | None = None, *, all_orgs: bool = False, source: str | None = None) -> Rows:
    """Rejected payloads, newest first: every organisation's (``all_orgs``) or one organisation's."""
    from smartcounty.foundation.sensing.models import DeadLetter

    qs = DeadLetter.objects.all() if all_orgs else DeadLetter.objects.filter(organisation_id=organisation_id)
    if source:
        qs = qs.filter(source=source)
    return Rows(qs.order_by("-id"), dict, fields=_LETTER_FIELDS)


def _from_ms(ms):
    from datetime import UTC, datetime

    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)
