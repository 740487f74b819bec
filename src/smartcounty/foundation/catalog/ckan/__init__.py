"""A CKAN-compatible Action API (read side) over the catalog, so existing open-data tools work.

Mounted by the project's urls.py at ``/api/3/action/<name>`` and ``/api/action/<name>``
(``ckan_urlpatterns``). GET (query string) and POST (JSON or form body) both work, without
redirects (a trailing slash is accepted too). Responses use CKAN's envelope: ``{"help", "success",
"result"}`` or ``{"success": false, "error": {"__type", "message"}}``.

Keys go in ``Authorization`` (raw or ``Bearer``) or ``X-CKAN-API-Key``: a platform API token
(``sc_...``) acts as its user (government organisations see the whole catalog and read shared
data through the audited data API); an open-data app key (``od_...``) is rate-limited. Without a
key, callers see what the public portal shows. A token whose scopes do not cover the catalog is
refused (403), as ``/api/v1/catalog/`` refuses it (``callers``).
"""

import re

from django.db.models import Count
from django.http import JsonResponse
from django.urls import re_path, reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from smartcounty.foundation.catalog import domains, services
from smartcounty.foundation.catalog.ckan.callers import Caller, CkanError, api_key, caller_for  # noqa: F401
from smartcounty.foundation.catalog.ckan.params import (
    LICENSE,
    _apply_fq,
    _bool,
    _facets,
    _int,
    _json_param,
    _params,
    _sort,
)
from smartcounty.foundation.catalog.models import OpenType, Resource
from smartcounty.foundation.catalog.services.reads import UnqueryableField
from smartcounty.kernel.problems import ApiError

CKAN_VERSION = "2.10.4"
DATASTORE_TYPES = {"string": "text", "integer": "int", "number": "numeric", "boolean": "bool", "date": "date",
                   "datetime": "timestamp", "geometry": "json"}


def _not_found(what="Not found"):
    return CkanError(404, "Not Found Error", what)


def _visible(caller: Caller):
    qs = Resource.objects.all()
    return qs if caller.internal else qs.filter(open_type__in=(OpenType.OPEN, OpenType.METADATA))


# -- shapes -------------------------------------------------------------------------------------

def _ts(dt):
    return dt.replace(tzinfo=None).isoformat() if dt else None


def _org_dict(code, name, count=None):
    out = {"id": code, "name": code, "title": name, "display_name": name, "type": "organization",
           "is_organization": True, "state": "active", "description": "", "image_url": ""}
    if count is not None:
        out["package_count"] = count
    return out


def _group_dict(domain, count=None):
    out = {"id": domain.slug, "name": domain.slug, "title": domain.name_zh, "display_name": domain.name_zh,
           "type": "group", "is_organization": False, "state": "active", "description": str(domain.title),
           "image_url": "", "domain_code": domain.code}
    if count is not None:
        out["package_count"] = count
    return out


def _abs(request, url):
    return request.build_absolute_uri(url)


def _resource_dict(request, res: Resource):
    version = res.current_version
    return {
        "id": str(res.datastore_uuid), "package_id": str(res.uuid), "name": res.name, "description": res.summary,
        "format": "CSV", "mimetype": "text/csv",
        "url": _abs(request, reverse("catalog:download", args=[res.slug, "csv"])) if res.open_type == OpenType.OPEN
        else "",
        "datastore_active": version is not None, "state": "active", "position": 0,
        "created": _ts(res.created_at), "last_modified": _ts(version.created_at) if version else None,
        "size": None, "url_type": "datastore",
    }


def package_dict(request, res: Resource) -> dict:
    domain = domains.BY_CODE.get(res.domain)
    tags = [{"name": t, "display_name": t, "state": "active"} for t in res.tags or []]
    extras = [{"key": k, "value": str(v)} for k, v in (
        ("resource_code", res.code), ("classification", res.classification), ("sharing_type", res.sharing_type),
        ("open_type", res.open_type), ("update_cycle", res.update_cycle), ("published_on", res.published_on or ""),
        ("provider_code", res.provider_org_code), ("related_codes", ",".join(res.related_codes or [])))]
    return {
        "id": str(res.uuid), "name": res.slug, "title": res.name, "notes": res.summary, "type": "dataset",
        "state": "active", "private": res.open_type not in (OpenType.OPEN, OpenType.METADATA),
        "license_id": LICENSE if res.open_type == OpenType.OPEN else "notspecified",
        "url": _abs(request, reverse("catalog:dataset", args=[res.slug])),
        "metadata_created": _ts(res.created_at), "metadata_modified": _ts(res.modified_at),
        "owner_org": res.provider_org_code, "organization": _org_dict(res.provider_org_code, res.provider_org_name),
        "groups": [_group_dict(domain)] if domain else [], "tags": tags, "num_tags": len(tags),
        "resources": [_resource_dict(request, res)], "num_resources": 1, "extras": extras,
        "author": res.provider_org_name, "maintainer": res.provider_org_name,
    }


