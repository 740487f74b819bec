"""Attractions (with their LB/T 034-2014 capacities and gate counters) and daily visitor statistics."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Attraction(models.Model):
    class Level(models.IntegerChoices):
        NONE = 0, _("Not rated")
        A1 = 1, _("Grade A")
        A2 = 2, _("Grade 2A")
        A3 = 3, _("Grade 3A")
        A4 = 4, _("Grade 4A")
        A5 = 5, _("Grade 5A")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    a_level = models.PositiveSmallIntegerField(_("tourist attraction grade"), choices=Level.choices, default=0)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    max_instant = models.PositiveIntegerField(_("maximum instantaneous carrying capacity (persons)"))
    max_daily = models.PositiveIntegerField(_("maximum daily carrying capacity (persons)"))
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    town_code = models.CharField(_("town code"), max_length=12, blank=True)
    #: sensing gate counters: visitors in and out per reporting interval
    entries_datastream_id = models.BigIntegerField(null=True, blank=True, unique=True)
    exits_datastream_id = models.BigIntegerField(null=True, blank=True, unique=True)
    yellow_share = models.FloatField(_("yellow warning share"), default=0.8)
    orange_share = models.FloatField(_("orange warning share"), default=0.9)
    red_share = models.FloatField(_("red warning share"), default=1.0)
    hysteresis = models.FloatField(_("hysteresis"), default=0.05)
    #: live state
    warning = models.PositiveSmallIntegerField(_("warning level"), default=0)
    present = models.PositiveIntegerField(_("visitors present"), default=0)
    today = models.PositiveIntegerField(_("visitors today"), default=0)
    updated_ms = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("attraction")
        verbose_name_plural = _("attractions")
        indexes = [models.Index(fields=["a_level", "code"], name="tourism_attr_level"),
                   models.Index(fields=["warning", "code"], name="tourism_attr_warning")]

    def __str__(self):
        return f"{self.code} {self.name}"


class DailyVisits(models.Model):
    attraction = models.ForeignKey(Attraction, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("day"))
    entries = models.PositiveIntegerField(_("entries"))
    peak_present = models.PositiveIntegerField(_("peak visitors present"), default=0)
    holiday = models.BooleanField(_("public holiday"), default=False)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily visits")
        verbose_name_plural = _("daily visits")
        constraints = [models.UniqueConstraint(fields=["attraction", "day"], name="tourism_day_unique")]
        indexes = [models.Index(fields=["day"], name="tourism_day"),
                   models.Index(fields=["holiday", "day"], name="tourism_day_holiday")]

    def __str__(self):
        return f"{self.attraction_id} {self.day}: {self.entries}"
