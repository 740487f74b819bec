"""Alerts API (/api/v1/alerts/): rules CRUD, alerts list/detail, acknowledge, resolve, subscriptions.

Authorisation: ``alerts.view`` (staff) to read; ``alerts.handle`` on the alert's organisation to
acknowledge or resolve; ``alerts.manage_rules`` on the rule's organisation to manage rules and
subscriptions. Rows without an organisation (county-wide) are changed by platform administrators only.
"""

from datetime import datetime

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from smartcounty.foundation.alerts import services
from smartcounty.foundation.alerts.models import Alert, Rule, Subscription
from smartcounty.foundation.alerts.schemas import (
    AlertDetailSchema,
    AlertSchema,
    NoteIn,
    RuleIn,
    RulePatch,
    RuleSchema,
    SubscriptionIn,
    SubscriptionSchema,
)
from smartcounty.kernel.api import Id, Pagination
from smartcounty.kernel.authz import has_perm, require
from smartcounty.kernel.problems import ApiError

router = Router(tags=["alerts"])

#: No organisation has id 0: asking for a permission "on organisation 0" is true for platform admins only.
PLATFORM = 0


def org_or_platform(organisation_id: int | None) -> int:
    return PLATFORM if organisation_id is None else organisation_id


def visible_alerts(request):
    """Platform administrators see every alert; staff see their organisation's and county-wide ones."""
    user = require(request, "alerts.view")
    qs = Alert.objects.all()
    if not has_perm(request, "alerts.view", PLATFORM):
        qs = qs.filter(Q(organisation_id=user.organisation_id) | Q(organisation_id__isnull=True))
    return qs


def visible_rules(request):
    user = require(request, "alerts.view")
    qs = Rule.objects.all()
    if not has_perm(request, "alerts.view", PLATFORM):
        qs = qs.filter(Q(organisation_id=user.organisation_id) | Q(organisation_id__isnull=True))
    return qs


# ---- rules ---------------------------------------------------------------------------------------


class RuleFilters(Schema):
    kind: str | None = None
    property: str | None = None
    enabled: bool | None = None


@router.get("/rules", response=list[RuleSchema])
@paginate(Pagination)
def list_rules(request, filters: Query[RuleFilters]):
    qs = visible_rules(request)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.property:
        qs = qs.filter(property=filters.property)
    if filters.enabled is not None:
        qs = qs.filter(enabled=filters.enabled)
    return qs


@router.get("/rules/{rule_id}", response=RuleSchema)
def get_rule(request, rule_id: Id):
    return get_object_or_404(visible_rules(request), pk=rule_id)


@router.post("/rules", response={201: RuleSchema})
def create_rule(request, data: RuleIn):
    user = require(request, "alerts.manage_rules")
    if data.organisation_id is None and not has_perm(request, "alerts.manage_rules", PLATFORM):
        data.organisation_id = user.organisation_id
    require(request, "alerts.manage_rules", org_or_platform(data.organisation_id))
    return Status(201, services.create_rule(data, actor=user))


@router.patch("/rules/{rule_id}", response=RuleSchema)
def update_rule(request, rule_id: Id, data: RulePatch):
    rule = get_object_or_404(visible_rules(request), pk=rule_id)
    user = require(request, "alerts.manage_rules", org_or_platform(rule.organisation_id))
    return services.update_rule(rule, data, actor=user)


@router.delete("/rules/{rule_id}", response={204: None})
def delete_rule(request, rule_id: Id):
    rule = get_object_or_404(visible_rules(request), pk=rule_id)
    user = require(request, "alerts.manage_rules", org_or_platform(rule.organisation_id))
    services.delete_rule(rule, actor=user)
    return Status(204, None)


# ---- alerts --------------------------------------------------------------------------------------


class AlertFilters(Schema):
    state: str | None = None
    level: int | None = Field(None, ge=1, le=4)
    property: str | None = None
    town: str | None = None
    since: datetime | None = None
    rule: Id | None = None


STATE_FILTERS = {"open": list(Alert.OPEN_STATES), **{s: [s] for s in Alert.State.values}}


@router.get("/alerts", response=list[AlertSchema])
@paginate(Pagination)
def list_alerts(request, filters: Query[AlertFilters]):
    qs = visible_alerts(request)
    if filters.state:
        if filters.state not in STATE_FILTERS:
            raise ApiError(422, "invalid", "state is open, raised, acknowledged or resolved", field="state")
        qs = qs.filter(state__in=STATE_FILTERS[filters.state])
    if filters.level is not None:
        if not 1 <= filters.level <= 4:
            raise ApiError(422, "invalid", "level is 1 to 4", field="level")
        qs = qs.filter(level=filters.level)
    if filters.property:
        qs = qs.filter(property=filters.property)
    if filters.town:
        qs = qs.filter(town=filters.town)
    if filters.since:
        qs = qs.filter(raised_at__gte=filters.since)
    if filters.rule:
        qs = qs.filter(rule_id=filters.rule)
    return qs.order_by("-raised_at", "-id")


def _detail(alert: Alert) -> dict:
    data = AlertSchema.from_orm(alert).dict()
    data["detail"] = alert.detail
    data["history"] = list(alert.history.all())
    return data


@router.get("/alerts/{alert_id}", response=AlertDetailSchema)
def get_alert(request, alert_id: Id):
    return _detail(get_object_or_404(visible_alerts(request), pk=alert_id))


def _handle(request, alert_id: Id):
    alert = get_object_or_404(visible_alerts(request), pk=alert_id)
    user = require(request, "alerts.handle", org_or_platform(alert.organisation_id))
    return alert, user


@router.post("/alerts/{alert_id}/acknowledge", response=AlertDetailSchema)
def acknowledge(request, alert_id: Id, data: NoteIn):
    alert, user = _handle(request, alert_id)
    services.acknowledge_alert(alert.id, actor=user, note=data.note)
    return _detail(Alert.objects.get(pk=alert.id))


@router.post("/alerts/{alert_id}/resolve", response=AlertDetailSchema)
def resolve(request, alert_id: Id, data: NoteIn):
    alert, user = _handle(request, alert_id)
    services.resolve_alert(alert.id, actor=user, note=data.note)
    return _detail(Alert.objects.get(pk=alert.id))


# ---- notification subscriptions ------------------------------------------------------------------


@router.get("/subscriptions", response=list[SubscriptionSchema])
@paginate(Pagination)
def list_subscriptions(request):
    user = require(request, "alerts.manage_rules")
    qs = Subscription.objects.all()
    if not has_perm(request, "alerts.manage_rules", PLATFORM):
        qs = qs.filter(organisation_id=user.organisation_id)
    return qs


@router.post("/subscriptions", response={201: SubscriptionSchema})
def create_subscription(request, data: SubscriptionIn):
    user = require(request, "alerts.manage_rules")
    if data.organisation_id is None and not has_perm(request, "alerts.manage_rules", PLATFORM):
        data.organisation_id = user.organisation_id
    require(request, "alerts.manage_rules", org_or_platform(data.organisation_id))
    return Status(201, services.create_subscription(data, actor=user))


@router.delete("/subscriptions/{sub_id}", response={204: None})
def delete_subscription(request, sub_id: Id):
    require(request, "alerts.manage_rules")
    sub = get_object_or_404(Subscription, pk=sub_id)
    user = require(request, "alerts.manage_rules", org_or_platform(sub.organisation_id))
    services.delete_subscription(sub, actor=user)
    return Status(204, None)