# -- actions ------------------------------------------------------------------------------------

def status_show(request, params, caller):
    return {"site_title": "冠县公共数据开放平台", "site_description": "Guan County open data (smartcounty)",
            "site_url": _abs(request, "/"), "ckan_version": CKAN_VERSION, "error_emails_to": None,
            "locale_default": "zh_Hans", "extensions": ["datastore", "smartcounty"]}


def package_list(request, params, caller):
    limit = _int(params, "limit", 1000, hi=1000)
    offset = _int(params, "offset", 0, hi=10**9)
    return list(_visible(caller).order_by("slug").values_list("slug", flat=True)[offset:offset + limit])


def _package(params, caller, key="id"):
    ident = params.get(key) or params.get("name_or_id") or (params.get("name") if key == "id" else None)
    if not ident:
        raise CkanError(409, "Validation Error", {key: ["Missing value"]})
    qs = _visible(caller).select_related("current_version")
    res = qs.filter(slug=ident).first() or (qs.filter(uuid=ident).first() if _is_uuid(ident) else None) \
        or qs.filter(code=ident).first()
    if res is None:
        raise _not_found()
    return res


def _is_uuid(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-fA-F-]{32,36}", str(value)))


def package_show(request, params, caller):
    return package_dict(request, _package(params, caller))


def package_search(request, params, caller):
    rows = _int(params, "rows", 10, hi=1000)
    start = _int(params, "start", 0, hi=10**9)
    order = _sort(params.get("sort", "score desc"))
    q = str(params.get("q", "") or "").strip()
    if q in ("*:*", "*"):
        q = ""
    qs = services.search(q, public=not caller.internal, order=order if q or order != "score" else "-modified")
    qs = _apply_fq(qs, str(params.get("fq", "") or ""))
    fields = _json_param(params, "facet.field", [])
    if isinstance(fields, str):
        fields = [fields]
    facet_limit = _int(params, "facet.limit", 50, lo=-1, hi=1000)
    facets, search_facets = _facets(qs.order_by(), fields, facet_limit if facet_limit >= 0 else 1000)
    count = qs.count()
    page = list(qs.select_related("current_version")[start:start + rows])
    return {"count": count, "sort": params.get("sort", "score desc, metadata_modified desc"),
            "results": [package_dict(request, r) for r in page], "facets": facets, "search_facets": search_facets}


def _org_counts(caller):
    return {r["provider_org_code"]: (r["provider_org_name"], r["n"]) for r in
            _visible(caller).values("provider_org_code", "provider_org_name").annotate(n=Count("id"))}


def organization_list(request, params, caller):
    counts = _org_counts(caller)
    codes = sorted(counts)
    if _bool(params, "all_fields"):
        return [_org_dict(c, counts[c][0], counts[c][1]) for c in codes]
    return codes


def organization_show(request, params, caller):
    ident = params.get("id")
    counts = _org_counts(caller)
    if not ident or ident not in counts:
        raise _not_found()
    out = _org_dict(ident, *counts[ident])
    if _bool(params, "include_datasets"):
        out["packages"] = [package_dict(request, r) for r in
                           _visible(caller).filter(provider_org_code=ident).select_related("current_version")[:1000]]
    return out


def _group_counts(caller):
    return dict(_visible(caller).values_list("domain").annotate(n=Count("id")))


def group_list(request, params, caller):
    counts = _group_counts(caller)
    if _bool(params, "all_fields"):
        return [_group_dict(d, counts.get(d.code, 0)) for d in domains.DOMAINS]
    return [d.slug for d in domains.DOMAINS]


def group_show(request, params, caller):
    domain = domains.BY_SLUG.get(params.get("id", ""))
    if domain is None:
        raise _not_found()
    out = _group_dict(domain, _group_counts(caller).get(domain.code, 0))
    if _bool(params, "include_datasets"):
        out["packages"] = [package_dict(request, r) for r in
                           _visible(caller).filter(domain=domain.code).select_related("current_version")[:1000]]
    return out


def _by_resource_id(params, caller):
    ident = params.get("id") or params.get("resource_id")
    if not ident or not _is_uuid(ident):
        raise _not_found("Resource was not found.")
    res = _visible(caller).select_related("current_version").filter(datastore_uuid=ident).first()
    if res is None:
        raise _not_found("Resource was not found.")
    return res


