"""The catalog's JSON API (``/api/v1/catalog/``): catalog entries, datasets, the audited data API,
sharing requests and grants, registered apps and the keyed open-data API."""

from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from smartcounty.foundation.catalog import services
from smartcounty.foundation.catalog.models import Grant, SharingRequest
from smartcounty.foundation.catalog.schemas import (
    AppIn,
    AppOut,
    DecisionIn,
    GrantOut,
    ReadOut,
    RequestIn,
    RequestOut,
    ResourceDetail,
    ResourceIn,
    ResourceOut,
    ResourcePatch,
    RevokeIn,
    RowsOut,
    VersionOut,
)
from smartcounty.kernel import authz, jsonparse
from smartcounty.kernel.api import Id, Offset, Pagination
from smartcounty.kernel.authz import require
from smartcounty.kernel.problems import ApiError

router = Router(tags=["catalog"])
#: rows per page of the data APIs (``services.read_rows`` serves at most 10,000, open data 1,000)
RowLimit = Annotated[int, Field(ge=0, le=10_000)]


class ResourceFilters(Schema):
    q: str = ""
    domain: str | None = None
    provider: str | None = None
    sharing_type: str | None = None
    open_type: str | None = None
    format: str | None = None


def _org_of(user):
    """(id, code) of the user's organisation, or (None, "")."""
    org = getattr(user, "organisation", None)
    return (org.pk, org.code) if org is not None else (None, "")


def _require_reader(request, slug: str, *, channel: str):
    """``require(request, "catalog.view")``; a signed-in caller refused (a resident, a token without the
    scope) is audited as a refused read of ``slug`` (not looked up: the refusal tells nothing of it)."""
    try:
        return require(request, "catalog.view")
    except ApiError as refusal:
        user = authz.request_user(request)
        if user is not None:
            services.record_refused_read(slug[:100], actor=user, org_id=getattr(user, "organisation_id", None),
                                         channel=channel, reason=refusal.detail or refusal.code)
        raise


def _rows_args(fields: str, filters: str):
    chosen = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
    try:
        where = jsonparse.loads(filters) if filters else {}
    except jsonparse.JsonError:
        raise ApiError(422, "invalid", "filters must be a JSON object", field="filters") from None
    if not isinstance(where, dict):
        raise ApiError(422, "invalid", "filters must be a JSON object", field="filters")
    return chosen, where


def _rows_out(result, limit, offset) -> dict:
    return {"resource": result.resource.code, "version": result.version, "fields": result.fields,
            "masked": result.masked, "basis": result.basis, "grant": result.grant_id, "total": result.total,
            "limit": limit, "offset": offset, "rows": result.rows}


@router.get("/resources", response=list[ResourceOut])
@paginate(Pagination)
def list_resources(request, filters: Query[ResourceFilters]):
    require(request, "catalog.view")
    return services.search(filters.q, public=False, domain=filters.domain, provider=filters.provider,
                           sharing_type=filters.sharing_type, open_type=filters.open_type, fmt=filters.format,
                           order="score" if filters.q else "code").select_related("current_version")


@router.post("/resources", response={201: ResourceDetail})
def create_resource(request, body: ResourceIn):
    user = require(request, "catalog.manage")
    org_id, _code = _org_of(user)
    if org_id is None:
        raise ApiError(422, "invalid", "only a member of an organisation can register its resources", field="provider")
    require(request, "catalog.manage", org_id)
    data = body.model_dump(exclude={"items"})
    resource = services.create_resource(data, [i.model_dump() for i in body.items], provider_org_id=org_id, actor=user)
    return Status(201, resource)


@router.get("/resources/{slug}", response=ResourceDetail)
def get_resource(request, slug: str):
    require(request, "catalog.view")
    return services.get_resource(slug)


@router.patch("/resources/{slug}", response=ResourceDetail)
def update_resource(request, slug: str, body: ResourcePatch):
    resource = services.get_resource(slug)
    user = require(request, "catalog.manage", resource.provider_org_id)
    return services.update_resource(resource, body.model_dump(exclude_unset=True), actor=user)


@router.post("/resources/{slug}/open", response=ResourceDetail)
def open_resource(request, slug: str):
    resource = services.get_resource(slug)
    user = require(request, "catalog.manage", resource.provider_org_id)
    return services.open_resource(resource, actor=user)


@router.get("/resources/{slug}/personal-check")
def personal_check(request, slug: str):
    resource = services.get_resource(slug)
    require(request, "catalog.manage", resource.provider_org_id)
    return {"resource": resource.code, "undeclared": services.undeclared_personal_columns(resource)}


@router.post("/resources/{slug}/versions", response={201: VersionOut})
def upload(request, slug: str, file: File[UploadedFile], allow_empty: bool = False):
    """Load a new version from a file; the limits of ``SMARTCOUNTY_UPLOAD_*`` apply (413 ``upload-limit``).
    A file without rows is refused (422 ``empty-dataset``) unless ``allow_empty=true``."""
    resource = services.get_resource(slug)
    user = require(request, "catalog.manage", resource.provider_org_id)
    max_bytes = services.upload_limits().max_bytes
    if file.size and file.size > max_bytes:
        raise services.UploadLimitError(f"the file is larger than {max_bytes} bytes", limit="max_bytes",
                                        value=file.size)
    version = services.load_file(resource, file.read(max_bytes + 1), filename=file.name or "upload", actor=user,
                                 allow_empty=allow_empty)
    return Status(201, version)


