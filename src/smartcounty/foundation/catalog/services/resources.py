"""Catalog entries: create and change resources with validated core metadata, and search them.

Search: titles, summaries, keywords and provider names are segmented with jieba (search mode)
into an inverted index (``SearchTerm``, one row per word and resource, indexed on the word), so
a query is a few indexed lookups on SQLite and PostgreSQL alike, never a scan of every summary.
"""

import re
from datetime import date

import jieba
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from smartcounty.foundation.catalog import codes, domains
from smartcounty.foundation.catalog.models import (
    InfoItem,
    OpenType,
    Resource,
    ResourceFormat,
    SearchTerm,
    SharingType,
)
from smartcounty.kernel import audit, events, outbound
from smartcounty.kernel.problems import ApiError

jieba.setLogLevel(60)

_WORD_RE = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")
_FIELD_RE = re.compile(r"^[^\x00-\x1f\"'\\]{1,64}$")
PUBLIC_OPEN_TYPES = (OpenType.OPEN, OpenType.METADATA)
RAREST_CAP = 1000
CORE_FIELDS = ("code", "slug", "name", "summary", "domain", "format", "sharing_type", "sharing_conditions",
               "sharing_method", "legal_basis", "open_type", "update_cycle", "published_on", "related_codes",
               "tags", "source_url")


def _invalid(field: str, detail: str):
    return ApiError(422, "invalid", detail, field=field, errors=[{"field": field, "in": "body", "type": "value_error",
                                                                   "message": detail}])


def tokens(text: str, *, search_mode: bool = True) -> list[str]:
    """Words of ``text`` (lower-cased, punctuation dropped), segmented by jieba."""
    cut = jieba.cut_for_search if search_mode else jieba.cut
    out = []
    for word in cut(text or ""):
        word = word.strip().lower()
        if word and _WORD_RE.search(word) and len(word) <= 32:
            out.append(word)
    return out


def query_terms(q: str) -> list[str]:
    """A query's words (precise mode), unique, in order."""
    seen = []
    for word in tokens(q, search_mode=False):
        if word not in seen:
            seen.append(word)
    return seen[:8]


def index_resource(resource: Resource) -> None:
    weights: dict[str, int] = {}
    for text, weight in ((resource.name, 3), (" ".join(resource.tags or []), 2), (resource.provider_org_name, 2),
                         (resource.summary, 1), (resource.code, 1)):
        for word in tokens(text):
            weights[word] = max(weights.get(word, 0), weight)
    public = resource.open_type in PUBLIC_OPEN_TYPES
    SearchTerm.objects.filter(resource=resource).delete()
    SearchTerm.objects.bulk_create([SearchTerm(term=w, resource=resource, weight=n, public=public)
                                    for w, n in weights.items()])


def _clean_items(items) -> list[dict]:
    if not items:
        raise _invalid("items", "a resource needs at least one information item")
    seen = set()
    out = []
    for n, item in enumerate(items):
        item = dict(item)
        name = str(item.get("name", "")).strip()
        if not _FIELD_RE.match(name) or "__" in name or name.startswith("_"):
            raise _invalid(f"items.{n}.name", "a field name is 1-64 characters without quotes, control characters, "
                                              "a leading '_' or '__'")
        if name in seen:
            raise _invalid(f"items.{n}.name", f"field {name!r} appears twice")
        seen.add(name)
        dtype = item.get("data_type") or InfoItem.DataType.STRING
        if dtype not in InfoItem.DataType.values:
            raise _invalid(f"items.{n}.data_type", f"unknown data type {dtype!r}")
        personal = item.get("personal") or ""
        if personal not in InfoItem.Personal.values:
            raise _invalid(f"items.{n}.personal", f"unknown personal-data kind {personal!r}")
        out.append({"name": name, "title": str(item.get("title") or name)[:100], "data_type": dtype,
                    "required": bool(item.get("required", False)), "personal": personal})
    return out


