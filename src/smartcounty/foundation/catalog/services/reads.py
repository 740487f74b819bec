"""Reading shared data: who may read which fields and rows of a resource, which fields they see
masked, which they may query (filter, sort, search), and the audit of every read.

``access_for`` is the one decision every interface uses (the data API, the keyed open-data API,
CKAN's ``datastore_search``, the portal's preview and downloads): a field the reader sees masked
is never queryable by that reader, so no sequence of queries can tell apart two values that mask
alike.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from smartcounty.foundation.catalog.models import DataRow, Grant, InfoItem, Resource, SharingType
from smartcounty.kernel import audit, masking
from smartcounty.kernel.models import AuditEntry
from smartcounty.kernel.problems import ApiError

READ_ACTION = "catalog.read"
REFUSED_ACTION = "catalog.read_refused"
MAX_SEARCH = 200


@dataclass
class Access:
    """What a reader may see of a resource, and what they may query.

    ``masks`` (field → personal-data kind) names the fields this reader sees masked. The same
    decision says what may be queried: a field is queryable (filtered, sorted, searched) only when
    the reader sees it and sees it unmasked (``queryable``), else a sequence of queries could
    recover the value behind the mask (issue 20: a mobile number in 13 filtered requests).
    """

    fields: list[str]
    unmasked: set[str] = field(default_factory=set)
    row_filter: dict = field(default_factory=dict)
    grant: Grant | None = None
    basis: str = ""
    masks: dict[str, str] = field(default_factory=dict)

    def queryable(self, name: str) -> bool:
        return name in self.fields and name not in self.masks

    def check_queryable(self, name: str, param: str) -> None:
        """Raise ``UnqueryableField`` unless this reader may filter, sort or search on ``name``."""
        if name not in self.fields:
            raise UnqueryableField(name, param, gettext("Field %(field)s is not among the fields you may read; it "
                                                        "cannot be used in %(param)s.") % {"field": name,
                                                                                             "param": param})
        if name in self.masks:
            raise UnqueryableField(name, param, gettext("Field %(field)s is masked for you: it cannot be filtered, "
                                                        "sorted or searched (used in %(param)s).") % {
                "field": name, "param": param})


class UnqueryableField(ApiError):
    """A reader tried to filter, sort or search on a field they see masked or may not read (403)."""

    def __init__(self, name: str, param: str, detail: str):
        super().__init__(403, "forbidden", detail, field=name,
                         errors=[{"field": name, "in": param, "type": "not-queryable", "message": detail}])
        self.name, self.param = name, param


def active_grant(resource: Resource, org_id: int | None, *, now: datetime | None = None) -> Grant | None:
    if org_id is None:
        return None
    now = now or timezone.now()
    return (Grant.objects.filter(resource=resource, grantee_org_id=org_id, revoked_at__isnull=True,
                                 starts_on__lte=timezone.localdate(now), expires_at__gt=now)
            .order_by("-id").first())


def access_for(resource: Resource, *, org_id: int | None, public: bool = False) -> Access:
    """Decide access, masking and what may be queried; raise 403 when there is no access.

    The one rule for every interface (the data API, the open-data API, CKAN, pages, downloads):
    personal fields are masked unless the reader is the provider or holds a grant that lists the
    field unmasked, and a masked field is never queryable by that reader.
    """
    items = list(resource.items.all())
    names = [i.name for i in items]
    personal = {i.name: i.personal for i in items if i.personal}
    if public:
        if resource.open_type != "open":
            raise ApiError(403, "forbidden", "the data of this resource is not open to the public")
        return Access(fields=names, basis="open", masks=dict(personal))
    if org_id is None:
        raise ApiError(403, "forbidden", "shared data is read by government organisations; sign in as a member of one")
    if org_id == resource.provider_org_id:
        return Access(fields=names, unmasked=set(names), basis="provider")
    if resource.sharing_type == SharingType.NONE:
        raise ApiError(403, "forbidden", "this resource is not shared (不予共享)", field="sharing_type")
    grant = active_grant(resource, org_id)
    if grant is not None:
        fields = [n for n in names if not grant.fields or n in grant.fields]
        unmasked = set(grant.unmasked_fields) & set(fields)
        return Access(fields=fields, unmasked=unmasked, row_filter=dict(grant.row_filter or {}), grant=grant,
                      basis="grant", masks={n: k for n, k in personal.items() if n in fields and n not in unmasked})
    if resource.sharing_type == SharingType.UNCONDITIONAL:
        return Access(fields=names, basis="unconditional", masks=dict(personal))
    raise ApiError(403, "forbidden", "this resource is shared on conditions: request access and wait for a grant",
                   field="grant")


def _typed(item: InfoItem, value):
    if item.data_type == InfoItem.DataType.INTEGER:
        return int(value)
    if item.data_type == InfoItem.DataType.NUMBER:
        return float(value)
    if item.data_type == InfoItem.DataType.BOOLEAN:
        return str(value).lower() in ("true", "1", "yes", "是")
    return str(value)


def _filtered(qs, items: dict, filters: dict):
    for name, value in filters.items():
        item = items.get(name)
        if item is None:
            raise ApiError(422, "invalid", f"unknown field {name!r}", field=name)
        try:
            if isinstance(value, (list, tuple)):
                qs = qs.filter(**{f"data__{name}__in": [_typed(item, v) for v in value]})
            else:
                qs = qs.filter(**{f"data__{name}": _typed(item, value)})
        except ValueError:
            raise ApiError(422, "invalid", f"{value!r} does not fit field {name!r}", field=name) from None
    return qs


@dataclass
class ReadResult:
    resource: Resource
    fields: list[str]
    masked: list[str]
    rows: list[dict]
    total: int
    version: int | None
    basis: str
    grant_id: int | None


def row_masker(fields: list[str], masks: dict[str, str]):
    """A function that picks ``fields`` of a row and masks those in ``masks`` (field → kind)."""
    plan = [(n, masking.masker(masks[n]) if n in masks else None) for n in fields]

    def apply(row: dict) -> dict:
        out = {}
        for name, fn in plan:
            value = row.get(name)
            out[name] = fn(value) if fn is not None and value is not None else value
        return out

    return apply


def mask_row(row: dict, fields: list[str], masks: dict[str, str]) -> dict:
    return row_masker(fields, masks)(row)


def record_refused_read(resource_code: str, *, actor, org_id: int | None = None, channel: str = "api",
                        reason: str = "", field: str | None = None) -> None:
    """Audit a refused read of a resource's data (``catalog.read_refused``)."""
    detail = {"resource": resource_code, "channel": channel, "reason": reason}
    if field:
        detail["field"] = field
    audit.record(REFUSED_ACTION, actor=actor, object_type="catalog.resource", object_id=resource_code,
                 organisation_id=org_id, detail=detail)


