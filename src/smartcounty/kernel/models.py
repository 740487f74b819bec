"""Kernel tables: the append-only, hash-chained audit log; the durable events' outbox and cursors."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit row."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit rows are never updated")

    def delete(self):
        raise AppendOnlyError("audit rows are never deleted")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("audit rows are never updated")


class AuditEntry(models.Model):
    """One audited act. ``hash`` = HMAC-SHA256(key, prev_hash + canonical row); see ``kernel.audit``."""

    at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor = models.CharField(_("actor"), max_length=150, blank=True)
    organisation_id = models.BigIntegerField(_("organisation id"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    # False only for rows made before the chain was keyed (plain sha256); see ``kernel.audit``.
    keyed = models.BooleanField(_("keyed"), default=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"], name="kernel_audit_object")]

    def __str__(self):
        return f"#{self.pk} {self.action} {self.actor}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit rows are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit rows are never deleted")


class OutboxEvent(models.Model):
    """A durable event (``kernel.outbox``): written in the publisher's transaction, one row per published
    batch (not per observation), removed once every subscriber of its lane has handled it."""

    lane = models.CharField(_("lane"), max_length=100)
    event = models.CharField(_("event"), max_length=100)
    payload = models.BinaryField(_("payload"))
    created_ms = models.BigIntegerField(_("created"))

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        indexes = [models.Index(fields=["lane", "id"], name="kernel_outbox_lane")]

    def __str__(self):
        return f"#{self.pk} {self.event} ({self.lane})"


class EventCursor(models.Model):
    """How far one subscriber has handled one lane's durable events: every outbox id <= ``position``."""

    subscriber = models.CharField(_("subscriber"), max_length=200)
    lane = models.CharField(_("lane"), max_length=100)
    position = models.BigIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("event cursor")
        verbose_name_plural = _("event cursors")
        constraints = [models.UniqueConstraint(fields=["subscriber", "lane"], name="kernel_cursor_unique")]

    def __str__(self):
        return f"{self.subscriber} @ {self.lane}: {self.position}"


class EventHandled(models.Model):
    """A durable event a subscriber handled past its cursor, written in the subscriber's own transaction
    (``events.mark_handled``), so a replay after a crash skips it even before the cursor moved."""

    subscriber = models.CharField(_("subscriber"), max_length=200)
    lane = models.CharField(_("lane"), max_length=100)
    position = models.BigIntegerField(_("position"))

    class Meta:
        verbose_name = _("handled event")
        verbose_name_plural = _("handled events")
        constraints = [models.UniqueConstraint(fields=["subscriber", "lane", "position"],
                                               name="kernel_handled_unique")]

    def __str__(self):
        return f"{self.subscriber} @ {self.lane}: {self.position}"


class ProcessHeartbeat(models.Model):
    """A long-running process of the platform (a web worker, a background worker) saying it is alive, every few
    seconds, with its event backlog; ``/readyz`` reads them."""

    key = models.CharField(_("process"), max_length=200, unique=True)  # "<role>:<host>:<slot or pid>"
    role = models.CharField(_("role"), max_length=20)
    host = models.CharField(_("host"), max_length=100)
    pid = models.IntegerField(_("process id"))
    started_at = models.DateTimeField(_("started"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)
    backlog = models.IntegerField(_("event backlog"), default=0)

    class Meta:
        verbose_name = _("process heartbeat")
        verbose_name_plural = _("process heartbeats")

    def __str__(self):
        return self.key
