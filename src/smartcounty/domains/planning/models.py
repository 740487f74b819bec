"""Planning pre-check (多规合一 选址预审): the rules, as data, and the checks made, with their report.

The layers themselves are places' map layers (``places.services.layer_*``): this module keeps only which
layer a rule looks at, by its key.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Verdict(models.TextChoices):
    PASS = "pass", _("Pass")
    NOTE = "note", _("Note")
    WARN = "warn", _("Warning")
    BLOCK = "block", _("Blocked")


#: Worst last: the overall verdict of a check is its worst rule verdict.
SEVERITY = {Verdict.PASS: 0, Verdict.NOTE: 1, Verdict.WARN: 2, Verdict.BLOCK: 3}


class Rule(models.Model):
    """One check of a parcel against one layer: when ``condition`` holds, the rule gives ``verdict``.

    ``overlaps``: the parcel overlaps the layer by more than ``min_share`` of its area (0: any overlap);
    ``outside``: more than ``min_share`` of the parcel lies outside the layer (0: any part outside)."""

    class Condition(models.TextChoices):
        OVERLAPS = "overlaps", _("Overlaps the layer")
        OUTSIDE = "outside", _("Lies outside the layer")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=80)
    layer_key = models.CharField(_("layer"), max_length=60, db_index=True)
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices)
    min_share = models.FloatField(_("share of the parcel above which the rule applies"), default=0.0)
    verdict = models.CharField(_("verdict"), max_length=5, choices=Verdict.choices)
    message = models.CharField(_("message"), max_length=300)
    basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("pre-check rule")
        verbose_name_plural = _("pre-check rules")

    def __str__(self):
        return self.title


class Check(models.Model):
    """A site pre-check: the parcel, its area, the overall verdict and the report (per layer and per rule)."""

    name = models.CharField(_("parcel name"), max_length=120)
    geometry = models.JSONField(_("parcel (GeoJSON)"))
    area_m2 = models.FloatField(_("area (m²)"))
    verdict = models.CharField(_("verdict"), max_length=5, choices=Verdict.choices, db_index=True)
    report = models.JSONField(_("report"), default=dict)
    source = models.CharField(_("drawn or uploaded"), max_length=20, default="drawn")
    created_by_id = models.BigIntegerField(_("checked by"), null=True, blank=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)
    created_at = models.DateTimeField(_("checked at"), auto_now_add=True, db_index=True)
    duration_ms = models.FloatField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("site pre-check")
        verbose_name_plural = _("site pre-checks")
        indexes = [models.Index(fields=["organisation_id", "-created_at"], name="planning_check_org")]

    def __str__(self):
        return f"{self.name} ({self.get_verdict_display()})"