@router.get("/resources/{slug}/versions", response=list[VersionOut])
@paginate(Pagination)
def versions(request, slug: str):
    resource = services.get_resource(slug)
    require(request, "catalog.view")
    return resource.versions.order_by("-number")


@router.get("/resources/{slug}/rows", response=RowsOut)
def rows(request, slug: str, fields: str = "", filters: str = "", limit: RowLimit = 100, offset: Offset = 0,
         sort: str = ""):
    """The data API for government organisations: what the caller's organisation may read, masked
    as its grant says; every call is an audit row (a refused one too)."""
    user = _require_reader(request, slug, channel="api")
    resource = services.get_resource(slug)
    org_id, _code = _org_of(user)
    chosen, where = _rows_args(fields, filters)
    result = services.read_rows(resource, org_id=org_id, actor=user, fields=chosen, filters=where, limit=limit,
                                offset=offset, sort=sort or None, channel="api")
    services.count(resource, "api_calls")
    return _rows_out(result, limit, offset)


@router.get("/resources/{slug}/reads", response=list[ReadOut])
@paginate(Pagination)
def reads(request, slug: str):
    """Who read this resource's data (the provider's view of the audit log)."""
    resource = services.get_resource(slug)
    require(request, "catalog.decide", resource.provider_org_id)
    return [_read_out(e) for e in services.reads_of([resource.code])]


def _read_out(entry):
    d = entry.detail or {}
    return {"at": entry.at, "actor": entry.actor, "organisation_id": entry.organisation_id,
            "resource": d.get("resource", entry.object_id), "fields": d.get("fields", []), "rows": d.get("rows", 0),
            "grant": d.get("grant"), "basis": d.get("basis", ""), "channel": d.get("channel", "")}


@router.post("/requests", response={201: RequestOut})
def submit_request(request, body: RequestIn):
    user = require(request, "catalog.request")
    org_id, org_code = _org_of(user)
    if org_id is None:
        raise ApiError(422, "invalid", "requests are made by an organisation", field="organisation")
    resource = services.get_resource(body.resource)
    req = services.submit_request(resource, org_id=org_id, org_code=org_code, user=user, purpose=body.purpose,
                                  fields=body.fields, unmasked_fields=body.unmasked_fields,
                                  period_start=body.period_start, period_end=body.period_end)
    return Status(201, req)


@router.get("/requests", response=list[RequestOut])
@paginate(Pagination)
def list_requests(request, role: str = "any", status: str | None = None):
    user = require(request, "catalog.view")
    org_id, _code = _org_of(user)
    if org_id is None:
        raise ApiError(403, "forbidden", "requests are listed for an organisation")
    qs = services.requests_for(org_id, role=role).select_related("grant")
    if status:
        qs = qs.filter(status=status)
    return qs


@router.post("/requests/{pk}/decision", response=RequestOut)
def decide(request, pk: Id, body: DecisionIn):
    req = get_object_or_404(SharingRequest.objects.select_related("resource"), pk=pk)
    user = require(request, "catalog.decide", req.resource.provider_org_id)
    services.decide_request(req, user=user, approve=body.approve, note=body.note, fields=body.fields,
                            unmasked_fields=body.unmasked_fields, row_filter=body.row_filter,
                            expires_on=body.expires_on)
    return SharingRequest.objects.select_related("resource", "grant").get(pk=pk)


@router.get("/grants", response=list[GrantOut])
@paginate(Pagination)
def list_grants(request):
    user = require(request, "catalog.view")
    org_id, _code = _org_of(user)
    if org_id is None:
        raise ApiError(403, "forbidden", "grants are listed for an organisation")
    from django.db.models import Q

    return Grant.objects.select_related("resource").filter(
        Q(grantee_org_id=org_id) | Q(resource__provider_org_id=org_id))


@router.post("/grants/{pk}/revoke", response=GrantOut)
def revoke(request, pk: Id, body: RevokeIn):
    grant = get_object_or_404(Grant.objects.select_related("resource"), pk=pk)
    user = require(request, "catalog.decide", grant.resource.provider_org_id)
    return services.revoke_grant(grant, user=user, reason=body.reason)


@router.get("/indicators")
def indicators(request):
    require(request, "catalog.view")
    return services.indicators()


@router.post("/apps", response={201: AppOut})
def register_app(request, body: AppIn):
    user = require(request, "catalog.register_app")
    app, key = services.register_app(user, body.name, per_minute=body.per_minute)
    return Status(201, {"id": app.pk, "name": app.name, "prefix": app.prefix, "per_minute": app.per_minute, "key": key})


def app_from_request(request):
    key = request.headers.get("X-App-Key") or request.GET.get("key", "")
    app = services.app_for_key(key)
    if app is None:
        raise ApiError(401, "not-authenticated", "send a registered app key in X-App-Key")
    services.check_rate(app)
    return app


@router.get("/open/{slug}/rows", response=RowsOut, auth=None)
def open_rows(request, slug: str, fields: str = "", filters: str = "", limit: RowLimit = 100, offset: Offset = 0,
              sort: str = ""):
    """The keyed open-data API: registered apps read open resources (personal fields masked), rate-limited."""
    app_from_request(request)
    resource = services.get_resource(slug)
    chosen, where = _rows_args(fields, filters)
    result = services.read_rows(resource, public=True, fields=chosen, filters=where, limit=limit, offset=offset,
                                sort=sort or None, channel="open-api")
    services.count(resource, "api_calls")
    return _rows_out(result, limit, offset)
