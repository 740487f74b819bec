"""City-management components (部件) and Open311 API keys."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartcounty.domains.citymgmt.catalogue import COMPONENT_CATEGORIES


def validate_component_code(code: str) -> None:
    """16 digits: county code (6) + 大类 (2) + 小类 (2) + serial (6); the class must be a known one."""
    if len(code) != 16 or not code.isdigit():
        raise ValidationError(_("A component code has 16 digits."), code="length")
    if code[:6] != settings.SMARTCOUNTY_COUNTY_CODE:
        raise ValidationError(_("A component code starts with this county's code."), code="county")
    if f"C{code[6:10]}" not in COMPONENT_CATEGORIES:
        raise ValidationError(_("Unknown component class %(c)s."), code="class", params={"c": code[6:10]})
    if code[10:] == "000000":
        raise ValidationError(_("The serial number cannot be zero."), code="serial")


class Component(models.Model):
    class Status(models.TextChoices):
        NORMAL = "normal", _("Normal")
        DAMAGED = "damaged", _("Damaged")
        LOST = "lost", _("Lost")
        REMOVED = "removed", _("Removed")

    code = models.CharField(_("component code"), max_length=16, unique=True, validators=[validate_component_code])
    category = models.CharField(_("category"), max_length=5)
    name = models.CharField(_("name"), max_length=100, blank=True)
    owner_organisation_id = models.BigIntegerField(_("owning organisation id"), null=True, blank=True)
    town_code = models.CharField(_("town code"), max_length=12, blank=True)
    grid_code = models.CharField(_("grid code"), max_length=16, blank=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NORMAL)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("component")
        verbose_name_plural = _("components")
        indexes = [models.Index(fields=["category", "code"], name="citymgmt_comp_cat"),
                   models.Index(fields=["grid_code", "code"], name="citymgmt_comp_grid"),
                   models.Index(fields=["status", "code"], name="citymgmt_comp_status")]

    def __str__(self):
        return f"{self.code} {self.name}"


class Open311Key(models.Model):
    """An Open311 client's API key: only the sha256 of the key is stored."""

    name = models.CharField(_("client name"), max_length=80)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self):
        return self.name
