"""Parameters of CKAN actions: query string or JSON/form body, integers, JSON values, and
``package_search``'s ``fq``, facets and sort."""

import re

from django.db.models import Count

from smartcounty.foundation.catalog import domains
from smartcounty.foundation.catalog.ckan.callers import CkanError
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


_FQ_RE = re.compile(r'([+-]?)(\w+):("(?:[^"\\]|\\.)*"|\S+)')


def _apply_fq(qs, fq: str):
    for sign, field, value in _FQ_RE.findall(fq or ""):
        value = value[1:-1] if value.startswith('"') else value
        if field in ("organization", "owner_org"):
            cond = {"provider_org_code": value}
        elif field == "groups":
            domain = domains.BY_SLUG.get(value)
            cond = {"domain": domain.code if domain else "__none__"}
        elif field == "tags":
            qs_ids = [r.pk for r in qs.only("id", "tags") if value in (r.tags or [])]
            cond = {"pk__in": qs_ids}
        elif field == "res_format":
            cond = {"current_version__isnull": value.upper() not in ("CSV", "JSON", "XLSX", "GEOJSON")}
        elif field in ("name",):
            cond = {"slug": value}
        elif field in ("sharing_type", "open_type", "update_cycle", "classification"):
            cond = {field: value}
        elif field == "license_id":
            cond = {"open_type": OpenType.OPEN} if value == LICENSE else {"pk__in": []}
        else:
            raise CkanError(409, "Validation Error", {"fq": [f"Unsupported filter field: {field}"]})
        qs = qs.exclude(**cond) if sign == "-" else qs.filter(**cond)
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


_SORTS = {"score": "score", "metadata_modified": "modified", "name": "name", "title_string": "name",
          "metadata_created": "modified", "title": "name"}


def _sort(raw: str) -> str:
    first = (raw or "score desc").split(",")[0].strip().split()
    field = first[0] if first else "score"
    desc = len(first) < 2 or first[1].lower() == "desc"
    if field not in _SORTS:
        raise CkanError(409, "Validation Error", {"sort": [f"Unsupported sort: {field}"]})
    key = _SORTS[field]
    if key == "score":
        return "score"
    return f"-{key}" if desc else key
