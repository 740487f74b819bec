"""The SensorThings 1.1 entity sets over sensing's tables: properties, navigation, scoping, JSON.

Mapping (one table per entity set, nothing copied):

* Things, Locations, Datastreams, Sensors, ObservedProperties, FeaturesOfInterest: their own tables;
  an ObservedProperty's ``name`` is its English name (``properties`` carry the code and Chinese name).
* HistoricalLocations: each Location row is also the HistoricalLocation of its thing at the time the row
  was made (sensing keeps a thing's moves as new Location rows); the same id names both.
* Observations: the primary key (datastream, phenomenon time) is one integer ``@iot.id`` =
  datastream id x 10^13 + phenomenon epoch ms (times up to the year 2286). ``phenomenonTime`` is an
  interval when the observation's ``extra`` has its end; ``parameters``, ``validTime`` and a
  FeatureOfInterest of its own are kept in ``extra`` too (``ingest``).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Exists, OuterRef, Q

from smartcounty.foundation.sensing.models import (
    Datastream,
    FeatureOfInterest,
    Location,
    Observation,
    ObservedProperty,
    Sensor,
    Thing,
)
from smartcounty.foundation.sensing.sta.filters import FilterError
from smartcounty.foundation.sensing.sta.ids import obs_id, split_obs_id  # noqa: F401 (split_obs_id: public)

#: one segment of a resource path: ``Things``, ``Things(5)``, ``Things('5')``
SEGMENT = re.compile(r"^([A-Za-z]+)(?:\((\d+|'[^']*')\))?$")
QUALITY_NAMES = {0: "good", 1: "suspect", 2: "bad"}
OM = "http://www.opengis.net/def/observationType/OGC-OM/2.0/"


def iso(ms) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_dt(dt) -> str | None:
    return None if dt is None else dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Prop:
    orm: object  # a column (str), or (lon, lat) for geo, or (datastream, ms) for an Observation id
    kind: str  # num, str, ms, dt, json, geo, obsid, bool
    order: bool = True


@dataclass(frozen=True)
class Link:
    target: str  # entity set name
    many: bool
    #: for a to-many link: the target's column (path) equal to this entity's id; for a to-one: this entity's
    #: column holding the target's id
    key: str
    #: the ORM path from this entity to the target used in $filter paths (None: not filterable through)
    orm: str | None


@dataclass
class Entity:
    name: str
    singular: str
    model: object
    props: dict
    links: dict
    columns: tuple  # what .values() reads
    render: object  # (row dict, base url) -> dict of the entity's own properties
    pk: tuple = ("id",)
    default_order: tuple = ("id",)
    #: property paths inside ``properties`` that are columns here (``properties/kind`` of a Thing)
    aliases: dict = field(default_factory=dict)

    def queryset(self):
        return self.model.objects.all()

    def id_of(self, row) -> int:
        if self.name == "Observations":
            return obs_id(row["datastream_id"], row["phenomenon_ms"])
        return row["id"]

    def resolve(self, path: list[str], prefix: str = "") -> tuple:
        """A $filter/$orderby property path (``name``, ``Datastream/Thing/name``, ``properties/owner``) to
        (ORM path, Prop)."""
        alias = self.aliases.get(tuple(path))
        if alias is not None:
            return prefix + alias.orm, Prop(prefix + alias.orm, alias.kind, alias.order)
        head, rest = path[0], path[1:]
        if head in ("id", "@iot.id"):
            head = "@iot.id"
        if head in self.props:
            prop = self.props[head]
            if prop.kind == "json" and rest:
                return prefix + prop.orm + "__" + "__".join(rest), Prop(prefix + prop.orm, "any")
            if rest:
                raise FilterError(f"{self.singular}/{head} has no property {rest[0]}")
            if prop.kind in ("geo", "obsid"):
                return tuple(prefix + c for c in prop.orm), prop
            return prefix + prop.orm, prop
        link = self.links.get(head)
        if link is None or not rest:
            raise FilterError(f"{self.singular} has no property {head}")
        if link.orm is None:
            raise FilterError(f"{self.singular}/{head} cannot be filtered through")
        target = ENTITIES[link.target]
        return target.resolve(rest, prefix + (link.orm + "__" if link.orm else ""))

    def scope(self, qs, who):
        """What ``who`` (sensing's ``Reader``) may see of this set: the rule of ``sensing.reader``."""
        if who is None:
            return qs.none()
        if who.all_orgs or self.org_path is None:
            return qs
        org = self.org_path
        if org == "foi":  # a feature of interest: of a datastream they see, or of none
            visible = Datastream.objects.filter(feature_of_interest=OuterRef("pk")).filter(
                Q(organisation_id__isnull=True) | Q(organisation_id=who.organisation_id))
            anyone = Datastream.objects.filter(feature_of_interest=OuterRef("pk"))
            return qs.filter(Exists(visible) | ~Exists(anyone))
        return qs.filter(Q(**{f"{org}__isnull": True}) | Q(**{org: who.organisation_id}))

    org_path: str | None = None


def _name_desc(r):
    return {"name": r["name"], "description": r.get("description") or ""}


def _thing(r, base):
    out = _name_desc(r)
    props = dict(r["properties"] or {})
    props.setdefault("code", r["code"])
    if r["kind"]:
        props.setdefault("kind", r["kind"])
    out["properties"] = props
    return out


def _location(r, base):
    return {"name": r["name"] or "", "description": "", "encodingType": "application/geo+json",
            "location": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
            "properties": {k: v for k, v in (("town", r["town_code"]), ("grid", r["grid_code"])) if v}}


def _historical(r, base):
    return {"time": iso_dt(r["created_at"])}


def _datastream(r, base):
    out = {"name": r["name"], "description": r["name"],
           "unitOfMeasurement": {"name": r["unit_name"], "symbol": r["unit_symbol"],
                                 "definition": r["unit_definition"]},
           "observationType": OM + "OM_Measurement",
           "properties": {"property": r["property_code"], "expectedIntervalSeconds": r["expected_interval_s"],
                          "online": r["online"]}}
    if r["lon"] is not None:
        out["observedArea"] = {"type": "Point", "coordinates": [r["lon"], r["lat"]]}
    if r["last_ms"] is not None:
        out["phenomenonTime"] = None  # first..last would scan the observations; the latest is in properties
        out["properties"]["lastPhenomenonTime"] = iso(r["last_ms"])
        out["properties"]["lastResult"] = r["last_value"]
    return out


def _sensor(r, base):
    return {"name": r["name"], "description": r["description"] or "", "encodingType": r["encoding_type"],
            "metadata": r["metadata"] or ""}


def _observed_property(r, base):
    return {"name": r["name_en"], "definition": r["definition"] or "", "description": r["name_zh"],
            "properties": {"code": r["code"], "name_zh": r["name_zh"], "unit": r["unit"]}}


def _foi(r, base):
    return {"name": r["name"], "description": r["description"] or "", "encodingType": r["encoding_type"],
            "feature": r["feature"]}


def observation_json(ds, ms, result_ms, value, text, quality, extra) -> dict:
    """An Observation's own properties from its stored row (also what the MQTT publisher sends)."""
    more = json.loads(extra) if extra else {}
    phenomenon = iso(ms)
    if "phenomenonTimeEnd" in more:
        phenomenon = f"{phenomenon}/{iso(more['phenomenonTimeEnd'])}"
    out = {"phenomenonTime": phenomenon, "resultTime": iso(result_ms),
           "result": json.loads(text) if text is not None else value}
    if quality:
        out["resultQuality"] = QUALITY_NAMES.get(quality, str(quality))
    if "validTime" in more:
        out["validTime"] = "/".join(iso(t) for t in more["validTime"])
    if "parameters" in more:
        out["parameters"] = more["parameters"]
    return out


def _observation(r, base):
    return observation_json(r["datastream_id"], r["phenomenon_ms"], r["result_ms"], r["result"], r["result_json"],
                            r["quality"], r["extra"])


def _p(orm, kind="str", order=True):
    return Prop(orm, kind, order)


ID = {"@iot.id": _p("id", "num")}
ENTITIES: dict[str, Entity] = {}


def _add(e: Entity, org_path=None):
    e.org_path = org_path
    ENTITIES[e.name] = e
    return e


_add(Entity("Things", "Thing", Thing,
            {**ID, "name": _p("name"), "description": _p("description"), "properties": _p("properties", "json")},
            {"Locations": Link("Locations", True, "thing_id", "locations"),
             "HistoricalLocations": Link("HistoricalLocations", True, "thing_id", "locations"),
             "Datastreams": Link("Datastreams", True, "thing_id", "datastreams")},
            ("id", "code", "name", "description", "kind", "properties", "organisation_id"), _thing,
            aliases={("properties", "kind"): _p("kind"), ("properties", "code"): _p("code")}),
     org_path="organisation_id")
_add(Entity("Locations", "Location", Location,
            {**ID, "name": _p("name"), "location": _p(("lon", "lat"), "geo"),
             "encodingType": _p("name", "str", False)},
            {"Things": Link("Things", True, "locations__id", "thing"),
             "HistoricalLocations": Link("HistoricalLocations", True, "id", "")},
            ("id", "thing_id", "name", "lon", "lat", "town_code", "grid_code"), _location),
     org_path="thing__organisation_id")
_add(Entity("HistoricalLocations", "HistoricalLocation", Location,
            {**ID, "time": _p("created_at", "dt")},
            {"Thing": Link("Things", False, "thing_id", "thing"),
             "Locations": Link("Locations", True, "id", "")},
            ("id", "thing_id", "created_at"), _historical),
     org_path="thing__organisation_id")
_add(Entity("Datastreams", "Datastream", Datastream,
            {**ID, "name": _p("name"), "description": _p("name"), "observedArea": _p(("lon", "lat"), "geo"),
             "unitOfMeasurement": _p("unit_symbol", "str", False)},
            {"Thing": Link("Things", False, "thing_id", "thing"),
             "Sensor": Link("Sensors", False, "sensor_id", "sensor"),
             "ObservedProperty": Link("ObservedProperties", False, "observed_property_id", "observed_property"),
             "Observations": Link("Observations", True, "datastream_id", None)},
            ("id", "name", "thing_id", "sensor_id", "observed_property_id", "feature_of_interest_id", "unit_name",
             "unit_symbol", "unit_definition", "expected_interval_s", "property_code", "organisation_id", "lon",
             "lat", "last_ms", "last_value", "online"), _datastream,
            aliases={("properties", "property"): _p("property_code"), ("properties", "online"): _p("online", "bool"),
                     ("unitOfMeasurement", "symbol"): _p("unit_symbol"), ("unitOfMeasurement", "name"): _p("unit_name"),
                     ("properties", "lastResult"): _p("last_value", "num"),
                     ("properties", "lastPhenomenonTime"): _p("last_ms", "ms")}),
     org_path="organisation_id")
_add(Entity("Sensors", "Sensor", Sensor,
            {**ID, "name": _p("name"), "description": _p("description"), "encodingType": _p("encoding_type"),
             "metadata": _p("metadata")},
            {"Datastreams": Link("Datastreams", True, "sensor_id", "datastreams")},
            ("id", "name", "description", "encoding_type", "metadata"), _sensor))
_add(Entity("ObservedProperties", "ObservedProperty", ObservedProperty,
            {**ID, "name": _p("name_en"), "definition": _p("definition"), "description": _p("name_zh")},
            {"Datastreams": Link("Datastreams", True, "observed_property_id", "datastreams")},
            ("id", "code", "name_zh", "name_en", "unit", "definition"), _observed_property,
            aliases={("properties", "code"): _p("code"), ("properties", "name_zh"): _p("name_zh"),
                     ("properties", "unit"): _p("unit")}))
_add(Entity("Observations", "Observation", Observation,
            {"@iot.id": _p(("datastream_id", "phenomenon_ms"), "obsid"), "phenomenonTime": _p("phenomenon_ms", "ms"),
             "resultTime": _p("result_ms", "ms"), "result": _p("result", "num"), "resultQuality": _p("quality", "num")},
            {"Datastream": Link("Datastreams", False, "datastream_id", "datastream"),
             "FeatureOfInterest": Link("FeaturesOfInterest", False, "datastream__feature_of_interest_id",
                                       "datastream__feature_of_interest")},
            ("datastream_id", "phenomenon_ms", "result_ms", "result", "result_json", "quality", "extra"), _observation,
            pk=("datastream_id", "phenomenon_ms"), default_order=("phenomenon_ms", "datastream_id")),
     org_path="datastream__organisation_id")
_add(Entity("FeaturesOfInterest", "FeatureOfInterest", FeatureOfInterest,
            {**ID, "name": _p("name"), "description": _p("description"), "encodingType": _p("encoding_type"),
             "feature": _p("feature", "json")},
            {"Observations": Link("Observations", True, "datastream__feature_of_interest_id", None)},
            ("id", "name", "description", "encoding_type", "feature"), _foi),
     org_path="foi")

#: the singular name of each set and back (``Datastream`` -> ``Datastreams``)
SINGULAR = {e.singular: e.name for e in ENTITIES.values()}
