"""HTTP of the SensorThings API: the service root, resource paths, reads and the writes (``writes``)."""

import json

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from smartcounty.foundation.sensing.sta import writes
from smartcounty.foundation.sensing.sta.callers import StaError, caller_for
from smartcounty.foundation.sensing.sta.entities import ENTITIES, SEGMENT
from smartcounty.foundation.sensing.sta.filters import FilterError
from smartcounty.foundation.sensing.sta.ids import BadId, split_obs_id
from smartcounty.foundation.sensing.sta.query import Options, Reader, merge_expand, parse_options
from smartcounty.kernel import jsonparse

VERSION = "v1.1"
CONFORMANCE = [
    "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/create-update-delete",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/data-array/data-array",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/observations-creation",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/receive-updates-via-mqtt/receive-updates",
]


def base_url(request) -> str:
    return request.build_absolute_uri(f"/{VERSION}").rstrip("/")


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"code": status, "type": "error", "message": message}, status=status)


def _json(data, status=200) -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False, default=str), status=status,
                        content_type="application/json; charset=utf-8")


def root(request):
    base = base_url(request)
    host = request.get_host().rsplit(":", 1)[0]
    settings = {"conformance": CONFORMANCE,
                "http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/observations-creation":
                    {"endpoints": [f"mqtt://{host}:1883"]}}
    return _json({"value": [{"name": name, "url": f"{base}/{name}"} for name in ENTITIES],
                  "serverSettings": settings})


def _ident(entity, raw: str):
    if raw.startswith("'"):
        raw = raw[1:-1]
    try:
        value = int(raw)
    except ValueError:
        raise StaError(404, f"no {entity.singular} with id {raw}") from None
    if entity.name == "Observations":
        try:
            ds, ms = split_obs_id(value)
        except BadId:
            raise StaError(404, f"no Observation with id {raw}") from None
        return {"datastream_id": ds, "phenomenon_ms": ms}
    return {"pk": value}


class Target:
    """What a resource path names: an entity set (``qs`` filtered by the path) or one entity, or one of its
    properties."""

    def __init__(self, entity, qs, single: bool, prop: str | None = None, raw_value: bool = False,
                 parent=None, link=None):
        self.entity, self.qs, self.single, self.prop, self.raw_value = entity, qs, single, prop, raw_value
        self.parent, self.link = parent, link  # (entity, row) the set hangs from, and the link name


def resolve(path: str, reader: Reader) -> Target:
    """Walk ``Datastreams(5)/Observations``, ``Observations(..)/Datastream/Thing``, ``Things(1)/name``..."""
    parts = [p for p in path.split("/") if p]
    m = SEGMENT.match(parts[0]) if parts else None
    if not m or m.group(1) not in ENTITIES:
        raise StaError(404, f"no entity set {parts[0] if parts else ''}")
    entity = ENTITIES[m.group(1)]
    qs = entity.queryset()
    single = False
    parent = link_name = None
    if m.group(2) is not None:
        qs, single = qs.filter(**_ident(entity, m.group(2))), True
    for i, part in enumerate(parts[1:], start=1):
        if part in ("$value", "$ref"):
            raise StaError(400, f"{part} is not supported here")
        if single and part[:1].islower():  # a property (navigation properties are capitalised)
            rest = parts[i + 1:]
            return Target(entity, qs, True, prop=part, raw_value=rest == ["$value"])
        if not single:
            raise StaError(404, f"{part}: a path goes on from one entity, not a set")
        seg = SEGMENT.match(part)
        link = entity.links.get(seg.group(1)) if seg else None
        if link is None:
            raise StaError(404, f"{entity.singular} has no navigation property {part}")
        row = entity.scope(qs, reader.who).values(*{*entity.pk, *([] if link.many else [link.key])}).first()
        if row is None:
            raise StaError(404, f"no such {entity.singular}")
        target = ENTITIES[link.target]
        if link.many:
            parent, link_name = (entity, row), seg.group(1)
            qs = target.queryset().filter(**{link.key: entity.id_of(row)})
            single = False
            if seg.group(2) is not None:
                qs, single = qs.filter(**_ident(target, seg.group(2))), True
        else:
            if row.get(link.key) is None:
                raise StaError(404, f"no {target.singular}")
            qs, single = target.queryset().filter(pk=row[link.key]), True
        entity = target
    return Target(entity, qs, single, parent=parent, link=link_name)


def _pairs(request) -> list:
    return [(k, v) for k in request.GET for v in request.GET.getlist(k)]


@csrf_exempt
def resource(request, path: str):
    try:
        caller = caller_for(request)
        if path.strip("/") == "CreateObservations":
            if request.method != "POST":
                raise StaError(405, "CreateObservations takes POST")
            return _json(writes.create_observations(caller, _body(request), base_url(request)), 201)
        if request.method == "GET":
            return _get(request, caller, path)
        if request.method == "POST":
            return writes.post(caller, path, _body(request), base_url(request))
        if request.method in ("PATCH", "PUT"):
            return writes.patch(caller, path, _body(request), base_url(request))
        if request.method == "DELETE":
            return writes.delete(caller, path, base_url(request))
        raise StaError(405, f"{request.method} is not supported")
    except FilterError as exc:
        return _error(400, str(exc))
    except StaError as exc:
        return _error(exc.status, exc.message)


def _body(request):
    try:
        return jsonparse.loads(request.body)
    except jsonparse.JsonError as exc:
        raise StaError(400, f"the body is not JSON: {exc}") from None


def _get(request, caller, path):
    who = caller.need_reader()
    reader = Reader(who, base_url(request))
    target = resolve(path, reader)
    params = _pairs(request)
    if target.prop is not None:
        found = reader.one(target.entity, target.qs, Options())
        if found is None:
            raise StaError(404, f"no such {target.entity.singular}")
        if target.prop not in found:
            raise StaError(404, f"{target.entity.singular} has no {target.prop}")
        value = found[target.prop]
        if target.raw_value:
            return HttpResponse(value if isinstance(value, str) else json.dumps(value), content_type="text/plain")
        return _json({target.prop: value})
    opts = parse_options(params, target.entity)
    opts.expand = merge_expand(opts.expand)
    if target.single:
        found = reader.one(target.entity, target.qs, opts)
        if found is None:
            raise StaError(404, f"no such {target.entity.singular}")
        return _json(found)
    url = request.build_absolute_uri(request.path)
    return _json(reader.page(target.entity, target.qs, opts, url, params))
