"""Kernel tables: the append-only, hash-chained audit log."""

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
    """One audited act. ``hash`` = sha256(prev_hash + canonical row); see ``kernel.audit``."""

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
