"""Farms, their plots (polygons), crops by season, field sensors, and agricultural advisories."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Crop(models.TextChoices):
    WHEAT = "wheat", _("Wheat")
    MAIZE = "maize", _("Maize")
    COTTON = "cotton", _("Cotton")
    PEAR = "pear", _("Pear")
    VEGETABLES = "vegetables", _("Vegetables")
    GANODERMA = "ganoderma", _("Lingzhi mushroom")
    PEANUT = "peanut", _("Peanut")


class Farm(models.Model):
    class OperatorKind(models.TextChoices):
        ENTERPRISE = "uscc", _("Enterprise or cooperative (credit code)")
        PERSON = "id", _("Farmer (ID number)")

    name = models.CharField(_("name"), max_length=120)
    operator_kind = models.CharField(_("operator identified by"), max_length=4, choices=OperatorKind.choices)
    operator_code = models.CharField(_("operator code"), max_length=18)
    operator_name = models.CharField(_("operator"), max_length=120)
    town_code = models.CharField(_("town code"), max_length=12, blank=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("farm")
        verbose_name_plural = _("farms")
        indexes = [models.Index(fields=["town_code", "id"], name="agri_farm_town_idx")]

    def __str__(self):
        return self.name


class Plot(models.Model):
    farm = models.ForeignKey(Farm, verbose_name=_("farm"), on_delete=models.CASCADE, related_name="plots")
    name = models.CharField(_("name"), max_length=80)
    geometry = models.JSONField(_("boundary"))
    area_mu = models.FloatField(_("area (mu)"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()

    class Meta:
        verbose_name = _("plot")
        verbose_name_plural = _("plots")
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="agri_plot_bbox_idx")]

    def __str__(self):
        return self.name


class Season(models.Model):
    plot = models.ForeignKey(Plot, verbose_name=_("plot"), on_delete=models.CASCADE, related_name="seasons")
    crop = models.CharField(_("crop"), max_length=12, choices=Crop.choices)
    sown_on = models.DateField(_("sown or flowering on"))
    harvest_on = models.DateField(_("harvest expected on"), null=True, blank=True)

    class Meta:
        verbose_name = _("season")
        verbose_name_plural = _("seasons")
        indexes = [models.Index(fields=["plot", "sown_on"], name="agri_season_plot_idx")]

    def __str__(self):
        return f"{self.plot} {self.crop}"


class Sensor(models.Model):
    class Kind(models.TextChoices):
        SOIL = "soil", _("Soil moisture")
        WEATHER = "weather", _("Field weather")
        PEST_TRAP = "pest_trap", _("Pest trap")

    farm = models.ForeignKey(Farm, verbose_name=_("farm"), on_delete=models.CASCADE, related_name="sensors")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=40, unique=True)
    thing_id = models.BigIntegerField(_("thing"))
    datastream_id = models.BigIntegerField(_("datastream"), unique=True)
    pest = models.CharField(_("pest"), max_length=40, blank=True)
    threshold = models.FloatField(_("daily catch threshold"), null=True, blank=True)

    class Meta:
        verbose_name = _("field sensor")
        verbose_name_plural = _("field sensors")
        indexes = [models.Index(fields=["farm", "kind"], name="agri_sensor_farm_idx")]

    def __str__(self):
        return self.code


class Advisory(models.Model):
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("advice"))
    crop = models.CharField(_("crop"), max_length=12, choices=Crop.choices, blank=True)
    town_code = models.CharField(_("town code"), max_length=12, blank=True)
    published_at = models.DateTimeField(_("published"))
    source = models.CharField(_("source"), max_length=12, default="manual")
    key = models.CharField(_("warning key"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("agricultural advisory")
        verbose_name_plural = _("agricultural advisories")
        indexes = [models.Index(fields=["-published_at"], name="agri_advisory_pub_idx"),
                   models.Index(fields=["key"], name="agri_advisory_key_idx")]

    def __str__(self):
        return self.title
