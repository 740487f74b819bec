"""The sharing exchange: who may read which fields and rows of a resource, masking, and the audit
of every read; sharing requests with a 10-working-day decision limit, grants, revocation.

国发〔2016〕51号 and Shandong's rules: a provider answers a 有条件共享 request within 10 working
days (docs/standards-cn.md §6). Working days here are Monday to Friday; the State Council's
holiday and make-up-day calendar is not modelled, so a due date around a holiday is early, never late.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from smartcounty.foundation.cases import services as cases_services
from smartcounty.foundation.catalog.models import (
    DataRow,
    Grant,
    InfoItem,
    Resource,
    SharingRequest,
    SharingType,
)
from smartcounty.kernel import audit, events, masking
from smartcounty.kernel.models import AuditEntry
from smartcounty.kernel.problems import ApiError

DECISION_WORKING_DAYS = 10
READ_ACTION = "catalog.read"
REFUSED_ACTION = "catalog.read_refused"


def add_working_days(start: date, days: int) -> date:
    """``days`` working days after ``start``, on the county's calendar (public holidays and make-up
    working days included; the calendar is kept by the cases module)."""
    is_working_day = cases_services.calendar().is_working_day
    d = start
    while days > 0:
        d += timedelta(days=1)
        if is_working_day(d):
            days -= 1
    return d


@dataclass
class Access:
    """What a reader may see of a resource."""

    fields: list[str]
    unmasked: set[str] = field(default_factory=set)
    row_filter: dict = field(default_factory=dict)
    grant: Grant | None = None
    basis: str = ""


def active_grant(resource: Resource, org_id: int | None, *, now: datetime | None = None) -> Grant | None:
    if org_id is None:
        return None
    now = now or timezone.now()
    return (Grant.objects.filter(resource=resource, grantee_org_id=org_id, revoked_at__isnull=True,
                                 starts_on__lte=timezone.localdate(now), expires_at__gt=now)
            .order_by("-id").first())


def access_for(resource: Resource, *, org_id: int | None, public: bool = False) -> Access:
    """Decide access; raise 403 ``not-shared`` / ``no-grant`` when there is none."""
    names = [i.name for i in resource.items.all()]
    if public:
        if resource.open_type != "open":
            raise ApiError(403, "forbidden", "the data of this resource is not open to the public")
        return Access(fields=names, basis="open")
    if org_id is None:
        raise ApiError(403, "forbidden", "shared data is read by government organisations; sign in as a member of one")
    if org_id == resource.provider_org_id:
        return Access(fields=names, unmasked=set(names), basis="provider")
    if resource.sharing_type == SharingType.NONE:
        raise ApiError(403, "forbidden", "this resource is not shared (不予共享)", field="sharing_type")
    grant = active_grant(resource, org_id)
    if grant is not None:
        fields = [n for n in names if not grant.fields or n in grant.fields]
        return Access(fields=fields, unmasked=set(grant.unmasked_fields) & set(fields),
                      row_filter=dict(grant.row_filter or {}), grant=grant, basis="grant")
    if resource.sharing_type == SharingType.UNCONDITIONAL:
        return Access(fields=names, basis="unconditional")
    raise ApiError(403, "forbidden", "this resource is shared on conditions: request access and wait for a grant",
                   field="grant")


def record_refused_read(resource_code: str, *, actor, org_id: int | None = None, channel: str = "api",
                        reason: str = "") -> None:
    """Audit a refused read of a resource's data (``catalog.read_refused``)."""
    audit.record(REFUSED_ACTION, actor=actor, object_type="catalog.resource", object_id=resource_code,
                 organisation_id=org_id, detail={"resource": resource_code, "channel": channel, "reason": reason})


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


