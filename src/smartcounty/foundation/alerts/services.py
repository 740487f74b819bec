"""Alerts services other modules call: raise, update, acknowledge and resolve alerts; manage rules.

Every transition writes a history row and publishes ``alerts.raised`` / ``alerts.changed`` /
``alerts.resolved`` (payload ``schemas.AlertFact``) after commit. Staff actions and rule changes are
audited in the same transaction.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import ValidationError

from smartcounty.foundation.alerts import reads as _reads
from smartcounty.foundation.alerts.models import Alert, AlertEvent, Rule
from smartcounty.foundation.alerts.schemas import EVERYONE, AlertFact, AlertOut, Reader, RuleIn, RulePatch  # noqa: F401
from smartcounty.kernel import audit, events, process, registry
from smartcounty.kernel.problems import ApiError

EVENT_NAMES = {
    AlertEvent.Kind.RAISED: "alerts.raised",
    AlertEvent.Kind.LEVEL: "alerts.changed",
    AlertEvent.Kind.ACKNOWLEDGED: "alerts.changed",
    AlertEvent.Kind.RESOLVED: "alerts.resolved",
}


def fact(alert: Alert, ev: AlertEvent) -> AlertFact:
    return AlertFact(
        event_id=ev.id, alert_id=alert.id, event=ev.kind, state=alert.state, level=alert.level,
        previous_level=ev.from_level, rule_id=alert.rule_id, source=alert.source, key=alert.key, title=alert.title,
        property=alert.property, thing_id=alert.thing_id, datastream_id=alert.datastream_id, town=alert.town or None,
        grid=alert.grid or None, organisation_id=alert.organisation_id, value=ev.value, at=ev.at,
        actor_id=ev.actor_id, public=alert.public,
    )


def publish_transitions(pairs) -> None:
    """Publish one event per (alert, history row), after the surrounding transaction commits."""
    for alert, ev in pairs:
        events.publish(EVENT_NAMES[ev.kind], fact(alert, ev))


def _out(alert: Alert, created: bool = False) -> AlertOut:
    return AlertOut(alert.id, alert.state, alert.level, created)


def _check_level(level: int) -> int:
    if not isinstance(level, int) or not 1 <= level <= 4:
        raise ApiError(422, "invalid", "level must be 1 (blue) to 4 (red)", field="level")
    return level


def _locked(alert_id: int) -> Alert:
    try:
        return Alert.objects.select_for_update().get(pk=alert_id)
    except Alert.DoesNotExist:
        raise ApiError(404, "not-found") from None


def raise_alert(*, source: str, key: str, title: str, level: int, property: str = "", thing_id: int | None = None,
                datastream_id: int | None = None, town: str | None = None, grid: str | None = None,
                organisation_id: int | None = None, value: float | None = None, at: datetime | None = None,
                detail: dict | None = None, public: bool = False) -> AlertOut:
    """Raise an alert not produced by a rule (e.g. environment's heavy-pollution warning). One open alert per
    (source, key): raising again updates the open one's level and value instead (``created`` False).
    ``public``: a warning residents should see (weather, flood, pollution); otherwise it stays with staff."""
    if not source or source == "rule":
        raise ApiError(422, "invalid", "source must be the calling module's label", field="source")
    if not key:
        raise ApiError(422, "invalid", "key is required", field="key")
    _check_level(level)
    at = at or timezone.now()
    with process.write_transaction():
        current = Alert.objects.select_for_update().filter(
            source=source, key=key, state__in=Alert.OPEN_STATES).first()
        if current is not None:
            return update_alert(current.id, level=level, value=value, at=at)
        alert = Alert(source=source, key=key, title=title[:200], level=level, property=property, thing_id=thing_id,
                      datastream_id=datastream_id, town=town or "", grid=grid or "", organisation_id=organisation_id,
                      value=value, raised_at=at, detail=detail or {}, public=public)
        try:
            with transaction.atomic():
                alert.save(force_insert=True)
        except IntegrityError:  # raised concurrently by another caller: update that one
            current = Alert.objects.get(source=source, key=key, state__in=Alert.OPEN_STATES)
            return update_alert(current.id, level=level, value=value, at=at)
        ev = AlertEvent.objects.create(alert=alert, at=at, kind=AlertEvent.Kind.RAISED, to_state=alert.state,
                                       to_level=level, value=value)
        publish_transitions([(alert, ev)])
    return _out(alert, created=True)


def update_alert(alert_id: int, *, level: int | None = None, value: float | None = None, at: datetime | None = None,
                 actor=None, note: str = "") -> AlertOut:
    """Change an open alert's level (recorded as an upgrade or downgrade) and/or its latest value."""
    with process.write_transaction():
        alert = _locked(alert_id)
        if not alert.is_open:
            raise ApiError(409, "conflict", "the alert is resolved")
        fields = []
        if value is not None:
            alert.value = value
            fields.append("value")
        if level is not None and _check_level(level) != alert.level:
            ev = AlertEvent(alert=alert, at=at or timezone.now(), kind=AlertEvent.Kind.LEVEL, from_state=alert.state,
                            to_state=alert.state, from_level=alert.level, to_level=level, value=value,
                            actor=actor, note=note[:500])
            alert.level = level
            alert.save(update_fields=[*fields, "level", "updated_at"])
            ev.save()
            if actor is not None:
                audit.record("alerts.level", actor=actor, obj=alert, organisation_id=alert.organisation_id,
                             detail={"from": ev.from_level, "to": level})
            publish_transitions([(alert, ev)])
        elif fields:
            alert.save(update_fields=[*fields, "updated_at"])
    return _out(alert)


def acknowledge_alert(alert_id: int, *, actor, note: str = "") -> AlertOut:
    """Staff have seen it and are on it. Acknowledging an acknowledged alert changes nothing."""
    with process.write_transaction():
        alert = _locked(alert_id)
        if alert.state == Alert.State.RESOLVED:
            raise ApiError(409, "conflict", "the alert is resolved")
        if alert.state == Alert.State.ACKNOWLEDGED:
            return _out(alert)
        now = timezone.now()
        ev = AlertEvent(alert=alert, at=now, kind=AlertEvent.Kind.ACKNOWLEDGED, from_state=alert.state,
                        to_state=Alert.State.ACKNOWLEDGED, from_level=alert.level, to_level=alert.level,
                        value=alert.value, actor=actor, note=note[:500])
        alert.state, alert.acknowledged_at, alert.acknowledged_by = Alert.State.ACKNOWLEDGED, now, actor
        alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by", "updated_at"])
        ev.save()
        audit.record("alerts.acknowledge", actor=actor, obj=alert, organisation_id=alert.organisation_id,
                     detail={"note": note[:500]})
        publish_transitions([(alert, ev)])
    return _out(alert)


def resolve_alert(alert_id: int, *, actor=None, note: str = "", value: float | None = None,
                  at: datetime | None = None) -> AlertOut:
    """Close an alert: by staff (``actor``, audited) or by the system (the condition cleared)."""
    with process.write_transaction():
        alert = _locked(alert_id)
        if alert.state == Alert.State.RESOLVED:
            raise ApiError(409, "conflict", "the alert is already resolved")
        now = at or timezone.now()
        ev = AlertEvent(alert=alert, at=now, kind=AlertEvent.Kind.RESOLVED, from_state=alert.state,
                        to_state=Alert.State.RESOLVED, from_level=alert.level, to_level=alert.level,
                        value=value, actor=actor, note=note[:500])
        alert.state, alert.resolved_at, alert.resolved_by = Alert.State.RESOLVED, now, actor
        alert.save(update_fields=["state", "resolved_at", "resolved_by", "updated_at"])
        ev.save()
        if actor is not None:
            audit.record("alerts.resolve", actor=actor, obj=alert, organisation_id=alert.organisation_id,
                         detail={"note": note[:500]})
        publish_transitions([(alert, ev)])
    return _out(alert)


def find_open_alert(source: str, key: str) -> AlertOut | None:
    alert = Alert.objects.filter(source=source, key=key, state__in=Alert.OPEN_STATES).first()
    return _out(alert) if alert else None


# What a user may see, and the reads alerts' pages, API and the cockpit share (plain data; see ``reads``).
reader = _reads.reader
open_alert_counts = _reads.open_alert_counts
alert_list = _reads.alert_list
alert_detail = _reads.alert_detail
rule_list = _reads.rule_list
rule_detail = _reads.rule_detail
subscription_list = _reads.subscription_list
subscription_organisation = _reads.subscription_organisation


# ---- rules ---------------------------------------------------------------------------------------

AREA_LENGTHS = {"town": 9, "grid": 14}


def rule_kind(code: str):
    if code not in registry.rule_kinds:
        raise ApiError(422, "invalid", f"unknown rule kind {code!r}", field="kind")
    return registry.rule_kinds.get(code)


def _validated_params(kind_code: str, params: dict) -> dict:
    try:
        return rule_kind(kind_code).parse(params).model_dump()
    except ValidationError as exc:
        errors = [{"field": "params." + ".".join(str(p) for p in e["loc"]), "in": "body", "type": e["type"],
                   "message": e["msg"]} for e in exc.errors()]
        raise ApiError(422, "invalid", "invalid rule parameters", field="params", errors=errors) from None


def _check_scope(data: RuleIn) -> None:
    if data.scope in AREA_LENGTHS:
        n = AREA_LENGTHS[data.scope]
        if not (data.area_code.isdigit() and len(data.area_code) == n):
            raise ApiError(422, "invalid", f"a {data.scope} scope needs a {n}-digit area code", field="area_code")
    elif data.area_code:
        raise ApiError(422, "invalid", "area_code is only for town and grid scopes", field="area_code")
    if (data.scope == "thing") != (data.thing_id is not None):
        raise ApiError(422, "invalid", "thing_id goes with (and only with) the thing scope", field="thing_id")
    if (data.scope == "datastream") != (data.datastream_id is not None):
        raise ApiError(422, "invalid", "datastream_id goes with (and only with) the datastream scope",
                       field="datastream_id")


def _rule_facts(rule: Rule) -> dict:
    return {"name": rule.name, "kind": rule.kind, "property": rule.property, "scope": rule.scope,
            "area_code": rule.area_code, "thing_id": rule.thing_id, "datastream_id": rule.datastream_id,
            "params": rule.params, "level": rule.level, "enabled": rule.enabled,
            "public": rule.public}


def _rules_changed() -> None:
    from smartcounty.foundation.alerts import engine

    transaction.on_commit(engine.invalidate)


def create_rule(data: RuleIn, *, actor=None) -> Rule:
    params = _validated_params(data.kind, data.params)
    _check_scope(data)
    if data.property not in registry.observed_properties:
        raise ApiError(422, "invalid", f"unknown observed property {data.property!r}", field="property")
    with transaction.atomic():
        rule = Rule.objects.create(
            name=data.name, kind=data.kind, property=data.property, scope=data.scope, area_code=data.area_code,
            thing_id=data.thing_id, datastream_id=data.datastream_id, params=params, level=data.level,
            organisation_id=data.organisation_id, enabled=data.enabled, public=data.public, description=data.description,
            created_by=actor)
        audit.record("alerts.rule_create", actor=actor, obj=rule, organisation_id=rule.organisation_id,
                     detail=_rule_facts(rule))
        _rules_changed()
    return rule


def update_rule(rule, data: RulePatch, *, actor=None) -> Rule:
    """Change a rule (``rule``: its id, or anything with its ``id``)."""
    rule_id = rule if isinstance(rule, int) else rule.id
    with transaction.atomic():
        rule = Rule.objects.select_for_update().get(pk=rule_id)
        before = _rule_facts(rule)
        changes = data.model_dump(exclude_unset=True)
        if changes.get("params") is not None:
            rule.params = _validated_params(rule.kind, changes["params"])
        for name in ("name", "level", "enabled", "public", "description"):
            if changes.get(name) is not None:
                setattr(rule, name, changes[name])
        rule.save()
        if before["enabled"] and not rule.enabled:
            # A disabled rule watches nothing: its open alerts are resolved and its states forgotten.
            for alert_id in rule.alerts.filter(state__in=Alert.OPEN_STATES).values_list("id", flat=True):
                resolve_alert(alert_id, actor=actor, note="rule disabled")
            rule.states.all().delete()
        elif before["params"] != rule.params or before["level"] != rule.level:
            # New thresholds: evaluate afresh (open alerts stay until the new condition clears them).
            rule.states.all().update(state={})
        audit.record("alerts.rule_update", actor=actor, obj=rule, organisation_id=rule.organisation_id,
                     detail={"before": before, "after": _rule_facts(rule)})
        _rules_changed()
    return rule


def delete_rule(rule, *, actor=None) -> None:
    """Delete a rule (its id, or anything with its ``id``); its open alerts are resolved first (their history
    stays)."""
    with transaction.atomic():
        rule = Rule.objects.get(pk=rule if isinstance(rule, int) else rule.id)
        for alert_id in rule.alerts.filter(state__in=Alert.OPEN_STATES).values_list("id", flat=True):
            resolve_alert(alert_id, actor=actor, note="rule deleted")
        audit.record("alerts.rule_delete", actor=actor, obj=rule, organisation_id=rule.organisation_id,
                     detail=_rule_facts(rule))
        rule.delete()
        _rules_changed()


# ---- notification subscriptions ------------------------------------------------------------------


def create_subscription(data, *, actor=None):
    from django.core.exceptions import ValidationError as DjangoValidationError
    from django.core.validators import EmailValidator, URLValidator

    from smartcounty.foundation.alerts.models import Subscription

    try:
        if data.channel == "webhook":
            URLValidator(schemes=["http", "https"])(data.target)
        else:
            EmailValidator()(data.target)
    except DjangoValidationError:
        raise ApiError(422, "invalid", f"not a valid {data.channel} target", field="target") from None
    if data.channel == "webhook":
        from smartcounty.kernel import outbound

        try:
            outbound.validate(data.target)
        except outbound.OutboundError as exc:
            raise ApiError(422, "invalid", str(exc), field="target") from None
    with transaction.atomic():
        sub = Subscription.objects.create(
            name=data.name, channel=data.channel, target=data.target, secret=data.secret,
            organisation_id=data.organisation_id, min_level=data.min_level, events=list(data.events),
            created_by=actor)
        audit.record("alerts.subscription_create", actor=actor, obj=sub, organisation_id=sub.organisation_id,
                     detail={"name": sub.name, "channel": sub.channel, "target": sub.target})
        transaction.on_commit(_subscriptions_changed)
    return sub


def delete_subscription(sub, *, actor=None) -> None:
    """Delete a subscription (its id, or anything with its ``id``)."""
    from smartcounty.foundation.alerts.models import Subscription

    with transaction.atomic():
        sub = Subscription.objects.get(pk=sub if isinstance(sub, int) else sub.id)
        audit.record("alerts.subscription_delete", actor=actor, obj=sub, organisation_id=sub.organisation_id,
                     detail={"name": sub.name, "channel": sub.channel, "target": sub.target})
        sub.delete()
        transaction.on_commit(_subscriptions_changed)


def _subscriptions_changed() -> None:
    from smartcounty.foundation.alerts import notify

    notify.invalidate()


def raised_total() -> int:
    """Alerts ever raised (a raise while the same alert is open updates it instead; for ``/metrics``)."""
    return Alert.objects.count()