def resource_show(request, params, caller):
    return _resource_dict(request, _by_resource_id(params, caller))


def _search_param(params):
    """CKAN's ``q``: a text, or an object of field: text (also as a JSON string)."""
    raw = params.get("q")
    if isinstance(raw, str):
        raw = raw.strip()
        if raw.startswith("{"):
            raw = _json_param(params, "q", {})
    if raw in (None, "", {}):
        return None
    if not isinstance(raw, (str, dict)):
        raise CkanError(409, "Validation Error", {"q": [gettext("Must be a text or an object of field: text")]})
    return raw


def _sort_param(params):
    """CKAN's ``sort`` ("field", "field desc", quoted names allowed; the first key is used)."""
    sort = str(params.get("sort") or "").strip()
    if not sort:
        return None
    parts = sort.split(",")[0].split()
    if not parts:
        return None
    name = parts[0].strip('"')
    if name == "_id":
        return None
    return ("-" if len(parts) > 1 and parts[1].lower() == "desc" else "") + name


def datastore_search(request, params, caller):
    """Rows of a resource, as ``services.read_rows`` decides for this caller: ``filters``, ``sort``
    and ``q`` may only touch fields the caller sees unmasked (else 409, naming the field)."""
    res = _by_resource_id(params, caller)
    limit = _int(params, "limit", 100, hi=32000)
    offset = _int(params, "offset", 0, hi=10**9)
    filters = _json_param(params, "filters", {})
    if not isinstance(filters, dict):
        raise CkanError(409, "Validation Error", {"filters": ["Not a JSON object"]})
    fields = params.get("fields") or None
    if isinstance(fields, str):
        fields = [f.strip() for f in fields.split(",") if f.strip()]
    public = not caller.internal
    try:
        result = services.read_rows(res, public=public, org_id=caller.org_id, actor=caller.user, fields=fields,
                                    filters=filters, limit=limit, offset=offset, sort=_sort_param(params),
                                    search=_search_param(params), channel="ckan", with_numbers=True)
    except UnqueryableField as exc:
        raise CkanError(409, "Validation Error", {exc.param: [exc.detail]}) from None
    except ApiError as exc:
        status = {403: 403, 401: 403, 404: 404}.get(exc.status, 409)
        kind = "Authorization Error" if status == 403 else "Validation Error"
        raise CkanError(status, kind, exc.detail or exc.code) from None
    services.count(res, "api_calls")
    items = {i.name: i for i in res.items.all()}
    base = reverse("ckan-action", args=["datastore_search"])
    return {"resource_id": str(res.datastore_uuid), "include_total": True, "records_format": "objects",
            "fields": [{"id": "_id", "type": "int"}] + [
                {"id": n, "type": DATASTORE_TYPES.get(items[n].data_type, "text"),
                 "info": {"label": items[n].title, "personal": items[n].personal or None}} for n in result.fields],
            "records": result.rows, "total": result.total, "limit": limit, "offset": offset,
            "_links": {"start": f"{base}?resource_id={res.datastore_uuid}",
                       "next": f"{base}?resource_id={res.datastore_uuid}&offset={offset + limit}"}}


ACTIONS = {f.__name__: f for f in (status_show, package_list, package_search, package_show, organization_list,
                                   organization_show, group_list, group_show, resource_show, datastore_search)}


def _envelope(request, action, body: dict, status: int = 200) -> JsonResponse:
    help_url = _abs(request, f"/api/3/action/help_show?name={action}")
    return JsonResponse({"help": help_url, **body}, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def action_view(request, action: str):
    if request.method not in ("GET", "POST"):
        return _envelope(request, action, {"success": False, "error": {
            "__type": "Bad Request", "message": "Use GET or POST"}}, 405)
    fn = ACTIONS.get(action)
    if fn is None:
        return _envelope(request, action, {"success": False, "error": {
            "__type": "Bad Request", "message": f"Bad request - Action name not known: {action}"}}, 400)
    try:
        caller = caller_for(request)
        params = _params(request)
        result = fn(request, params, caller)
    except CkanError as err:
        error = {"__type": err.kind, "message": err.message}
        if isinstance(err.message, dict):
            error = {"__type": err.kind, **err.message}
        response = _envelope(request, action, {"success": False, "error": error}, err.status)
        for name, value in err.headers.items():
            response[name] = value
        return response
    return _envelope(request, action, {"success": True, "result": result})


ckan_urlpatterns = [
    re_path(r"^api/3/action/(?P<action>\w+)/?$", action_view, name="ckan-action"),
    re_path(r"^api/action/(?P<action>\w+)/?$", action_view, name="ckan-action-unversioned"),
]
