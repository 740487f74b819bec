"""CKAN's DataStore over the catalog's rows: ``datastore_search``, ``datastore_info`` and the dump
(``/datastore/dump/<resource id>``, the ``url`` of every resource that is not open data).

Rows come from ``services.read_rows``, the catalog's one access decision
(``catalog.services.reads.access_for``): personal fields stay masked for whoever sees them masked,
and a masked field can be neither filtered, sorted nor searched (409 naming the field).
"""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext

from smartcounty.foundation.catalog import services
from smartcounty.foundation.catalog.ckan.callers import CkanError, caller_for
from smartcounty.foundation.catalog.ckan.params import _bool, _int, _json_param, _params
from smartcounty.foundation.catalog.ckan.visible import _by_resource_id
from smartcounty.foundation.catalog.services.opendata import cell_text
from smartcounty.foundation.catalog.services.reads import UnqueryableField
from smartcounty.kernel.problems import ApiError

DATASTORE_TYPES = {"string": "text", "integer": "int", "number": "numeric", "boolean": "bool", "date": "date",
                   "datetime": "timestamp", "geometry": "json"}
#: ``ckan.datastore.search.rows_default`` and ``ckan.datastore.search.rows_max``
ROWS_DEFAULT = 100
ROWS_MAX = 32000
RECORDS_FORMATS = ("objects", "lists", "csv", "tsv")
#: rows per read: what ``services.read_rows`` serves at most (open data to the public, shared data)
PUBLIC_PAGE = 1000
SHARED_PAGE = 10_000


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


def _sort_param(params) -> str | None:
    """CKAN's ``sort`` ("field", "field desc", quoted names, several keys) as "a,-b"."""
    keys = []
    for part in str(params.get("sort") or "").split(","):
        words = part.split()
        if not words:
            continue
        name = words[0].strip('"')
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise CkanError(409, "Validation Error", {"sort": [f"Invalid sort: {part.strip()}"]})
        if name == "_id":
            continue
        keys.append(("-" if len(words) == 2 and words[1].lower() == "desc" else "") + name)
    return ",".join(keys) or None


def _fields_param(params):
    fields = params.get("fields") or None
    if isinstance(fields, str):
        fields = [f.strip().strip('"') for f in fields.split(",") if f.strip()]
    if fields is not None and not (isinstance(fields, list) and all(isinstance(f, str) for f in fields)):
        raise CkanError(409, "Validation Error", {"fields": ["Must be a list of field names"]})
    return [f for f in fields if f != "_id"] if fields else None


def _read(res, caller, **kwargs):
    try:
        return services.read_rows(res, public=not caller.internal, org_id=caller.org_id, actor=caller.user,
                                  channel="ckan", with_numbers=True, **kwargs)
    except UnqueryableField as exc:
        raise CkanError(409, "Validation Error", {exc.param: [exc.detail]}) from None
    except ApiError as exc:
        status = {403: 403, 401: 403, 404: 404}.get(exc.status, 409)
        kind = "Authorization Error" if status == 403 else "Validation Error"
        raise CkanError(status, kind, exc.detail or exc.code) from None


def _field_dicts(res, names):
    items = {i.name: i for i in res.items.all()}
    return [{"id": "_id", "type": "int"}] + [
        {"id": n, "type": DATASTORE_TYPES.get(items[n].data_type, "text"),
         "info": {"label": items[n].title, "personal": items[n].personal or None}} for n in names]


def _delimited(rows, names, delimiter) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if row.get(n) is None else cell_text(row.get(n)) for n in names])
    return buf.getvalue()


def datastore_search(request, params, caller):
    """Rows of a resource: ``q`` (full text, or field: text), ``filters``, ``fields``, ``sort`` (several
    keys), ``limit`` (default 100, at most 32000), ``offset``, ``include_total``, ``records_format``
    (objects, lists, csv, tsv). Masked fields cannot be filtered, sorted or searched (409)."""
    res = _by_resource_id(params, caller)
    limit = _int(params, "limit", ROWS_DEFAULT, hi=ROWS_MAX)
    offset = _int(params, "offset", 0, hi=10**9)
    filters = _json_param(params, "filters", {})
    if not isinstance(filters, dict):
        raise CkanError(409, "Validation Error", {"filters": ["Not a JSON object"]})
    records_format = str(params.get("records_format") or "objects")
    if records_format not in RECORDS_FORMATS:
        raise CkanError(409, "Validation Error", {"records_format": [f"Must be one of {', '.join(RECORDS_FORMATS)}"]})
    include_total = _bool(params, "include_total", True)
    result = _read(res, caller, fields=_fields_param(params), filters=filters, limit=limit, offset=offset,
                   sort=_sort_param(params), search=_search_param(params), count=include_total)
    services.count(res, "api_calls")
    names = ["_id", *result.fields]
    if records_format == "objects":
        records = result.rows
    elif records_format == "lists":
        records = [[row.get(n) for n in names] for row in result.rows]
    else:
        records = _delimited(result.rows, names, "," if records_format == "csv" else "\t")
    base = reverse("ckan-action", args=["datastore_search"])
    limit = min(limit, SHARED_PAGE if caller.internal else PUBLIC_PAGE)  # what read_rows served at most
    out = {"resource_id": str(res.datastore_uuid), "include_total": include_total, "records_format": records_format,
           "fields": _field_dicts(res, result.fields), "records": records, "limit": limit,
           "_links": {"start": f"{base}?resource_id={res.datastore_uuid}",
                      "next": f"{base}?resource_id={res.datastore_uuid}&offset={offset + limit}"}}
    if offset:
        out["offset"] = offset
    if include_total:
        out["total"] = result.total
        out["total_was_estimated"] = False
    return out


def datastore_info(request, params, caller):
    """A resource's fields and row count (its information items: public metadata)."""
    res = _by_resource_id(params, caller)
    names = [i.name for i in res.items.all()]
    version = res.current_version
    return {"meta": {"id": str(res.datastore_uuid), "count": version.row_count if version else 0,
                     "table_type": "BASE TABLE", "aliases": []},
            "fields": [{**f, "schema": {"native_type": f["type"], "is_index": False}}
                       for f in _field_dicts(res, names)[1:]]}


def dump_view(request, resource_id: str):
    """``/datastore/dump/<id>``: every row the caller may read, as CSV (``format=tsv`` for TSV), with
    the caller's key as for the actions; refused with the reason as text."""
    try:
        caller = caller_for(request)
        params = _params(request) if request.method == "GET" else {}
        res = _by_resource_id({"id": resource_id}, caller)
        size = SHARED_PAGE if caller.internal else PUBLIC_PAGE
        first = _read(res, caller, limit=size, offset=0)
    except CkanError as err:
        response = HttpResponse(str(err.message), status=err.status, content_type="text/plain; charset=utf-8")
        for name, value in err.headers.items():
            response[name] = value
        return response
    delimiter = "\t" if params.get("format") == "tsv" else ","
    names = ["_id", *first.fields]

    def body():
        yield "\ufeff" + _delimited([dict(zip(names, names, strict=True))], names, delimiter)
        page, offset = first, 0
        while True:
            yield _delimited(page.rows, names, delimiter)
            offset += size
            if len(page.rows) < size:
                return
            page = _read(res, caller, limit=size, offset=offset)

    services.count(res, "downloads")
    ext = "tsv" if delimiter == "\t" else "csv"
    response = StreamingHttpResponse(body(), content_type=f"text/{'tab-separated-values' if ext == 'tsv' else ext}"
                                                          "; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{res.slug}.{ext}"'
    return response
