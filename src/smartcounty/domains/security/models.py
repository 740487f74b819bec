"""Security tables: critical information infrastructure, the sites whose certificates are watched, security
events (a scenario's bucket overflowed) and the temporary block list. Organisations are accounts' rows, by id."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CriticalSystem(models.Model):
    """关键信息基础设施 / a system under 等级保护: its level and its assessments (等级测评)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    owner_organisation_id = models.BigIntegerField(_("owner unit"), db_index=True)
    level = models.PositiveSmallIntegerField(_("protection level"), db_index=True)
    critical = models.BooleanField(_("critical information infrastructure"), default=True)
    assessed_on = models.DateField(_("last assessment"), null=True, blank=True)
    next_due = models.DateField(_("next assessment due"), null=True, blank=True, db_index=True)
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["next_due", "code"]
        verbose_name = _("critical system")
        verbose_name_plural = _("critical systems")

    def __str__(self):
        return f"{self.name} ({self.code})"


class Site(models.Model):
    """A site of the county whose TLS certificate the platform reads on a schedule."""

    name = models.CharField(_("name"), max_length=120)
    host = models.CharField(_("host"), max_length=253)
    port = models.PositiveIntegerField(_("port"), default=443)
    owner_organisation_id = models.BigIntegerField(_("owner unit"), null=True, blank=True, db_index=True)
    system = models.ForeignKey(CriticalSystem, verbose_name=_("critical system"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="sites")
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    error = models.CharField(_("check error"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    issuer = models.CharField(_("issuer"), max_length=500, blank=True)
    san = models.JSONField(_("subject alternative names"), default=list, blank=True)
    serial = models.CharField(_("serial number"), max_length=80, blank=True)
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, blank=True)
    not_before = models.DateTimeField(_("valid from"), null=True, blank=True)
    not_after = models.DateTimeField(_("valid until"), null=True, blank=True, db_index=True)
    verified = models.BooleanField(_("trusted"), default=False)
    verify_error = models.CharField(_("trust error"), max_length=300, blank=True)
    tls_version = models.CharField(_("TLS version"), max_length=20, blank=True)

    class Meta:
        ordering = ["not_after", "host"]
        constraints = [models.UniqueConstraint(fields=["host", "port"], name="security_site_host_port")]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self):
        return f"{self.host}:{self.port}"


class Event(models.Model):
    """A scenario's bucket overflowed for one client: what was seen, with redacted evidence."""

    at = models.DateTimeField(_("time"), db_index=True)
    scenario = models.CharField(_("scenario"), max_length=40, db_index=True)
    ip = models.GenericIPAddressField(_("client address"), db_index=True)
    count = models.PositiveIntegerField(_("requests"), default=0)
    evidence = models.JSONField(_("evidence"), default=dict)
    alert_id = models.BigIntegerField(_("alert"), null=True, blank=True)
    blocked = models.BooleanField(_("blocked"), default=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["scenario", "-at"], name="security_event_scenario_at")]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self):
        return f"{self.scenario} {self.ip}"


class Block(models.Model):
    """A client address refused until ``until`` (or until a security officer lifts it)."""

    ip = models.GenericIPAddressField(_("client address"), db_index=True)
    reason = models.CharField(_("scenario"), max_length=40)
    event = models.ForeignKey(Event, verbose_name=_("security event"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="blocks")
    created_at = models.DateTimeField(_("blocked at"))
    until = models.DateTimeField(_("blocked until"), db_index=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by_id = models.BigIntegerField(_("lifted by"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lifted_at", "until"], name="security_block_active")]
        verbose_name = _("block")
        verbose_name_plural = _("blocks")

    def __str__(self):
        return f"{self.ip} ({self.reason})"