def validate_metadata(data: dict, *, existing: Resource | None = None) -> dict:
    """Check core metadata; return the cleaned values. Raises ApiError naming the field at fault."""
    data = dict(data)
    if "code" in data:
        try:
            parts = codes.parse_code(data["code"])
        except codes.ResourceCodeError as exc:
            raise _invalid("code", str(exc)) from None
        data["code"] = data["code"].strip()
        data["classification"] = parts["classification"]
    if "slug" in data and not _SLUG_RE.match(data["slug"] or ""):
        raise _invalid("slug", "a short name is 2-100 lower-case letters, digits, '-' or '_'")
    if "name" in data and not (data["name"] or "").strip():
        raise _invalid("name", "a resource needs a name")
    if "domain" in data and data["domain"] not in domains.BY_CODE:
        raise _invalid("domain", f"unknown open-data domain {data['domain']!r} (01-22)")
    if "format" in data and data["format"] not in ResourceFormat.values:
        raise _invalid("format", f"unknown format {data['format']!r}")
    if data.get("source_url"):
        try:
            outbound.validate(data["source_url"])
        except outbound.OutboundError as exc:
            raise _invalid("source_url", str(exc)) from None
    for rel in data.get("related_codes") or []:
        if not codes.is_valid(rel):
            raise _invalid("related_codes", f"{rel!r} is not a valid resource code")
    merged = {f: getattr(existing, f) for f in CORE_FIELDS} if existing else {}
    merged.update(data)
    sharing = merged.get("sharing_type")
    if sharing not in SharingType.values:
        raise _invalid("sharing_type", f"unknown sharing type {sharing!r}")
    if sharing == SharingType.NONE and not (merged.get("legal_basis") or "").strip():
        raise _invalid("legal_basis", "a resource that is not shared needs its basis in law, regulation or policy")
    if sharing == SharingType.CONDITIONAL and not (merged.get("sharing_conditions") or "").strip():
        raise _invalid("sharing_conditions", "a conditionally shared resource needs its conditions")
    open_type = merged.get("open_type") or OpenType.CLOSED
    if open_type not in OpenType.values:
        raise _invalid("open_type", f"unknown open attribute {open_type!r}")
    if open_type == OpenType.OPEN and sharing != SharingType.UNCONDITIONAL:
        raise _invalid("open_type", "only unconditionally shared resources can be opened to the public")
    return data


def _org_facts(organisation_id: int) -> tuple[str, str]:
    from smartcounty.foundation.accounts import services as accounts

    org = accounts.organisation_by_id(organisation_id)
    if org is None:
        raise _invalid("provider", f"no organisation with id {organisation_id}")
    return org.code, org.name


@transaction.atomic
def create_resource(data: dict, items: list[dict], *, provider_org_id: int, actor=None, is_demo: bool = False) -> Resource:
    """Create a catalog entry for ``provider_org_id``. Opening to the public is a separate step
    (``opendata.open_resource``) because it needs data and a personal-data check first."""
    for required in ("code", "slug", "name", "domain", "sharing_type"):
        if not data.get(required):
            raise _invalid(required, f"{required} is required")
    wanted_open = data.get("open_type") or OpenType.CLOSED
    data = validate_metadata({**data, "open_type": OpenType.CLOSED if wanted_open == OpenType.OPEN else wanted_open})
    items = _clean_items(items)
    code, name = _org_facts(provider_org_id)
    try:
        with transaction.atomic():
            resource = Resource.objects.create(provider_org_id=provider_org_id, provider_org_code=code,
                                               provider_org_name=name, is_demo=is_demo,
                                               **{k: v for k, v in data.items() if k in (*CORE_FIELDS, "classification")})
    except IntegrityError:
        raise ApiError(409, "conflict", "a resource with this code or short name exists", field="code") from None
    InfoItem.objects.bulk_create([InfoItem(resource=resource, position=i, **item) for i, item in enumerate(items)])
    index_resource(resource)
    audit.record("catalog.resource_create", actor=actor, obj=resource, organisation_id=provider_org_id,
                 detail={"code": resource.code, "sharing_type": resource.sharing_type})
    events.publish("catalog.resource_changed", {"code": resource.code, "created": True})
    return resource