def read_rows(resource: Resource, *, org_id: int | None = None, actor=None, public: bool = False,
              fields: list[str] | None = None, filters: dict | None = None, limit: int = 100, offset: int = 0,
              sort: str | None = None, channel: str = "api", audit_read: bool = True, count: bool = True,
              with_numbers: bool = False) -> ReadResult:
    """Rows of the current version as this reader may see them, masked, with the read audited.

    The audit row (who, resource, fields, rows returned, grant, filters, channel) is written in
    the same transaction as the read; a public read of open data is counted, not audited.
    """
    try:
        access = access_for(resource, org_id=org_id, public=public)
    except ApiError as refusal:
        # Every refusal of a signed-in reader is audited (a resident's through the public channels too);
        # an anonymous caller refused open data is not (nobody to name, and it would flood the log).
        if audit_read and (not public or actor is not None):
            record_refused_read(resource.code, actor=actor, org_id=org_id, channel=channel,
                                reason=refusal.detail or refusal.code)
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
    masks = {n: items[n].personal for n in chosen if items[n].personal and n not in access.unmasked}
    version = resource.current_version
    limit = max(0, min(int(limit), 10_000 if not public else 1000))
    offset = max(0, int(offset))
    with transaction.atomic():
        if version is None:
            rows, total = [], 0
        else:
            qs = DataRow.objects.filter(version_id=version.pk)
            qs = _filtered(qs, items, access.row_filter)
            user_filters = dict(filters or {})
            if user_filters:
                qs = _filtered(qs, items, user_filters)
            plain = not access.row_filter and not user_filters
            total = version.row_count if plain else (qs.count() if count else -1)
            if sort:
                desc = sort.startswith("-")
                key = sort.lstrip("-")
                if key not in access.fields:
                    raise ApiError(422, "invalid", f"cannot sort by {key!r}", field="sort")
                qs = qs.order_by(f"{'-' if desc else ''}data__{key}", "number")
                page = qs[offset:offset + limit]
            elif plain:
                page = qs.filter(number__gt=offset).order_by("number")[:limit]
            else:
                page = qs.order_by("number")[offset:offset + limit]
            apply = row_masker(chosen, masks)
            if with_numbers:
                rows = [{"_id": number, **apply(data)} for number, data in page.values_list("number", "data")]
            else:
                rows = [apply(data) for data in page.values_list("data", flat=True)]
        if audit_read and not public:
            audit.record(READ_ACTION, actor=actor, object_type="catalog.resource", object_id=resource.code,
                         organisation_id=org_id,
                         detail={"resource": resource.code, "provider": resource.provider_org_code,
                                 "fields": chosen, "masked": sorted(masks), "rows": len(rows),
                                 "version": version.number if version else None, "basis": access.basis,
                                 "grant": access.grant.pk if access.grant else None,
                                 "filters": filters or {}, "channel": channel})
    return ReadResult(resource, chosen, sorted(masks), rows, total, version.number if version else None,
                      access.basis, access.grant.pk if access.grant else None)


def reads_of(resource_codes: list[str]):
    """Audit rows of reads of these resources (newest first): the provider's view of who read its data."""
    return AuditEntry.objects.filter(action=READ_ACTION, object_type="catalog.resource",
                                     object_id__in=list(resource_codes)).order_by("-id")


# -- requests and grants ------------------------------------------------------------------------

def _check_fields(resource: Resource, names, what: str) -> list[str]:
    known = set(resource.items.values_list("name", flat=True))
    names = list(dict.fromkeys(names or []))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ApiError(422, "invalid", f"unknown field {unknown[0]!r}", field=what)
    return names


@transaction.atomic
def submit_request(resource: Resource, *, org_id: int, org_code: str, user, purpose: str, fields: list[str],
                   unmasked_fields: list[str] | None = None, period_start: date, period_end: date) -> SharingRequest:
    if resource.sharing_type == SharingType.NONE:
        raise ApiError(409, "conflict", "this resource is not shared (不予共享); requests are not accepted",
                       field="sharing_type")
    if resource.provider_org_id == org_id:
        raise ApiError(409, "conflict", "an organisation does not request its own data", field="resource")
    if not (purpose or "").strip():
        raise ApiError(422, "invalid", "state the purpose", field="purpose")
    fields = _check_fields(resource, fields, "fields")
    if not fields:
        raise ApiError(422, "invalid", "name the fields you need", field="fields")
    unmasked = _check_fields(resource, unmasked_fields, "unmasked_fields")
    if set(unmasked) - set(fields):
        raise ApiError(422, "invalid", "unmasked fields must be among the requested fields", field="unmasked_fields")
    if period_end < period_start:
        raise ApiError(422, "invalid", "the period ends before it starts", field="period_end")
    if period_end > period_start + timedelta(days=3 * 366):
        raise ApiError(422, "invalid", "a grant lasts at most three years", field="period_end")
    today = timezone.localdate()
    req = SharingRequest.objects.create(
        resource=resource, requester_org_id=org_id, requester_org_code=org_code, requested_by=user,
        purpose=purpose.strip(), fields=fields, unmasked_fields=unmasked, period_start=period_start,
        period_end=period_end, due_on=add_working_days(today, DECISION_WORKING_DAYS))
    audit.record("catalog.request_submit", actor=user, obj=req, organisation_id=org_id,
                 detail={"resource": resource.code, "fields": fields, "unmasked": unmasked,
                         "period": [str(period_start), str(period_end)], "due_on": str(req.due_on)})
    events.publish("catalog.request_submitted", {"request": req.pk, "resource": resource.code,
                                                 "provider_org_id": resource.provider_org_id,
                                                 "due_on": str(req.due_on)})
    return req


