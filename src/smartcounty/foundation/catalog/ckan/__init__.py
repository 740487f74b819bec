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


from django.db.models import Count
from django.http import JsonResponse
from django.urls import re_path, reverse
from django.views.decorators.csrf import csrf_exempt

from smartcounty.foundation.catalog import domains, services
from smartcounty.foundation.catalog.ckan import datastore
from smartcounty.foundation.catalog.ckan.callers import Caller, CkanError, api_key, caller_for  # noqa: F401
from smartcounty.foundation.catalog.ckan.params import (
    DEFAULT_SORT,
    LICENSE,
    _apply_fq,
    _bool,
    _facets,
    _int,
    _is_uuid,
    _json_param,
    _params,
    _sort,
)
from smartcounty.foundation.catalog.ckan.visible import PUBLIC, _by_resource_id, _not_found, _visible
from smartcounty.foundation.catalog.models import OpenType, Resource

CKAN_VERSION = "2.11.0"
#: CKAN's maximums: ``ckan.search.rows_max``, ``ckan.group_and_organization_list_max`` and
#: ``ckan.group_and_organization_list_all_fields_max`` (defaults 1000, 1000 and 25).
ROWS_MAX = 1000
GROUP_LIST_MAX = 1000
GROUP_LIST_ALL_FIELDS_MAX = 25


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


def resource_url(request, res: Resource) -> str:
    """Where the resource's data is fetched: the open download, else the datastore dump (which
    answers each caller as ``datastore_search`` does)."""
    if res.open_type == OpenType.OPEN:
        return _abs(request, reverse("catalog:download", args=[res.slug, "csv"]))
    return _abs(request, reverse("ckan-datastore-dump", args=[str(res.datastore_uuid)]))