@transaction.atomic
def update_resource(resource: Resource, data: dict, *, actor=None, items: list[dict] | None = None) -> Resource:
    if "open_type" in data and data["open_type"] == OpenType.OPEN and resource.open_type != OpenType.OPEN:
        raise _invalid("open_type", "open a resource to the public with the open action (it checks personal data)")
    data = validate_metadata(data, existing=resource)
    before = {k: getattr(resource, k) for k in data if k in (*CORE_FIELDS, "classification")}
    for key, value in data.items():
        if key in (*CORE_FIELDS, "classification"):
            setattr(resource, key, value)
    try:
        with transaction.atomic():
            resource.save()
    except IntegrityError:
        raise ApiError(409, "conflict", "a resource with this code or short name exists", field="code") from None
    if items is not None:
        if resource.current_version_id:
            raise _invalid("items", "information items cannot change once data is loaded; create a new resource")
        items = _clean_items(items)
        resource.items.all().delete()
        InfoItem.objects.bulk_create([InfoItem(resource=resource, position=i, **it) for i, it in enumerate(items)])
    index_resource(resource)
    audit.record("catalog.resource_update", actor=actor, obj=resource, organisation_id=resource.provider_org_id,
                 detail={"code": resource.code, "before": before, "after": {k: data[k] for k in before}})
    events.publish("catalog.resource_changed", {"code": resource.code, "created": False})
    return resource


def get_resource(code: str) -> Resource:
    resource = Resource.objects.filter(Q(code=code) | Q(slug=code)).first()
    if resource is None:
        raise ApiError(404, "not-found", f"no data resource {code!r}")
    return resource


def search(q: str = "", *, public: bool = True, domain: str | None = None, provider: str | None = None,
           sharing_type: str | None = None, open_type: str | None = None, fmt: str | None = None,
           tag: str | None = None, order: str = "score"):
    """A queryset of matching resources. ``public`` limits to what the portal shows.

    Every query word must match (AND); results are ranked by where the rarest query word occurs
    (title 3, keywords and provider 2, summary 1), then newest first.
    """
    qs = Resource.objects.all()
    terms = query_terms(q)
    if public and not terms:
        qs = qs.filter(open_type__in=PUBLIC_OPEN_TYPES)
    if domain:
        qs = qs.filter(domain=domain)
    if provider:
        qs = qs.filter(provider_org_code=provider)
    if sharing_type:
        qs = qs.filter(sharing_type=sharing_type)
    if open_type:
        qs = qs.filter(open_type=open_type)
    if fmt:
        qs = qs.filter(format=fmt)
    if tag:
        qs = qs.filter(tags__contains=[tag]) if _json_contains_supported() else qs.filter(tags__icontains=f'"{tag}"')
    if terms:
        # Drive the query from the rarest word's postings (index order = rank order), and check the
        # other words with EXISTS on (term, resource): cost follows the rarest word, not the catalogue.
        postings = SearchTerm.objects.filter(public=True) if public else SearchTerm.objects.all()
        counts = {t: postings.filter(term=t)[:RAREST_CAP].count() for t in terms}
        if min(counts.values()) == 0:
            return qs.none()
        rarest = min(terms, key=lambda t: (counts[t], terms.index(t)))
        qs = qs.filter(search_terms__term=rarest, **({"search_terms__public": True} if public else {}))
        for term in terms:
            if term != rarest:
                qs = qs.filter(Exists(SearchTerm.objects.filter(resource=OuterRef("pk"), term=term)))
        if order == "score":
            # Rank: where the rarest word occurs (title 3, keywords/provider 2, summary 1), then newest.
            qs = qs.order_by("-search_terms__weight", "-search_terms__resource_id")
        else:
            qs = qs.order_by(*_ORDERS.get(order, ("-modified_at", "-id")))
        if not any((domain, provider, sharing_type, open_type, fmt, tag)):
            hits = postings.filter(term=rarest)
            for term in terms:
                if term != rarest:
                    hits = hits.filter(Exists(SearchTerm.objects.filter(resource=OuterRef("resource_id"), term=term)))
            qs.fast_count = hits.count
        return qs
    return qs.order_by(*_ORDERS.get(order, ("-modified_at", "-id")))


_ORDERS = {"name": ("name", "id"), "-name": ("-name", "-id"), "modified": ("modified_at", "id"),
           "-modified": ("-modified_at", "-id"), "published": ("published_on", "id"),
           "-published": ("-published_on", "-id"), "score": ("-modified_at", "-id"), "code": ("code",)}


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


def today() -> date:
    from django.utils import timezone

    return timezone.localdate()