def _end_of_day(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d + timedelta(days=1), time.min))


@transaction.atomic
def decide_request(req: SharingRequest, *, user, approve: bool, note: str = "", fields: list[str] | None = None,
                   unmasked_fields: list[str] | None = None, row_filter: dict | None = None,
                   expires_on: date | None = None) -> Grant | None:
    """The provider approves (a grant within what was asked) or rejects a pending request."""
    req = SharingRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != SharingRequest.Status.PENDING:
        raise ApiError(409, "conflict", f"the request is already {req.status}", field="status")
    resource = req.resource
    grant = None
    now = timezone.now()
    if approve:
        fields = _check_fields(resource, fields if fields is not None else req.fields, "fields")
        if set(fields) - set(req.fields) or not fields:
            raise ApiError(422, "invalid", "a grant covers some or all of the requested fields", field="fields")
        unmasked = _check_fields(resource, unmasked_fields if unmasked_fields is not None else req.unmasked_fields,
                                 "unmasked_fields")
        if set(unmasked) - set(req.unmasked_fields) or set(unmasked) - set(fields):
            raise ApiError(422, "invalid", "unmasked fields must have been requested unmasked", field="unmasked_fields")
        row_filter = dict(row_filter or {})
        _check_fields(resource, list(row_filter), "row_filter")
        until = expires_on or req.period_end
        if until > req.period_end:
            raise ApiError(422, "invalid", "a grant cannot outlast the requested period", field="expires_on")
        grant = Grant.objects.create(resource=resource, request=req, grantee_org_id=req.requester_org_id,
                                     grantee_org_code=req.requester_org_code, fields=fields, unmasked_fields=unmasked,
                                     row_filter=row_filter, starts_on=req.period_start, expires_at=_end_of_day(until),
                                     created_by=user)
    req.status = SharingRequest.Status.APPROVED if approve else SharingRequest.Status.REJECTED
    req.decided_at = now
    req.decided_by = user
    req.decision_note = note
    req.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    audit.record("catalog.request_decide", actor=user, obj=req, organisation_id=resource.provider_org_id,
                 detail={"resource": resource.code, "approved": approve, "grant": grant.pk if grant else None,
                         "on_time": timezone.localdate(now) <= req.due_on,
                         "fields": grant.fields if grant else [], "unmasked": grant.unmasked_fields if grant else [],
                         "row_filter": grant.row_filter if grant else {}})
    events.publish("catalog.request_decided", {"request": req.pk, "resource": resource.code, "approved": approve,
                                               "requester_org_id": req.requester_org_id})
    return grant


@transaction.atomic
def revoke_grant(grant: Grant, *, user, reason: str = "") -> Grant:
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.revoked_by = user
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit.record("catalog.grant_revoke", actor=user, obj=grant, organisation_id=grant.resource.provider_org_id,
                     detail={"resource": grant.resource.code, "grantee": grant.grantee_org_code, "reason": reason})
        events.publish("catalog.grant_revoked", {"grant": grant.pk, "resource": grant.resource.code,
                                                 "grantee_org_id": grant.grantee_org_id})
    return grant


def escalate_overdue(today: date | None = None) -> list[int]:
    """Mark pending requests past their due date as escalated (once), audit and announce them."""
    today = today or timezone.localdate()
    done = []
    with transaction.atomic():
        late = list(SharingRequest.objects.select_related("resource")
                    .filter(status=SharingRequest.Status.PENDING, due_on__lt=today, escalated_at__isnull=True))
        for req in late:
            req.escalated_at = timezone.now()
            req.save(update_fields=["escalated_at"])
            audit.record("catalog.request_overdue", obj=req, organisation_id=req.resource.provider_org_id,
                         detail={"resource": req.resource.code, "due_on": str(req.due_on),
                                 "requester": req.requester_org_code})
            events.publish("catalog.request_overdue", {"request": req.pk, "resource": req.resource.code,
                                                       "provider_org_id": req.resource.provider_org_id,
                                                       "due_on": str(req.due_on)})
            done.append(req.pk)
    return done


def requests_for(org_id: int | None, *, role: str = "any"):
    """Requests an organisation made (``role='requester'``), received (``'provider'``) or both."""
    qs = SharingRequest.objects.select_related("resource")
    if org_id is None:
        return qs
    if role == "requester":
        return qs.filter(requester_org_id=org_id)
    if role == "provider":
        return qs.filter(resource__provider_org_id=org_id)
    return qs.filter(Q(requester_org_id=org_id) | Q(resource__provider_org_id=org_id))
