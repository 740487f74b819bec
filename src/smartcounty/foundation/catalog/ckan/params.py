"""Parameters of CKAN actions: query string or JSON/form body, integers, JSON values, and
``package_search``'s ``fq``, facets and sort."""

import re

from django.db.models import Count

from smartcounty.foundation.catalog import domains
from smartcounty.foundation.catalog.ckan import solr
from smartcounty.foundation.catalog.ckan.callers import CkanError
from smartcounty.foundation.catalog.ckan.solr import Term
from smartcounty.foundation.catalog.models import OpenType
from smartcounty.kernel import jsonparse

FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id")
LICENSE = "other-open"


def _params(request) -> dict:
    if request.method == "POST":
        ctype = request.content_type or ""
        if "json" in ctype or (request.body and request.body.strip()[:1] == b"{"):
            try:
                data = jsonparse.loads(request.body or b"{}")
            except jsonparse.JsonError:
                raise CkanError(400, "Validation Error", "Bad request - JSON Error: could not read the body") from None
            if not isinstance(data, dict):
                raise CkanError(400, "Validation Error", "Bad request - JSON Error: the body must be an object")
            return data
        return {k: v for k, v in request.POST.items()}
    return {k: v for k, v in request.GET.items()}


def _int(params, key, default, lo=0, hi=1000):
    raw = params.get(key, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise CkanError(409, "Validation Error", {key: ["Invalid integer"]}) from None
    if value < lo:
        raise CkanError(409, "Validation Error", {key: [f"Must be at least {lo}"]})
    return min(value, hi)


def _json_param(params, key, default):
    raw = params.get(key, default)
    if isinstance(raw, str):
        try:
            return jsonparse.loads(raw) if raw else default
        except jsonparse.JsonError:
            raise CkanError(409, "Validation Error", {key: ["Cannot parse JSON"]}) from None
    return raw


def _bool(params, key, default=False):
    raw = params.get(key, default)
    return raw if isinstance(raw, bool) else str(raw).lower() in ("true", "1", "yes")


def _date_cond(field: str, term: Term) -> dict:
    column = _DATE_FIELDS[field]
    cond = {}
    if term.low is not None:
        cond[f"{column}__{'gte' if term.low_inclusive else 'gt'}"] = solr.parse_date(term.low)
    if term.high is not None:
        cond[f"{column}__{'lte' if term.high_inclusive else 'lt'}"] = solr.parse_date(term.high)
    return cond


_DATE_FIELDS = {"metadata_modified": "modified_at", "metadata_created": "created_at"}


def _cond(qs, term: Term):
    """The ORM condition of one ``fq`` term (a dict of lookups, or a Q)."""
    field = term.field
    values = term.values
    if field is None:
        if term.value in ("*:*", "*"):
            return {}
        raise CkanError(409, "Validation Error", {"fq": [f"Unsupported filter: {term.value}"]})
    if field in _DATE_FIELDS:
        if not term.is_range:
            day = solr.parse_date(term.value)
            return {_DATE_FIELDS[field]: day}
        return _date_cond(field, term)
    if term.is_range:
        raise CkanError(409, "Validation Error", {"fq": [f"Ranges are supported on metadata_modified and "
                                                         f"metadata_created, not {field}"]})
    if values == ["*"]:
        return {}
    if field in ("organization", "owner_org"):
        return {"provider_org_code__in": values}
    if field == "groups":
        return {"domain__in": [d.code for d in (domains.BY_SLUG.get(v) for v in values) if d]}
    if field == "tags":
        ids = [r.pk for r in qs.only("id", "tags") if set(values) & set(r.tags or [])]
        return {"pk__in": ids}
    if field == "res_format":
        return {"current_version__isnull": not any(v.upper() in ("CSV", "JSON", "XLSX", "GEOJSON") for v in values)}
    if field == "name":
        return {"slug__in": values}
    if field == "id":
        ids = [v for v in values if _is_uuid(v)]
        return {"uuid__in": ids}
    if field in ("sharing_type", "open_type", "update_cycle", "classification"):
        return {f"{field}__in": values}
    if field == "license_id":
        return {"open_type": OpenType.OPEN} if LICENSE in values else {"pk__in": []}
    if field in ("dataset_type", "type"):
        return {} if "dataset" in values else {"pk__in": []}
    if field == "state":
        return {} if "active" in values else {"pk__in": []}
    if field == "capacity":
        shown = set()
        if "public" in values:
            shown |= {OpenType.OPEN, OpenType.METADATA}
        if "private" in values:
            shown |= {OpenType.CLOSED}
        return {"open_type__in": sorted(shown)}
    if field == "private":
        private = [v.lower() == "true" for v in values]
        shown = ({OpenType.CLOSED} if True in private else set()) | (
            {OpenType.OPEN, OpenType.METADATA} if False in private else set())
        return {"open_type__in": sorted(shown)}
    raise CkanError(409, "Validation Error", {"fq": [f"Unsupported filter field: {field}"]})


def _is_uuid(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}",
                             str(value)))


def _apply_fq(qs, fq: str):
    """``package_search``'s ``fq`` (and ``fq_list``): every term narrows the results (AND)."""
    for term in solr.parse_fq(fq):
        cond = _cond(qs, term)
        if not cond:
            continue
        qs = qs.exclude(**cond) if term.negated else qs.filter(**cond)
    return qs


def _facets(qs, fields, limit):
    facets, search_facets = {}, {}
    for field in fields:
        if field not in FACET_FIELDS:
            raise CkanError(409, "Validation Error", {"facet.field": [f"Unsupported facet: {field}"]})
        counts: dict[str, int] = {}
        titles: dict[str, str] = {}
        if field == "organization":
            for row in qs.values("provider_org_code", "provider_org_name").annotate(n=Count("id")):
                counts[row["provider_org_code"]] = row["n"]
                titles[row["provider_org_code"]] = row["provider_org_name"]
        elif field == "groups":
            for row in qs.values("domain").annotate(n=Count("id")):
                d = domains.BY_CODE.get(row["domain"])
                if d:
                    counts[d.slug] = row["n"]
                    titles[d.slug] = d.name_zh
        elif field == "tags":
            for tags in qs.values_list("tags", flat=True):
                for t in tags or []:
                    counts[t] = counts.get(t, 0) + 1
        elif field == "res_format":
            n = qs.filter(current_version__isnull=False).count()
            if n:
                counts["CSV"] = n
        elif field == "license_id":
            n = qs.filter(open_type=OpenType.OPEN).count()
            if n:
                counts[LICENSE] = n
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        facets[field] = dict(top)
        search_facets[field] = {"title": field, "items": [
            {"name": k, "display_name": titles.get(k, k), "count": v} for k, v in top]}
    return facets, search_facets


#: CKAN's sort fields → the resource's columns (``name`` is CKAN's URL name, our slug; the title
#: sorts as ``title_string``).
SORT_FIELDS = {"id": "uuid", "name": "slug", "title_string": "name", "title": "name",
               "metadata_modified": "modified_at", "metadata_created": "created_at", "score": "score"}
DEFAULT_SORT = "score desc, metadata_modified desc"


def _sort(raw: str) -> list[tuple[str, bool]]:
    """[(column, descending)] of ``package_search``'s ``sort``; ``score`` is the relevance of ``q``."""
    return solr.parse_sort(raw or DEFAULT_SORT, SORT_FIELDS)
