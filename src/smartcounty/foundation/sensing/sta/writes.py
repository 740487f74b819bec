"""Creates, updates and deletes of the SensorThings API, and ``CreateObservations``.

Every write needs an API token with the sensing scope (``callers``) and the permission sensing's own API
asks for the organisation concerned: observations ``sensing.ingest`` (and go through ``services.ingest``,
the path devices use: checks, dead letters, latest values, rollups and the ``sensing.observations`` event),
things, locations, datastreams, sensors and features of interest ``sensing.manage``. A thing made here
belongs to the caller's organisation (county-wide only for platform administrators). Observed properties
are the ones modules register (with their plausible ranges): a Datastream names one by ``@iot.id`` or by
``properties/code``, and new ones are refused. Each request is one transaction; changes are audited.
"""

import json
import time
import uuid

from django.db import transaction
from django.http import HttpResponse

from smartcounty.foundation.sensing import services
from smartcounty.foundation.sensing.models import (
    Datastream,
    FeatureOfInterest,
    Location,
    ObservedProperty,
    Sensor,
    Thing,
)
from smartcounty.foundation.sensing.sta.callers import StaError
from smartcounty.foundation.sensing.sta.entities import ENTITIES, SEGMENT, obs_id
from smartcounty.kernel import audit

MAX_CREATE_OBSERVATIONS = services.MAX_REQUEST_ITEMS


def _ref(value, what: str) -> int | None:
    if isinstance(value, dict):
        value = value.get("@iot.id", value.get("id"))
    if value is None:
        return None
    if type(value) is not int or value <= 0:
        raise StaError(400, f"{what}: expected {{\"@iot.id\": <id>}}")
    return value


def _created(base: str, entity: str, ident) -> HttpResponse:
    link = f"{base}/{entity}({ident})"
    resp = HttpResponse(status=201)
    resp["Location"] = link
    return resp


def _obj(body) -> dict:
    if not isinstance(body, dict):
        raise StaError(400, "expected a JSON object")
    return body


