"""Sensing API, ``/api/v1/sensing/``: ingest, latest values, observations, aggregates, dead letters."""

import json
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from smartcounty.foundation.sensing import services
from smartcounty.foundation.sensing.openapi import CREATE_OBSERVATIONS_BODY, INGEST_BODY
from smartcounty.foundation.sensing.schemas import (
    BucketOut,
    DatastreamIn,
    DatastreamOut,
    DeadLetterOut,
    HealthEventOut,
    IngestOut,
    LatestValue,
    ObservationOut,
    ThingIn,
    ThingOut,
)
from smartcounty.kernel import audit, authz, jsonparse
from smartcounty.kernel.api import Id, Pagination
from smartcounty.kernel.problems import ApiError

router = Router(tags=["sensing"])
QUALITY_NAMES = {0: "good", 1: "suspect", 2: "bad"}


def _all_orgs(request) -> bool:
    return authz.has_perm(request, "sensing.view_all")


def _reader(request):
    """The caller and what they may see (``services.reader``: the rule the pages and the cockpit use too)."""
    user = authz.require(request, "sensing.view")
    return user, services.reader(user)


def _datastream_for_reader(request, datastream_id: Id) -> LatestValue:
    authz.require(request, "sensing.view")
    ds = services.latest_value(datastream_id)
    if ds is None:
        raise ApiError(404, "not-found")
    if ds.organisation_id is not None and not _all_orgs(request):
        authz.require(request, "sensing.view", ds.organisation_id)
    return ds


def _aware(dt: datetime | None) -> datetime | None:
    if dt is not None and timezone.is_naive(dt):
        dt = timezone.make_aware(dt)  # naive times are Beijing time
    return dt


# --- ingest ------------------------------------------------------------------------------------

def _ingest(request, *, dataarray_only: bool = False):
    user = authz.require(request, "sensing.ingest")
    # orjson (C): several times json.loads on 5,000-item batches; the items' own depth is checked item by item
    body = jsonparse.loads(request.body, max_depth=None)
    if isinstance(body, dict):
        body = [body]
    if not isinstance(body, list):
        raise ApiError(422, "invalid", "expected a JSON list of observations", field="body")
    try:
        if body and isinstance(body[0], dict) and "dataArray" in body[0] or dataarray_only:
            items = services.expand_data_array(body)
        else:
            items = body
        if len(items) > services.MAX_REQUEST_ITEMS:
            raise services.Reject(f"at most {services.MAX_REQUEST_ITEMS} observations per request")
        platform = _all_orgs(request)

        def allowed(org):
            return platform or (org is not None and authz.has_perm(request, "sensing.ingest", org))

        res = services.ingest(items, source="http", sender=user, allowed=allowed)
    except services.Reject as exc:
        raise ApiError(422, "invalid", str(exc), field="body") from None
    return {"created": res.created, "duplicates": res.duplicates, "rejected": res.rejected,
            "results": res.statuses(), "errors": res.errors()}


@router.post("/observations", response=IngestOut, openapi_extra=INGEST_BODY)
def ingest_observations(request):
    """A batch of observations: a JSON list of ``{datastream, phenomenonTime, result, resultTime?,
    resultQuality?}``, or SensorThings ``CreateObservations`` groups (``Datastream``, ``components``,
    ``dataArray``). Each item gets its own result; a bad item never stops the others."""
    return _ingest(request)


@router.post("/CreateObservations", response=IngestOut, openapi_extra=CREATE_OBSERVATIONS_BODY)
def create_observations(request):
    """OGC SensorThings ``CreateObservations`` (dataArray extension)."""
    return _ingest(request, dataarray_only=True)


# --- things and datastreams --------------------------------------------------------------------

@router.get("/things", response=list[ThingOut])
@paginate(Pagination)
def list_things(request, kind: str | None = None, town: str | None = None):
    _, who = _reader(request)
    return services.thing_rows(who, kind=kind, town=town, with_streams=False)


@router.post("/things", response={201: ThingOut})
def create_thing(request, payload: ThingIn):
    user = authz.require(request, "sensing.manage", payload.organisation_id)
    if payload.organisation_id is None and not _all_orgs(request):
        raise ApiError(403, "forbidden", "only platform administrators create county-wide things")
    if services.thing_exists(payload.code):
        raise ApiError(409, "conflict", f"a thing with code {payload.code!r} exists", field="code")
    thing = services.create_thing(payload.code, payload.name, lon=payload.lon, lat=payload.lat, kind=payload.kind,
                                  organisation_id=payload.organisation_id, description=payload.description,
                                  properties=payload.properties, actor=user)
    return 201, services.thing_rows(ids=[thing.id], with_streams=False)[0]


