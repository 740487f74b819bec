"""The air-monitoring network as plain data, read through the sensing services only (no lookups through
sensing's fields, no sensing model instances leave this file).

``Stream`` is one datastream with what the readings need; ``streams`` lists the pollutant (or AQI)
datastreams, optionally of one town or of some stations, with their station names.
"""

from dataclasses import dataclass

from smartcounty.foundation.sensing import services as sensing


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


def _rows(code: str, town: str | None = None, thing_ids=None) -> list:
    rows = sensing.latest_values(property_code=code, town=town or None)
    if thing_ids is not None:
        wanted = set(thing_ids)
        return [r for r in rows if r.thing_id in wanted]
    return list(rows)


def _named(rows: list) -> list[Stream]:
    return [Stream(r.id, r.thing_id, r.thing_name, r.property_code, r.town_code or "", r.lon, r.lat, r.last_ms,
                   r.last_value, r.expected_interval_s, r.organisation_id) for r in rows]


def streams(codes, *, town: str | None = None, thing_ids=None) -> list[Stream]:
    """The datastreams of the observed properties ``codes`` (in that order, then by id)."""
    rows = []
    for code in codes:
        rows += _rows(code, town, thing_ids)
    return _named(rows)


def aqi_stream_ids(town: str | None = None) -> list[int]:
    """Ids of the stations' derived AQI datastreams (the stations, ordered by datastream id)."""
    return [r.id for r in sensing.latest_values(property_code="aqi", town=town or None)]


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