def _audit_refusal(resource, refusal: ApiError, *, actor, org_id, channel) -> None:
    record_refused_read(resource.code, actor=actor, org_id=org_id, channel=channel,
                        reason=refusal.detail or refusal.code, field=refusal.field)


def _query_plan(access: Access, items: dict, filters: dict, sort: str | None, search):
    """Check every field the caller's query touches against ``access``; return (ordering, search Q).
    ``sort`` is a field or several, comma-separated, each ``-field`` for descending."""
    for name in filters:
        if name not in items:
            raise ApiError(422, "invalid", f"unknown field {name!r}", field=name)
        access.check_queryable(name, "filters")
    order = []
    for part in (sort or "").split(","):
        part = part.strip()
        if not part:
            continue
        key = part.lstrip("-")
        if key not in items:
            raise ApiError(422, "invalid", f"cannot sort by {key!r}", field="sort")
        access.check_queryable(key, "sort")
        order.append(f"{'-' if part.startswith('-') else ''}data__{key}")
    cond = None
    if search is not None and not isinstance(search, (str, dict)):
        raise ApiError(422, "invalid", "q is a text or an object of field: text", field="q")
    if isinstance(search, dict):
        cond = Q()
        for name, text in search.items():
            if name not in items:
                raise ApiError(422, "invalid", f"unknown field {name!r}", field="q")
            access.check_queryable(name, "q")
            cond &= Q(**{f"data__{name}__icontains": str(text)[:MAX_SEARCH]})
    elif search:
        # Full text: the fields this reader may query (never a masked one); none, then nothing matches.
        text = str(search)[:MAX_SEARCH]
        names = [n for n in access.fields if access.queryable(n) and items[n].data_type == InfoItem.DataType.STRING]
        cond = Q(pk__in=[])
        for name in names:
            cond |= Q(**{f"data__{name}__icontains": text})
    return order, cond


