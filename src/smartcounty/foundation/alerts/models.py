"""Rules, their per-datastream evaluation state, alerts with their full history, and notifications.

Rows of other modules (things, datastreams, organisations, towns, grids) are referred to by id or
code columns, never by foreign keys; users are the exception.
"""

import builtins

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """Warning levels, blue to red (GB/T and CMA use the same four colours; codes 1-4)."""

    BLUE = 1, _("Blue")
    YELLOW = 2, _("Yellow")
    ORANGE = 3, _("Orange")
    RED = 4, _("Red")


LEVEL_COLOURS = {1: "blue", 2: "yellow", 3: "orange", 4: "red"}


class Rule(models.Model):
    class Scope(models.TextChoices):
        COUNTY = "county", _("Whole county")
        TOWN = "town", _("Town")
        GRID = "grid", _("Grid")
        THING = "thing", _("Thing")
        DATASTREAM = "datastream", _("Datastream")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=40)
    property = models.CharField(_("observed property"), max_length=60, db_index=True)
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices, default=Scope.COUNTY)
    #: Town code (9 digits) or grid code (14 digits) when the scope is a town or grid.
    area_code = models.CharField(_("area code"), max_length=14, blank=True)
    thing_id = models.BigIntegerField(_("thing"), null=True, blank=True, db_index=True)
    datastream_id = models.BigIntegerField(_("datastream"), null=True, blank=True, db_index=True)
    params = models.JSONField(_("parameters"), default=dict)
    #: The level of single-level kinds (threshold, rate, no data).
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.YELLOW)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True, db_index=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    #: Its alerts are public warnings (the portal shows them to everyone); otherwise they stay with staff.
    public = models.BooleanField(_("public warning"), default=False)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        indexes = [models.Index(fields=["property", "enabled"], name="alerts_rule_prop_enabled")]

    def __str__(self):
        return self.name


class RuleState(models.Model):
    """Where one rule stands for one datastream: survives restarts; cached in memory by the engine."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="states")
    datastream_id = models.BigIntegerField()
    thing_id = models.BigIntegerField()
    level = models.PositiveSmallIntegerField(default=0)
    state = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "datastream_id"], name="alerts_rulestate_unique")]
        verbose_name = _("rule state")
        verbose_name_plural = _("rule states")

    def __str__(self):
        return f"rule {self.rule_id} / datastream {self.datastream_id}: level {self.level}"


class Alert(models.Model):
    class State(models.TextChoices):
        RAISED = "raised", _("Raised")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    OPEN_STATES = (State.RAISED, State.ACKNOWLEDGED)

    rule = models.ForeignKey(Rule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="alerts")
    #: "rule" for alerts raised by a rule, else the label of the module that raised it.
    source = models.CharField(_("source"), max_length=40, default="rule")
    #: For alerts not raised by a rule: the caller's key; one open alert per (source, key).
    key = models.CharField(_("key"), max_length=120, blank=True)
    title = models.CharField(_("title"), max_length=200)
    property = models.CharField(_("observed property"), max_length=60, blank=True, db_index=True)
    thing_id = models.BigIntegerField(_("thing"), null=True, blank=True)
    datastream_id = models.BigIntegerField(_("datastream"), null=True, blank=True)
    town = models.CharField(_("town"), max_length=9, blank=True, db_index=True)
    grid = models.CharField(_("grid"), max_length=14, blank=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RAISED)
    value = models.FloatField(_("value"), null=True, blank=True)
    #: A public warning (weather, flood, pollution): residents see it on the portal. Otherwise staff only.
    public = models.BooleanField(_("public warning"), default=False)
    #: Phenomenon time of the observation that raised it (or the caller's time).
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name=_("acknowledged by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("resolved by"))
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [
            models.Index(fields=["state", "-raised_at"], name="alerts_alert_state_raised"),
            models.Index(fields=["organisation_id", "state"], name="alerts_alert_org_state"),
            models.Index(fields=["rule", "thing_id"], name="alerts_alert_rule_thing"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["rule", "thing_id"], condition=Q(rule__isnull=False) & ~Q(state="resolved"),
                                    name="alerts_one_open_per_rule_thing"),
            # Not keyed on rule IS NULL: a deleted rule's alerts keep source "rule" with an empty key.
            models.UniqueConstraint(fields=["source", "key"], condition=~Q(source="rule") & ~Q(state="resolved"),
                                    name="alerts_one_open_per_source_key"),
        ]

    def __str__(self):
        return self.title

    @builtins.property
    def is_open(self) -> bool:
        return self.state != self.State.RESOLVED

    @builtins.property
    def colour(self) -> str:
        return LEVEL_COLOURS.get(self.level, "")


class AlertEvent(models.Model):
    """One transition of an alert: raised, level up/down, acknowledged, resolved. Its id is the live feed's
    event id (Last-Event-ID catch-up reads this table)."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("Raised")
        LEVEL = "level", _("Level changed")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(_("at"), db_index=True)
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    from_state = models.CharField(_("from state"), max_length=12, blank=True)
    to_state = models.CharField(_("to state"), max_length=12)
    from_level = models.PositiveSmallIntegerField(_("from level"), null=True, blank=True)
    to_level = models.PositiveSmallIntegerField(_("to level"), null=True, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("alert history entry")
        verbose_name_plural = _("alert history")

    def __str__(self):
        return f"{self.alert_id}: {self.kind} at {self.at:%Y-%m-%d %H:%M:%S}"


class Subscription(models.Model):
    """Where alert notifications go: a webhook URL (signed with the secret) or an e-mail address."""

    class Channel(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        EMAIL = "email", _("E-mail")

    name = models.CharField(_("name"), max_length=120)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    target = models.CharField(_("URL or e-mail address"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=128, blank=True)
    #: Only alerts of this organisation (None: every alert; platform administrators only).
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True, db_index=True)
    min_level = models.PositiveSmallIntegerField(_("minimum level"), choices=Level.choices, default=Level.BLUE)
    events = models.JSONField(_("events"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("notification subscription")
        verbose_name_plural = _("notification subscriptions")

    def __str__(self):
        return self.name


class Delivery(models.Model):
    """The delivery log: one row per notification, updated on every attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40)
    alert_event_id = models.BigIntegerField(_("alert history entry"), null=True)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification delivery")
        verbose_name_plural = _("notification deliveries")
        indexes = [models.Index(fields=["status", "subscription"], name="alerts_delivery_status_sub")]

    def __str__(self):
        return f"{self.event} → {self.subscription_id}: {self.status}"
