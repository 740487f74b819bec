"""What a user may see of alerts, and the reads its pages, its API and the cockpit share (re-exported by
``services``). Everything returned is plain data: schemas, dicts, counts, or ``kernel.rows.Rows`` of schemas."""

from django.db.models import Count, Q

from smartcounty.foundation.alerts.models import Alert, Rule, Subscription
from smartcounty.foundation.alerts.schemas import (
    EVERYONE,
    AlertDetailSchema,
    AlertSchema,
    Reader,
    RuleSchema,
    SubscriptionSchema,
)
from smartcounty.kernel.authz import user_has_perm
from smartcounty.kernel.problems import ApiError
from smartcounty.kernel.rows import Rows

#: No organisation has id 0: a permission "on organisation 0" is true for platform administrators only.
PLATFORM = 0
STATE_FILTERS = {"open": list(Alert.OPEN_STATES), **{s: [s] for s in Alert.State.values}}


def reader(user) -> Reader | None:
    """What ``user`` may see of alerts (None: nothing, no ``alerts.view``): platform administrators every
    alert and rule, staff their organisation's and the county-wide ones."""
    if user is None or not user_has_perm(user, "alerts.view"):
        return None
    if user_has_perm(user, "alerts.view", PLATFORM):
        return EVERYONE
    return Reader(organisation_id=getattr(user, "organisation_id", None))


def scoped(qs, who: Reader | None):
    """``qs`` (alerts or rules) narrowed to what ``who`` may see: alerts' own pages use it with their filters."""
    if who is None:
        return qs.none()
    if who.all_orgs:
        return qs
    return qs.filter(Q(organisation_id=who.organisation_id) | Q(organisation_id__isnull=True))


def open_alert_counts(who: Reader | None = EVERYONE) -> dict[int, int]:
    """Open alerts ``who`` sees, by level: {1: n, 2: n, 3: n, 4: n} (the page's tabs and the cockpit's figure)."""
    qs = scoped(Alert.objects.filter(state__in=Alert.OPEN_STATES), who)
    counts = dict(qs.values_list("level").annotate(n=Count("id")).order_by())
    return {lvl: counts.get(lvl, 0) for lvl in (1, 2, 3, 4)}


def alert_list(who: Reader | None, *, state: str | None = None, level: int | None = None, property: str | None = None,
               town: str | None = None, since=None, rule: int | None = None, ids=None) -> Rows:
    """Alerts ``who`` sees, newest first, as ``AlertSchema``; ``ids``: only these (e.g. an incident's)."""
    qs = scoped(Alert.objects.all(), who)
    if ids is not None:
        qs = qs.filter(pk__in=[int(i) for i in ids])
    if state:
        if state not in STATE_FILTERS:
            raise ApiError(422, "invalid", "state is open, raised, acknowledged or resolved", field="state")
        qs = qs.filter(state__in=STATE_FILTERS[state])
    if level is not None:
        if not 1 <= level <= 4:
            raise ApiError(422, "invalid", "level is 1 to 4", field="level")
        qs = qs.filter(level=level)
    if property:
        qs = qs.filter(property=property)
    if town:
        qs = qs.filter(town=town)
    if since:
        qs = qs.filter(raised_at__gte=since)
    if rule:
        qs = qs.filter(rule_id=rule)
    return Rows(qs.order_by("-raised_at", "-id"), AlertSchema.from_orm)


def alert_detail(who: Reader | None, alert_id: int) -> AlertDetailSchema:
    """One alert ``who`` sees, with its detail and history; 404 otherwise."""
    alert = scoped(Alert.objects.all(), who).filter(pk=alert_id).first()
    if alert is None:
        raise ApiError(404, "not-found")
    data = AlertSchema.from_orm(alert).dict()
    data["detail"] = alert.detail
    data["history"] = list(alert.history.all())
    return AlertDetailSchema.model_validate(data)


def rule_list(who: Reader | None, *, kind: str | None = None, property: str | None = None,
              enabled: bool | None = None) -> Rows:
    qs = scoped(Rule.objects.all(), who)
    if kind:
        qs = qs.filter(kind=kind)
    if property:
        qs = qs.filter(property=property)
    if enabled is not None:
        qs = qs.filter(enabled=enabled)
    return Rows(qs.order_by("id"), RuleSchema.from_orm)


def rule_detail(who: Reader | None, rule_id: int) -> RuleSchema:
    rule = scoped(Rule.objects.all(), who).filter(pk=rule_id).first()
    if rule is None:
        raise ApiError(404, "not-found")
    return RuleSchema.from_orm(rule)


def subscription_list(organisation_id: int | None = None, *, all_orgs: bool = False) -> Rows:
    qs = Subscription.objects.all() if all_orgs else Subscription.objects.filter(organisation_id=organisation_id)
    return Rows(qs.order_by("id"), SubscriptionSchema.from_orm)


def subscription_organisation(sub_id: int) -> tuple[bool, int | None]:
    """(whether the subscription exists, its organisation id)."""
    row = Subscription.objects.filter(pk=sub_id).values_list("organisation_id", flat=True)[:1]
    found = list(row)
    return (True, found[0]) if found else (False, None)