def read_rows(resource: Resource, *, org_id: int | None = None, actor=None, public: bool = False,
              fields: list[str] | None = None, filters: dict | None = None, limit: int = 100, offset: int = 0,
              sort: str | None = None, search: str | dict | None = None, channel: str = "api",
              audit_read: bool = True, count: bool = True, with_numbers: bool = False) -> ReadResult:
    """Rows of the current version as this reader may see them, masked, with the read audited.

    ``filters`` (field: value or list of values), ``sort`` (field, ``-field`` descending; several
    comma-separated) and
    ``search`` (a text searched in the fields the reader may query, or field: text) may only touch
    fields the reader sees unmasked (``Access.queryable``); anything else is refused with 403 and
    audited as a refused read. The audit row (who, resource, fields, rows returned, grant, filters,
    channel) is written in the same transaction as the read; a public read of open data is
    counted, not audited.
    """
    # Every refusal of a signed-in reader is audited (a resident's through the public channels too);
    # an anonymous caller refused open data is not (nobody to name, and it would flood the log).
    refusal_audited = audit_read and (not public or actor is not None)
    audited = audit_read and not public
    try:
        access = access_for(resource, org_id=org_id, public=public)
    except ApiError as refusal:
        if refusal_audited:
            _audit_refusal(resource, refusal, actor=actor, org_id=org_id, channel=channel)
        raise
    items = {i.name: i for i in resource.items.all()}
    if fields:
        unknown = [f for f in fields if f not in items]
        if unknown:
            raise ApiError(422, "invalid", f"unknown field {unknown[0]!r}", field="fields")
        refused = [f for f in fields if f not in access.fields]
        if refused:
            raise ApiError(403, "forbidden", f"the grant does not include field {refused[0]!r}", field="fields")
        chosen = list(fields)
    else:
        chosen = list(access.fields)
    user_filters = dict(filters or {})
    try:
        order, search_cond = _query_plan(access, items, user_filters, sort, search)
    except UnqueryableField as refusal:
        if refusal_audited:
            _audit_refusal(resource, refusal, actor=actor, org_id=org_id, channel=channel)
        raise
    masks = {n: access.masks[n] for n in chosen if n in access.masks}
    version = resource.current_version
    limit = max(0, min(int(limit), 10_000 if not public else 1000))
    offset = max(0, int(offset))
    with transaction.atomic():
        if version is None:
            rows, total = [], 0
        else:
            qs = DataRow.objects.filter(version_id=version.pk)
            qs = _filtered(qs, items, access.row_filter)
            if user_filters:
                qs = _filtered(qs, items, user_filters)
            if search_cond is not None:
                qs = qs.filter(search_cond)
            plain = not access.row_filter and not user_filters and search_cond is None
            total = version.row_count if plain else (qs.count() if count else -1)
            if order:
                page = qs.order_by(*order, "number")[offset:offset + limit]
            elif plain:
                page = qs.filter(number__gt=offset).order_by("number")[:limit]
            else:
                page = qs.order_by("number")[offset:offset + limit]
            apply = row_masker(chosen, masks)
            if with_numbers:
                rows = [{"_id": number, **apply(data)} for number, data in page.values_list("number", "data")]
            else:
                rows = [apply(data) for data in page.values_list("data", flat=True)]
        if audited:
            audit.record(READ_ACTION, actor=actor, object_type="catalog.resource", object_id=resource.code,
                         organisation_id=org_id,
                         detail={"resource": resource.code, "provider": resource.provider_org_code,
                                 "fields": chosen, "masked": sorted(masks), "rows": len(rows),
                                 "version": version.number if version else None, "basis": access.basis,
                                 "grant": access.grant.pk if access.grant else None,
                                 "filters": filters or {}, "sort": sort or "", "q": search or "",
                                 "channel": channel})
    return ReadResult(resource, chosen, sorted(masks), rows, total, version.number if version else None,
                      access.basis, access.grant.pk if access.grant else None)


def reads_of(resource_codes: list[str]):
    """Audit rows of reads of these resources (newest first): the provider's view of who read its data."""
    return AuditEntry.objects.filter(action=READ_ACTION, object_type="catalog.resource",
                                     object_id__in=list(resource_codes)).order_by("-id")
