"""The air-monitoring network as plain data, read through the sensing services only (no lookups through
sensing's fields, no sensing model instances leave this file).

``Stream`` is one datastream with what the readings need; ``streams`` lists the pollutant (or AQI)
datastreams, optionally of one town or of some stations, with their station names.
"""

from dataclasses import dataclass

from smartcounty.foundation.sensing import services as sensing

_FIELDS = ("id", "thing_id", "property_code", "town_code", "lon", "lat", "last_ms", "last_value",
           "expected_interval_s", "organisation_id")


@dataclass(frozen=True)
class Stream:
    id: int
    thing_id: int
    station: str
    property: str
    town: str
    lon: float | None
    lat: float | None
    last_ms: int | None
    last_value: float | None
    interval_s: int
    organisation_id: int | None


def _rows(code: str, town: str | None = None, thing_ids=None) -> list[dict]:
    qs = sensing.latest(property_code=code, town=town or None)
    if thing_ids is not None:
        qs = qs.filter(thing_id__in=list(thing_ids))
    return list(qs.values(*_FIELDS))


def _named(rows: list[dict]) -> list[Stream]:
    first = {}
    for r in rows:
        first.setdefault(r["thing_id"], r["id"])
    names = {i["thing_id"]: i["thing_name"] for i in sensing.datastreams_info(first.values())}
    return [Stream(r["id"], r["thing_id"], names.get(r["thing_id"], ""), r["property_code"], r["town_code"] or "",
                   r["lon"], r["lat"], r["last_ms"], r["last_value"], r["expected_interval_s"], r["organisation_id"])
            for r in rows]


def streams(codes, *, town: str | None = None, thing_ids=None) -> list[Stream]:
    """The datastreams of the observed properties ``codes`` (in that order, then by id)."""
    rows = []
    for code in codes:
        rows += _rows(code, town, thing_ids)
    return _named(rows)


def aqi_stream_ids(town: str | None = None) -> list[int]:
    """Ids of the stations' derived AQI datastreams (the stations, ordered by datastream id)."""
    return list(sensing.latest(property_code="aqi", town=town or None).values_list("id", flat=True))


def by_ids(ids) -> list[Stream]:
    """Streams by datastream id (order kept; unknown ids left out)."""
    ids = list(ids)
    info = {i["id"]: i for i in sensing.datastreams_info(ids)}
    out = []
    for i in ids:
        r = info.get(i)
        if r is not None:
            out.append(Stream(r["id"], r["thing_id"], r["thing_name"], r["property_code"], r["town_code"] or "",
                              r["lon"], r["lat"], None if r["last_time"] is None else sensing.to_ms(r["last_time"]),
                              r["last_value"], 3600, r["organisation_id"]))
    return out
