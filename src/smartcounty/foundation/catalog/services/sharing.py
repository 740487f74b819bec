"""The sharing exchange: sharing requests with a 10-working-day decision limit, grants,
revocation. Who may read (and query) which fields and rows, masking and the audit of every read
are in ``reads`` (re-exported here).

国发〔2016〕51号 and Shandong's rules: a provider answers a 有条件共享 request within 10 working
days (docs/standards-cn.md §6). Working days here are Monday to Friday; the State Council's
holiday and make-up-day calendar is not modelled, so a due date around a holiday is early, never late.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from smartcounty.foundation.cases import services as cases_services
from smartcounty.foundation.catalog.models import Grant, Resource, SharingRequest, SharingType
from smartcounty.foundation.catalog.services.reads import (  # noqa: F401
    READ_ACTION,
    REFUSED_ACTION,
    Access,
    ReadResult,
    UnqueryableField,
    access_for,
    active_grant,
    mask_row,
    read_rows,
    reads_of,
    record_refused_read,
    row_masker,
)
from smartcounty.kernel import audit, events
from smartcounty.kernel.problems import ApiError

DECISION_WORKING_DAYS = 10


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


def pending_for_provider(org_id: int, *, limit: int = 50) -> list[dict]:
    """Sharing requests waiting for a providing organisation's decision, soonest due first, as plain dicts:
    id, resource_name, requester_org_code, due_on, submitted_at (the cockpit's work list)."""
    rows = (requests_for(org_id, role="provider").filter(status="pending").order_by("due_on", "id")
            .values("id", "resource__name", "requester_org_code", "due_on", "submitted_at")[:limit])
    return [{"id": r["id"], "resource_name": r["resource__name"], "requester_org_code": r["requester_org_code"],
             "due_on": r["due_on"], "submitted_at": r["submitted_at"]} for r in rows]
