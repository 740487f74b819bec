"""Alerts API (/api/v1/alerts/): rules CRUD, alerts list/detail, acknowledge, resolve, subscriptions.

Authorisation: ``alerts.view`` (staff) to read; ``alerts.handle`` on the alert's organisation to
acknowledge or resolve; ``alerts.manage_rules`` on the rule's organisation to manage rules and
subscriptions. Rows without an organisation (county-wide) are changed by platform administrators only.
"""

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from smartcounty.foundation.alerts import services
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


def _reader(request):
    """What the caller may see (``services.reader``: the rule alerts' pages and the cockpit use too)."""
    return services.reader(require(request, "alerts.view"))


# ---- rules ---------------------------------------------------------------------------------------


class RuleFilters(Schema):
    kind: str | None = None
    property: str | None = None
    enabled: bool | None = None


@router.get("/rules", response=list[RuleSchema])
@paginate(Pagination)
def list_rules(request, filters: Query[RuleFilters]):
    return services.rule_list(_reader(request), kind=filters.kind, property=filters.property,
                              enabled=filters.enabled)


@router.get("/rules/{rule_id}", response=RuleSchema)
def get_rule(request, rule_id: Id):
    return services.rule_detail(_reader(request), rule_id)


@router.post("/rules", response={201: RuleSchema})
def create_rule(request, data: RuleIn):
    user = require(request, "alerts.manage_rules")
    if data.organisation_id is None and not has_perm(request, "alerts.manage_rules", PLATFORM):
        data.organisation_id = user.organisation_id
    require(request, "alerts.manage_rules", org_or_platform(data.organisation_id))
    return Status(201, services.create_rule(data, actor=user))


@router.patch("/rules/{rule_id}", response=RuleSchema)
def update_rule(request, rule_id: Id, data: RulePatch):
    rule = services.rule_detail(_reader(request), rule_id)
    user = require(request, "alerts.manage_rules", org_or_platform(rule.organisation_id))
    return services.update_rule(rule.id, data, actor=user)


@router.delete("/rules/{rule_id}", response={204: None})
def delete_rule(request, rule_id: Id):
    rule = services.rule_detail(_reader(request), rule_id)
    user = require(request, "alerts.manage_rules", org_or_platform(rule.organisation_id))
    services.delete_rule(rule.id, actor=user)
    return Status(204, None)


# ---- alerts --------------------------------------------------------------------------------------


class AlertFilters(Schema):
    state: str | None = None
    level: int | None = Field(None, ge=1, le=4)
    property: str | None = None
    town: str | None = None
    since: datetime | None = None
    rule: Id | None = None


@router.get("/alerts", response=list[AlertSchema])
@paginate(Pagination)
def list_alerts(request, filters: Query[AlertFilters]):
    return services.alert_list(_reader(request), state=filters.state, level=filters.level,
                               property=filters.property, town=filters.town, since=filters.since, rule=filters.rule)


@router.get("/alerts/{alert_id}", response=AlertDetailSchema)
def get_alert(request, alert_id: Id):
    return services.alert_detail(_reader(request), alert_id)


def _handle(request, alert_id: Id):
    alert = services.alert_detail(_reader(request), alert_id)
    user = require(request, "alerts.handle", org_or_platform(alert.organisation_id))
    return alert, user


@router.post("/alerts/{alert_id}/acknowledge", response=AlertDetailSchema)
def acknowledge(request, alert_id: Id, data: NoteIn):
    alert, user = _handle(request, alert_id)
    services.acknowledge_alert(alert.id, actor=user, note=data.note)
    return services.alert_detail(services.EVERYONE, alert.id)


@router.post("/alerts/{alert_id}/resolve", response=AlertDetailSchema)
def resolve(request, alert_id: Id, data: NoteIn):
    alert, user = _handle(request, alert_id)
    services.resolve_alert(alert.id, actor=user, note=data.note)
    return services.alert_detail(services.EVERYONE, alert.id)


# ---- notification subscriptions ------------------------------------------------------------------


@router.get("/subscriptions", response=list[SubscriptionSchema])
@paginate(Pagination)
def list_subscriptions(request):
    user = require(request, "alerts.manage_rules")
    if has_perm(request, "alerts.manage_rules", PLATFORM):
        return services.subscription_list(all_orgs=True)
    return services.subscription_list(user.organisation_id)


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
    found, organisation_id = services.subscription_organisation(sub_id)
    if not found:
        raise ApiError(404, "not-found")
    user = require(request, "alerts.manage_rules", org_or_platform(organisation_id))
    services.delete_subscription(sub_id, actor=user)
    return Status(204, None)