@router.post("/datastreams", response={201: DatastreamOut})
def create_datastream(request, payload: DatastreamIn):
    authz.require(request, "sensing.manage")
    thing = services.thing_ref(payload.thing)
    if thing is None:
        raise ApiError(404, "not-found")
    if thing.organisation_id is None and not _all_orgs(request):
        raise ApiError(403, "forbidden")
    user = authz.require(request, "sensing.manage", thing.organisation_id)
    if services.has_datastream(thing.id, payload.observed_property):
        raise ApiError(409, "conflict", "the thing already has a datastream of this property",
                       field="observed_property")
    ds = services.create_datastream(thing, payload.observed_property, expected_interval_s=payload.expected_interval_s,
                                    name=payload.name, actor=user)
    return 201, services.latest_value(ds.id)


class LatestFilter(Schema):
    property: str | None = None
    thing: Id | None = None
    town: str | None = None
    grid: str | None = None
    bbox: str | None = None  # west,south,east,north
    online: bool | None = None


@router.get("/datastreams", response=list[DatastreamOut])
@paginate(Pagination)
def latest_values(request, filters: Query[LatestFilter]):
    """Latest value of each datastream, filtered by observed property, thing, town, grid or bbox."""
    _, who = _reader(request)
    bbox = None
    if filters.bbox:
        try:
            bbox = [float(v) for v in filters.bbox.split(",")]
        except ValueError:
            bbox = []
        if len(bbox) != 4 or bbox[0] > bbox[2] or bbox[1] > bbox[3]:
            raise ApiError(422, "invalid", "bbox is west,south,east,north", field="bbox")
    return services.latest_values(who=who, property_code=filters.property, thing_id=filters.thing,
                                  town=filters.town, grid=filters.grid, bbox=bbox, online=filters.online)


@router.get("/datastreams/{datastream_id}", response=DatastreamOut)
def get_datastream(request, datastream_id: Id):
    return _datastream_for_reader(request, datastream_id)


class _Window:
    """A datastream's observations in a time range, sliced by the paginator with SQL LIMIT/OFFSET."""

    def __init__(self, ds_id, start_ms, end_ms, newest_first):
        self.args = (ds_id, start_ms, end_ms)
        self.newest_first = newest_first
        self._count = None

    def count(self):
        if self._count is None:
            self._count = services.count_observations(*self.args)
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, s: slice):
        limit = (s.stop or 0) - (s.start or 0)
        rows = services.observations(*self.args, limit=limit, offset=s.start or 0, newest_first=self.newest_first)
        return [{"phenomenonTime": services.from_ms(p), "resultTime": services.from_ms(r),
                 "result": json.loads(j) if j is not None else v, "resultQuality": QUALITY_NAMES.get(q, "good")}
                for p, r, v, j, q in rows]


@router.get("/datastreams/{datastream_id}/observations", response=list[ObservationOut])
@paginate(Pagination)
def list_observations(request, datastream_id: Id, start: datetime | None = None, end: datetime | None = None,
                      order: str = "asc"):
    """Observations of one datastream with start <= phenomenon time < end, oldest first (order=desc: newest)."""
    ds = _datastream_for_reader(request, datastream_id)
    if order not in ("asc", "desc"):
        raise ApiError(422, "invalid", "order is asc or desc", field="order")
    start, end = _aware(start), _aware(end)
    return _Window(ds.id, services.to_ms(start) if start else None, services.to_ms(end) if end else None,
                   order == "desc")


@router.get("/datastreams/{datastream_id}/aggregates", response=list[BucketOut])
def aggregates(request, datastream_id: Id, start: datetime, end: datetime, bucket: str = "1h"):
    """Count, min, max and mean per 5min, 1h or 1day bucket, aligned to Beijing time."""
    ds = _datastream_for_reader(request, datastream_id)
    return services.aggregate(ds.id, services.to_ms(_aware(start)), services.to_ms(_aware(end)), bucket)


@router.get("/datastreams/{datastream_id}/health", response=list[HealthEventOut])
@paginate(Pagination)
def health_history(request, datastream_id: Id):
    """When the datastream went offline and came back, newest first."""
    ds = _datastream_for_reader(request, datastream_id)
    return services.health_events(ds.id)


@router.get("/deadletters", response=list[DeadLetterOut])
@paginate(Pagination)
def dead_letters(request, source: str | None = None):
    """Payloads ingest rejected, newest first: platform administrators see all, organisation
    administrators their organisation's. Reading raw payloads is audited."""
    if authz.has_perm(request, "sensing.deadletters"):
        user = authz.request_user(request)
        rows = services.dead_letters(all_orgs=True, source=source)
    else:
        user = authz.require(request, "sensing.manage")
        if user.organisation_id is None:
            raise ApiError(403, "forbidden")
        user = authz.require(request, "sensing.manage", user.organisation_id)
        rows = services.dead_letters(user.organisation_id, source=source)
    with transaction.atomic():
        audit.record("sensing.deadletters_read", actor=user, detail={"source": source or ""})
    return rows