def _point(loc: dict) -> tuple[float, float]:
    geo = loc.get("location") if isinstance(loc, dict) else None
    if isinstance(geo, dict) and geo.get("type") == "Feature":
        geo = geo.get("geometry")
    coords = geo.get("coordinates") if isinstance(geo, dict) and geo.get("type") == "Point" else None
    if not (isinstance(coords, list) and len(coords) >= 2 and all(isinstance(c, (int, float)) for c in coords[:2])):
        raise StaError(400, "Location: location must be a GeoJSON Point")
    lon, lat = float(coords[0]), float(coords[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise StaError(400, "Location: coordinates out of range")
    return lon, lat


# --- things, locations ------------------------------------------------------------------------------------------

def _thing_org(caller):
    org = getattr(caller.user, "organisation_id", None)
    if org is None and not caller.can("sensing.view_all"):
        raise StaError(403, "only platform administrators create county-wide things")
    if not caller.can("sensing.manage", org):
        raise StaError(403, "managing things needs the sensing.manage permission")
    return org


def _managed_thing(caller, thing_id: int) -> Thing:
    thing = Thing.objects.filter(pk=thing_id).first()
    who = caller.who
    if thing is None or who is None or (thing.organisation_id is not None and not who.all_orgs
                                        and thing.organisation_id != who.organisation_id):
        raise StaError(404, f"no Thing {thing_id}")
    if thing.organisation_id is None and not caller.can("sensing.view_all") or not caller.can(
            "sensing.manage", thing.organisation_id):
        raise StaError(403, "managing this thing needs the sensing.manage permission for its organisation")
    return thing


def create_thing(caller, body: dict, base: str) -> int:
    org = _thing_org(caller)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise StaError(400, "Thing: name is required")
    props = body.get("properties") or {}
    if not isinstance(props, dict):
        raise StaError(400, "Thing: properties must be an object")
    locations = body.get("Locations") or []
    if not isinstance(locations, list) or not locations:
        raise StaError(400, "Thing: give its Locations (a GeoJSON Point): sensing places every thing")
    lon, lat = _point(locations[0])
    code = str(props.get("code") or f"sta-{uuid.uuid4().hex[:12]}")[:60]
    if services.thing_exists(code):
        raise StaError(409, f"a Thing with properties/code {code!r} exists")
    ref = services.create_thing(code, name.strip()[:120], lon=lon, lat=lat, kind=str(props.get("kind") or "")[:40],
                                organisation_id=org, description=str(body.get("description") or ""),
                                properties={k: v for k, v in props.items() if k not in ("code", "kind")},
                                actor=caller.user)
    for loc in locations[1:]:
        _add_location(caller, ref.id, loc)
    for ds in body.get("Datastreams") or []:
        create_datastream(caller, dict(_obj(ds), Thing={"@iot.id": ref.id}), base)
    return ref.id


def _add_location(caller, thing_id: int, body: dict) -> int:
    thing = _managed_thing(caller, thing_id)
    lon, lat = _point(body)
    town, grid = services.locate(lon, lat)
    loc = Location.objects.create(thing=thing, name=str(body.get("name") or thing.name)[:120], lon=lon, lat=lat,
                                  town_code=town, grid_code=grid)
    # the datastreams' copies of where their thing is (the map and the latest values filter on them)
    Datastream.objects.filter(thing=thing).update(lon=lon, lat=lat, town_code=town, grid_code=grid)
    audit.record("sensing.thing_move", actor=caller.user, obj=thing, organisation_id=thing.organisation_id,
                 detail={"lon": lon, "lat": lat})
    return loc.id


def create_location(caller, body: dict, base: str, thing_id: int | None = None) -> int:
    things = [_ref(t, "Things") for t in body.get("Things") or []]
    if thing_id is not None:
        things.append(thing_id)
    if len({t for t in things if t}) != 1:
        raise StaError(400, "Location: name exactly one Thing it belongs to (Things: [{\"@iot.id\": ...}])")
    return _add_location(caller, next(t for t in things if t), body)


# --- datastreams, sensors, observed properties, features of interest ------------------------------------------

def _observed_property(body) -> ObservedProperty:
    ident = _ref(body, "ObservedProperty") if isinstance(body, dict) and "@iot.id" in body else None
    if ident is not None:
        found = ObservedProperty.objects.filter(pk=ident).first()
    elif isinstance(body, dict):
        code = (body.get("properties") or {}).get("code") if isinstance(body.get("properties"), dict) else None
        found = (ObservedProperty.objects.filter(code=code).first() if code else None) or \
            ObservedProperty.objects.filter(name_en=body.get("name") or "").first() or \
            (ObservedProperty.objects.filter(definition=body["definition"]).first() if body.get("definition") else None)
    else:
        found = None
    if found is None:
        codes = ", ".join(ObservedProperty.objects.order_by("code").values_list("code", flat=True)[:60])
        raise StaError(400, f"ObservedProperty: name a registered one by @iot.id or properties/code ({codes})")
    return found


def _sensor(caller, body) -> Sensor:
    if isinstance(body, dict) and "@iot.id" in body:
        found = Sensor.objects.filter(pk=_ref(body, "Sensor")).first()
        if found is None:
            raise StaError(400, "Sensor: no such sensor")
        return found
    return Sensor.objects.get(pk=create_sensor(caller, _obj(body or {}), ""))


def create_datastream(caller, body: dict, base: str, thing_id: int | None = None) -> int:
    thing_id = thing_id or _ref(body.get("Thing"), "Thing")
    if thing_id is None:
        raise StaError(400, "Datastream: Thing is required")
    thing = _managed_thing(caller, thing_id)
    prop = _observed_property(body.get("ObservedProperty"))
    sensor = _sensor(caller, body.get("Sensor") or {"name": f"{prop.name_en} sensor"})
    if services.has_datastream(thing.id, prop.code):
        raise StaError(409, f"Thing {thing.id} already has a Datastream of {prop.code}")
    ref = services.create_datastream(thing.id, prop.code, name=str(body.get("name") or "")[:160],
                                     sensor_name=sensor.name, actor=caller.user)
    uom = body.get("unitOfMeasurement")
    if isinstance(uom, dict):
        Datastream.objects.filter(pk=ref.id).update(
            unit_name=str(uom.get("name") or prop.unit)[:40], unit_symbol=str(uom.get("symbol") or prop.unit)[:20],
            unit_definition=str(uom.get("definition") or prop.definition)[:200])
    for ob in body.get("Observations") or []:
        create_observation(caller, dict(_obj(ob), Datastream={"@iot.id": ref.id}), base)
    return ref.id


def _manage_shared(caller):
    if not caller.can("sensing.manage", getattr(caller.user, "organisation_id", None)) and not caller.can(
            "sensing.view_all"):
        raise StaError(403, "needs the sensing.manage permission")


def create_sensor(caller, body: dict, base: str) -> int:
    _manage_shared(caller)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise StaError(400, "Sensor: name is required")
    sensor, made = Sensor.objects.get_or_create(name=name.strip()[:100], defaults={
        "description": str(body.get("description") or ""), "encoding_type": str(body.get("encodingType") or
                                                                                 "application/pdf")[:60],
        "metadata": str(body.get("metadata") or "")[:300]})
    if made:
        audit.record("sensing.sensor_create", actor=caller.user, obj=sensor, detail={"name": sensor.name})
    return sensor.id


def create_foi(caller, body: dict, base: str) -> int:
    _manage_shared(caller)
    if not isinstance(body.get("name"), str) or not isinstance(body.get("feature"), dict):
        raise StaError(400, "FeatureOfInterest: name and feature (GeoJSON) are required")
    foi = FeatureOfInterest.objects.create(name=body["name"][:120], description=str(body.get("description") or ""),
                                           encoding_type=str(body.get("encodingType") or "application/geo+json")[:60],
                                           feature=body["feature"])
    audit.record("sensing.foi_create", actor=caller.user, obj=foi, detail={"name": foi.name})
    return foi.id


# --- observations -----------------------------------------------------------------------------------------------

def _allowed(caller):
    platform = caller.can("sensing.view_all")

    def allowed(org):
        return platform or (org is not None and caller.can("sensing.ingest", org))
    return allowed


def _observation_item(caller, body: dict, datastream_id: int | None) -> dict:
    item = {k: v for k, v in body.items() if k not in ("Datastream", "@iot.selfLink")}
    ds = datastream_id or _ref(body.get("Datastream"), "Datastream")
    if ds is None:
        raise StaError(400, "Observation: Datastream is required")
    foi = body.get("FeatureOfInterest")
    if isinstance(foi, dict) and "@iot.id" not in foi:
        item["FeatureOfInterest"] = {"@iot.id": create_foi(caller, foi, "")}
    item["datastream"] = ds
    if item.get("phenomenonTime") is None:  # the server's time, fixed here so the reply can name the row
        item["phenomenonTime"] = int(time.time() * 1000)
    return item


def create_observation(caller, body: dict, base: str, datastream_id: int | None = None) -> int:
    item = _observation_item(caller, _obj(body), datastream_id)
    try:
        res = services.ingest([item], source="http", sender=caller.user, allowed=_allowed(caller))
    except services.Reject as exc:
        raise StaError(400, str(exc)) from None
    status = res.items[0]
    if status["status"] == "rejected":
        raise StaError(403 if "not allowed" in status["error"] else 400, status["error"])
    if status["status"] == "duplicate":
        raise StaError(409, "this Datastream already has an Observation at that phenomenonTime")
    return obs_id(item["datastream"], _start_ms(item["phenomenonTime"]))


def _start_ms(pt) -> int:
    return pt if isinstance(pt, int) else services.parse_time(str(pt).split("/")[0], "phenomenonTime")


def create_observations(caller, body, base: str) -> list:
    """``CreateObservations``: one link per dataArray row, or ``"error"`` for a row not stored."""
    caller.need_writer()
    if not isinstance(body, list):
        raise StaError(400, "CreateObservations takes a JSON list of {Datastream, components, dataArray}")
    try:
        items = services.expand_data_array(body)
    except services.Reject as exc:
        raise StaError(400, str(exc)) from None
    if len(items) > MAX_CREATE_OBSERVATIONS:
        raise StaError(400, f"at most {MAX_CREATE_OBSERVATIONS} observations per request")
    now_ms = int(time.time() * 1000)
    for item in items:
        if isinstance(item, dict) and item.get("phenomenonTime") is None and "__bad__" not in item:
            item["phenomenonTime"] = now_ms
        if "FeatureOfInterest/id" in item:
            item["FeatureOfInterest"] = {"@iot.id": item.pop("FeatureOfInterest/id")}
    with transaction.atomic():
        res = services.ingest(items, source="http", sender=caller.user, allowed=_allowed(caller))
    out = []
    for item, status in zip(items, res.items, strict=True):
        if status["status"] != "created":
            out.append("error")
            continue
        out.append(f"{base}/Observations({obs_id(item['datastream'], _start_ms(item['phenomenonTime']))})")
    return out


# --- dispatch ---------------------------------------------------------------------------------------------------

CREATORS = {"Things": create_thing, "Locations": create_location, "Datastreams": create_datastream,
            "Sensors": create_sensor, "FeaturesOfInterest": create_foi, "Observations": create_observation}
UNDER = {("Things", "Locations"): create_location, ("Things", "Datastreams"): create_datastream,
         ("Datastreams", "Observations"): create_observation}


def _split_path(path: str) -> list:
    out = []
    for part in [p for p in path.split("/") if p]:
        m = SEGMENT.match(part)
        if not m or m.group(1) not in ENTITIES:
            raise StaError(404, f"no entity set {part}")
        out.append((m.group(1), m.group(2)))
    return out


def post(caller, path: str, body, base: str) -> HttpResponse:
    caller.need_writer()
    parts = _split_path(path)
    body = _obj(body)
    with transaction.atomic():
        if len(parts) == 1 and parts[0][1] is None:
            name = parts[0][0]
            if name not in CREATORS:
                raise StaError(405, f"{name} cannot be created here (observed properties are registered by modules)")
            ident = CREATORS[name](caller, body, base)
        elif len(parts) == 2 and parts[0][1] is not None and parts[1][1] is None and (parts[0][0], parts[1][0]) in UNDER:
            ident = UNDER[(parts[0][0], parts[1][0])](caller, body, base, int(parts[0][1].strip("'")))
        else:
            raise StaError(405, "POST to an entity set (or Things(id)/Locations, Things(id)/Datastreams, "
                                "Datastreams(id)/Observations)")
    return _created(base, parts[-1][0], ident)


PATCHABLE = {"Things": {"name": ("name", 120), "description": ("description", None), "properties": ("properties", 0)},
             "Datastreams": {"name": ("name", 160)},
             "Sensors": {"name": ("name", 100), "description": ("description", None), "metadata": ("metadata", 300),
                         "encodingType": ("encoding_type", 60)},
             "FeaturesOfInterest": {"name": ("name", 120), "description": ("description", None),
                                    "feature": ("feature", 0), "encodingType": ("encoding_type", 60)}}
MODELS = {"Things": Thing, "Datastreams": Datastream, "Sensors": Sensor, "FeaturesOfInterest": FeatureOfInterest,
          "Locations": Location}


def _one(path: str) -> tuple[str, int]:
    parts = _split_path(path)
    if len(parts) != 1 or parts[0][1] is None:
        raise StaError(405, "PATCH and DELETE take one entity: EntitySet(id)")
    return parts[0][0], int(parts[0][1].strip("'"))


def _owned(caller, name: str, ident: int):
    """The row and its organisation, after the same visibility and permission checks as a create."""
    model = MODELS.get(name)
    if model is None:
        raise StaError(405, f"{name} cannot be changed here")
    row = model.objects.filter(pk=ident).first()
    if row is None:
        raise StaError(404, f"no {name[:-1]} {ident}")
    if name in ("Things", "Datastreams", "Locations"):
        thing_id = row.id if name == "Things" else row.thing_id
        _managed_thing(caller, thing_id)
    else:
        _manage_shared(caller)
    return row


def _json_patch(body: list) -> dict:
    """A JSON Patch (RFC 6902) of top-level ``replace``/``add`` operations as a merge object."""
    out = {}
    for op in body:
        if not isinstance(op, dict) or op.get("op") not in ("replace", "add") or not str(op.get("path", "")).startswith("/"):
            raise StaError(400, "JSON Patch: only replace/add of /property")
        key, *rest = op["path"][1:].split("/")
        if rest:
            out.setdefault(key, {})
            if isinstance(out[key], dict):
                out[key]["/".join(rest)] = op.get("value")
        else:
            out[key] = op.get("value")
    return out


def patch(caller, path: str, body, base: str) -> HttpResponse:
    caller.need_writer()
    name, ident = _one(path)
    if isinstance(body, list):
        body = _json_patch(body)
    body = _obj(body)
    with transaction.atomic():
        row = _owned(caller, name, ident)
        if name == "Locations":
            if "location" in body:
                lon, lat = _point(body)
                town, grid = services.locate(lon, lat)
                row.lon, row.lat, row.town_code, row.grid_code = lon, lat, town, grid
                Datastream.objects.filter(thing_id=row.thing_id).update(lon=lon, lat=lat, town_code=town,
                                                                        grid_code=grid)
            if "name" in body:
                row.name = str(body["name"] or "")[:120]
        else:
            fields = PATCHABLE.get(name, {})
            unknown = [k for k in body if k not in fields and not k.startswith("@iot.")]
            if unknown:
                raise StaError(400, f"{name[:-1]}: cannot change {', '.join(unknown)}")
            for key, (column, size) in fields.items():
                if key not in body:
                    continue
                value = body[key]
                if size == 0:
                    if not isinstance(value, dict):
                        raise StaError(400, f"{key} must be an object")
                    if key == "properties":
                        value = {**row.properties, **value}
                else:
                    value = str(value or "")[:size] if size else str(value or "")
                setattr(row, column, value)
        row.save()
        audit.record(f"sensing.{name[:-1].lower()}_update", actor=caller.user, obj=row,
                     detail={"fields": sorted(body)[:20]})
    return HttpResponse(status=200, content_type="application/json",
                        content=json.dumps({"@iot.selfLink": f"{base}/{name}({ident})"}))


def delete(caller, path: str, base: str) -> HttpResponse:
    caller.need_writer()
    parts = _split_path(path)
    if len(parts) == 1 and parts[0][0] == "Observations" and parts[0][1] is not None:
        return _delete_observation(caller, int(parts[0][1].strip("'")))
    name, ident = _one(path)
    with transaction.atomic():
        row = _owned(caller, name, ident)
        if name == "Sensors" and Datastream.objects.filter(sensor=row).exists():
            raise StaError(409, "the sensor is used by datastreams")
        audit.record(f"sensing.{name[:-1].lower()}_delete", actor=caller.user, obj=row, detail={"id": ident})
        row.delete()
    return HttpResponse(status=200)


def _delete_observation(caller, ident: int) -> HttpResponse:
    from smartcounty.foundation.sensing.models import HourlyRollup, Observation
    from smartcounty.foundation.sensing.sta.ids import BadId, split_obs_id

    try:
        ds, ms = split_obs_id(ident)
    except BadId:
        raise StaError(404, "no such Observation") from None
    with transaction.atomic():
        stream = Datastream.objects.filter(pk=ds).first()
        if stream is None:
            raise StaError(404, "no such Observation")
        _managed_thing(caller, stream.thing_id)
        if not Observation.objects.filter(datastream_id=ds, phenomenon_ms=ms).delete()[0]:
            raise StaError(404, "no such Observation")
        # the hour's rollup is recomputed from what is left (aggregates read it)
        hour = ms - ms % 3_600_000
        HourlyRollup.objects.filter(datastream_id=ds, hour_ms=hour).delete()
        left = list(Observation.objects.filter(datastream_id=ds, phenomenon_ms__gte=hour,
                                               phenomenon_ms__lt=hour + 3_600_000, result__isnull=False)
                    .values_list("datastream_id", "phenomenon_ms", "result_ms", "result", "result_json", "quality"))
        services.roll_up_rows(left)
        audit.record("sensing.observation_delete", actor=caller.user, obj=stream, detail={"phenomenon_ms": ms})
    return HttpResponse(status=200)