def _resource_dict(request, res: Resource):
    version = res.current_version
    return {
        "id": str(res.datastore_uuid), "package_id": str(res.uuid), "name": res.name, "description": res.summary,
        "format": "CSV", "mimetype": "text/csv",
        "url": resource_url(request, res),
        "datastore_active": version is not None, "state": "active", "position": 0,
        "created": _ts(res.created_at), "last_modified": _ts(version.created_at) if version else None,
        "size": None, "url_type": "datastore", "cache_url": None, "hash": version.sha256 if version else "",
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
    """The site's title, URL, CKAN version and extensions."""
    return {"site_title": "冠县公共数据开放平台", "site_description": "Guan County open data (smartcounty)",
            "site_url": _abs(request, "/"), "ckan_version": CKAN_VERSION, "error_emails_to": None,
            "locale_default": "zh_Hans", "extensions": ["datastore", "dcat", "smartcounty"]}


def package_list(request, params, caller):
    """Names of the public datasets (never a private one, as in CKAN), by name; ``limit`` (at most
    1000) and ``offset``."""
    limit = _int(params, "limit", ROWS_MAX, hi=ROWS_MAX)
    offset = _int(params, "offset", 0, hi=10**9)
    return list(_visible(caller, include_private=False).order_by("slug")
                .values_list("slug", flat=True)[offset:offset + limit])


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


def package_show(request, params, caller):
    """One dataset by ``id`` (its id, name or resource code); a private one only for a caller with the right."""
    return package_dict(request, _package(params, caller))


def _ordered(qs, keys: list[tuple[str, bool]], *, ranked: bool):
    """Order by CKAN's sort keys; ``score`` keeps the search's rank (or, without ``q``, is a tie)."""
    order = []
    for column, desc in keys:
        if column == "score":
            if ranked:
                order += ["-search_terms__weight"] if desc else ["search_terms__weight"]
            continue
        order.append(f"-{column}" if desc else column)
    return qs.order_by(*order, "id")


def search_results(caller, params):
    """The queryset ``package_search`` answers (also ``current_package_list_with_resources``)."""
    q = str(params.get("q", "") or "").strip()
    if q in ("*:*", "*"):
        q = ""
    private = _bool(params, "include_private") and caller.internal
    qs = services.search(q, public=not private, order="score")
    ranked = bool(services.query_terms(q))
    if private and not ranked:
        qs = qs.filter(open_type__in=(*PUBLIC, OpenType.CLOSED))
    fq = str(params.get("fq", "") or "")
    fq_list = params.get("fq_list") or []
    if isinstance(fq_list, str):
        fq_list = _json_param(params, "fq_list", []) if fq_list.startswith("[") else [fq_list]
    for text in [fq, *[str(f) for f in fq_list]]:
        qs = _apply_fq(qs, text)
    return _ordered(qs, _sort(str(params.get("sort") or DEFAULT_SORT)), ranked=ranked)


def package_search(request, params, caller):
    """CKAN's search: ``q``, ``fq``/``fq_list`` (fields, ``metadata_modified:[X TO Y]`` ranges with
    Solr dates), ``sort`` (``id``, ``name``, ``title_string``, ``metadata_modified``,
    ``metadata_created``, ``score``; asc/desc; several keys), ``rows`` (at most 1000), ``start``,
    ``facet.field``, ``include_private`` (private datasets only for a caller with the right)."""
    rows = _int(params, "rows", 10, hi=ROWS_MAX)
    start = _int(params, "start", 0, hi=10**9)
    qs = search_results(caller, params)
    fields = _json_param(params, "facet.field", [])
    if isinstance(fields, str):
        fields = [fields]
    facet_limit = _int(params, "facet.limit", 50, lo=-1, hi=1000)
    facets, search_facets = _facets(qs.order_by(), fields, facet_limit if facet_limit >= 0 else 1000)
    count = qs.count()
    page = list(qs.select_related("current_version")[start:start + rows]) if rows else []
    return {"count": count, "sort": str(params.get("sort") or DEFAULT_SORT),
            "results": [package_dict(request, r) for r in page], "facets": facets, "search_facets": search_facets}


def current_package_list_with_resources(request, params, caller):
    """Public datasets with their resources, most recently modified first; ``limit`` (at most 1000), ``offset``."""
    limit = _int(params, "limit", 10, hi=ROWS_MAX)
    offset = _int(params, "offset", 0, hi=10**9)
    qs = _visible(caller, include_private=False).select_related("current_version").order_by("-modified_at", "-id")
    return [package_dict(request, r) for r in qs[offset:offset + limit]]


def _org_counts(caller):
    return {r["provider_org_code"]: (r["provider_org_name"], r["n"]) for r in
            _visible(caller).values("provider_org_code", "provider_org_name").annotate(n=Count("id"))}


def _paged_list(params, entries: list[dict], key_name: str, default_sort: str | None = "title asc"):
    """CKAN's ``organization_list``/``group_list``: ``sort`` (name, title, package_count; asc/desc),
    ``limit`` (at most 1000, or 25 with ``all_fields``), ``offset``, ``all_fields``, and a subset by
    ``organizations``/``groups``."""
    wanted = params.get(key_name)
    if isinstance(wanted, str):
        wanted = _json_param(params, key_name, []) if wanted.startswith("[") else [w for w in wanted.split(",") if w]
    if wanted:
        entries = [e for e in entries if e["name"] in set(wanted)]
    words = str(params.get("sort") or default_sort or "").split()
    if words:
        field = words[0]
        if field not in ("name", "title", "package_count", "display_name"):
            raise CkanError(409, "Validation Error", {"sort": [f"Unsupported sort: {field}"]})
        desc = len(words) > 1 and words[1].lower() == "desc"
        entries = sorted(entries, key=lambda e: (e.get(field) or 0, e["name"]), reverse=desc)
    all_fields = _bool(params, "all_fields")
    cap = GROUP_LIST_ALL_FIELDS_MAX if all_fields else GROUP_LIST_MAX
    limit = _int(params, "limit", cap, hi=cap)
    offset = _int(params, "offset", 0, hi=10**9)
    page = entries[offset:offset + limit]
    return page if all_fields else [e["name"] for e in page]


def organization_list(request, params, caller):
    """Organisations that provide datasets the caller may see (``all_fields`` for their details)."""
    counts = _org_counts(caller)
    return _paged_list(params, [_org_dict(c, n, k) for c, (n, k) in counts.items()], "organizations")


def organization_show(request, params, caller):
    """One organisation; ``include_datasets`` adds its datasets (at most 1000)."""
    ident = params.get("id")
    counts = _org_counts(caller)
    if not ident or ident not in counts:
        raise _not_found()
    out = _org_dict(ident, *counts[ident])
    if _bool(params, "include_datasets"):
        out["packages"] = [package_dict(request, r) for r in
                           _visible(caller).filter(provider_org_code=ident).select_related("current_version")[:1000]]
    return out


def organization_list_for_user(request, params, caller):
    """The caller's own organisation (where it provides datasets), else nothing."""
    user = caller.user
    org = getattr(user, "organisation", None) if user is not None else None
    if org is None:
        return []
    n = _visible(caller).filter(provider_org_id=org.pk).count()
    return [{**_org_dict(org.code, org.name, n), "capacity": "member"}]


def _group_counts(caller):
    return dict(_visible(caller).values_list("domain").annotate(n=Count("id")))


def group_list(request, params, caller):
    """The open-data domains (开放领域) as CKAN groups, in the standard's order unless ``sort`` is given."""
    counts = _group_counts(caller)
    entries = [_group_dict(d, counts.get(d.code, 0)) for d in domains.DOMAINS]
    return _paged_list(params, entries, "groups", default_sort=None)


def group_show(request, params, caller):
    """One domain; ``include_datasets`` adds its datasets (at most 1000)."""
    domain = domains.BY_SLUG.get(params.get("id", ""))
    if domain is None:
        raise _not_found()
    out = _group_dict(domain, _group_counts(caller).get(domain.code, 0))
    if _bool(params, "include_datasets"):
        out["packages"] = [package_dict(request, r) for r in
                           _visible(caller).filter(domain=domain.code).select_related("current_version")[:1000]]
    return out


def tag_list(request, params, caller):
    """Keywords of the public datasets (``query`` narrows them; ``all_fields`` for dicts)."""
    query = str(params.get("query") or params.get("q") or "").strip()
    tags = set()
    for row in _visible(caller, include_private=False).values_list("tags", flat=True):
        tags.update(t for t in row or [] if not query or query in t)
    names = sorted(tags)
    if _bool(params, "all_fields"):
        return [{"id": t, "name": t, "vocabulary_id": None, "display_name": t} for t in names]
    return names


def license_list(request, params, caller):
    """The licences datasets carry."""
    return [{"id": LICENSE, "title": "开放数据许可（署名）", "url": _abs(request, reverse("catalog:portal")) + "#licence",
             "od_conformance": "approved", "status": "active", "is_okd_compliant": True},
            {"id": "notspecified", "title": "未开放数据", "url": "", "od_conformance": "not reviewed",
             "status": "active", "is_okd_compliant": False}]


def help_show(request, params, caller):
    """The documentation of an action (``name``)."""
    fn = ACTIONS.get(str(params.get("name") or ""))
    if fn is None:
        raise _not_found("Action name not known")
    return (fn.__doc__ or "").strip()


def resource_show(request, params, caller):
    """One resource by ``id``."""
    return _resource_dict(request, _by_resource_id(params, caller))


def resource_search(request, params, caller):
    """Resources of public datasets matching ``query`` ("name:text", "description:text", "format:CSV",
    several allowed); ``limit`` (at most 1000), ``offset``, ``order_by``."""
    query = params.get("query") or []
    if isinstance(query, str):
        query = [query]
    qs = _visible(caller, include_private=False)
    for term in query:
        field, _, text = str(term).partition(":")
        if field == "name":
            qs = qs.filter(name__icontains=text)
        elif field == "description":
            qs = qs.filter(summary__icontains=text)
        elif field == "format":
            qs = qs.filter(current_version__isnull=text.upper() != "CSV")
        elif field == "id":
            qs = qs.filter(datastore_uuid=text) if _is_uuid(text) else qs.none()
        else:
            raise CkanError(409, "Validation Error", {"query": [f"Field \"{field}\" not recognised"]})
    order = {"name": "name", "id": "datastore_uuid", "created": "created_at"}.get(str(params.get("order_by") or
                                                                                     "name"), "name")
    limit = _int(params, "limit", ROWS_MAX, hi=ROWS_MAX)
    offset = _int(params, "offset", 0, hi=10**9)
    page = qs.select_related("current_version").order_by(order, "id")[offset:offset + limit]
    return {"count": qs.count(), "results": [_resource_dict(request, r) for r in page]}


ACTIONS = {f.__name__: f for f in (
    status_show, package_list, package_search, package_show, current_package_list_with_resources,
    organization_list, organization_show, organization_list_for_user, group_list, group_show, tag_list,
    license_list, help_show, resource_show, resource_search, datastore.datastore_search, datastore.datastore_info)}


def _envelope(request, action, body: dict, status: int = 200) -> JsonResponse:
    help_url = _abs(request, f"/api/3/action/help_show?name={action}")
    return JsonResponse({"help": help_url, **body}, status=status, json_dumps_params={"ensure_ascii": False})


def _error_response(request, action, err: CkanError):
    error = {"__type": err.kind, "message": err.message}
    if isinstance(err.message, dict):
        error = {"__type": err.kind, **err.message}
    response = _envelope(request, action, {"success": False, "error": error}, err.status)
    for name, value in err.headers.items():
        response[name] = value
    return response


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
        return _error_response(request, action, err)
    return _envelope(request, action, {"success": True, "result": result})


def api_version(request, version=None):
    """``/api/3``: the API version, as CKAN answers it."""
    return JsonResponse({"version": 3})


ckan_urlpatterns = [
    re_path(r"^api/3/?$", api_version, name="ckan-api-version"),
    re_path(r"^api/3/action/(?P<action>\w+)/?$", action_view, name="ckan-action"),
    re_path(r"^api/action/(?P<action>\w+)/?$", action_view, name="ckan-action-unversioned"),
    re_path(r"^datastore/dump/(?P<resource_id>[0-9a-fA-F-]{32,36})/?$", datastore.dump_view,
            name="ckan-datastore-dump"),
]
