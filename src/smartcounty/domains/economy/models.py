"""The county's enterprise registry, 企业上云 status, industrial parks and their energy meters."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Park(models.Model):
    """An industrial park (园区), run by an organisation (its 管委会) that sees the park's enterprises."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    town_code = models.CharField(_("town code"), max_length=12, blank=True)
    organisation_id = models.BigIntegerField(_("managing organisation"), null=True, blank=True)
    area_ha = models.FloatField(_("area (ha)"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("industrial park")
        verbose_name_plural = _("industrial parks")
        ordering = ["code"]
        indexes = [models.Index(fields=["organisation_id"], name="economy_park_org_idx")]

    def __str__(self):
        return self.name


class Enterprise(models.Model):
    class Kind(models.TextChoices):
        LIMITED = "limited", _("Limited liability company")
        JOINT_STOCK = "joint_stock", _("Joint-stock company")
        SOLE = "sole", _("Sole proprietorship")
        PARTNERSHIP = "partnership", _("Partnership")
        STATE = "state", _("State-owned enterprise")
        FOREIGN = "foreign", _("Foreign-invested enterprise")
        INDIVIDUAL = "individual", _("Individual business")
        COOPERATIVE = "cooperative", _("Farmers' cooperative")
        OTHER = "other", _("Other")

    class Size(models.TextChoices):
        # 统计上大中小微型企业划分办法（2017）
        LARGE = "large", _("Large")
        MEDIUM = "medium", _("Medium")
        SMALL = "small", _("Small")
        MICRO = "micro", _("Micro")

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.LIMITED)
    industry = models.CharField(_("industry (GB/T 4754)"), max_length=6)
    town_code = models.CharField(_("town code"), max_length=12, blank=True)
    park = models.ForeignKey(Park, verbose_name=_("park"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="enterprises")
    size = models.CharField(_("size"), max_length=8, choices=Size.choices, default=Size.SMALL)
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, default="manual")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["id"]
        indexes = [models.Index(fields=["town_code", "id"], name="economy_ent_town_idx"),
                   models.Index(fields=["industry", "id"], name="economy_ent_industry_idx"),
                   models.Index(fields=["park", "id"], name="economy_ent_park_idx"),
                   models.Index(fields=["size", "id"], name="economy_ent_size_idx"),
                   models.Index(fields=["name"], name="economy_ent_name_idx")]

    def __str__(self):
        return self.name


class CloudStatus(models.Model):
    """企业上云: how far an enterprise has moved onto the cloud (工信部《推动企业上云实施指南》)."""

    class Level(models.IntegerChoices):
        INFRASTRUCTURE = 1, _("Infrastructure on the cloud")
        PLATFORM = 2, _("Platform systems on the cloud")
        APPLICATION = 3, _("Business applications on the cloud")

    enterprise = models.OneToOneField(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                      related_name="cloud")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    provider = models.CharField(_("provider"), max_length=60)
    since = models.DateField(_("since"))

    class Meta:
        verbose_name = _("cloud status")
        verbose_name_plural = _("cloud statuses")
        indexes = [models.Index(fields=["level"], name="economy_cloud_level_idx")]

    def __str__(self):
        return f"{self.enterprise} {self.get_level_display()}"


class Meter(models.Model):
    """An energy meter of an enterprise: a sensing datastream of interval consumption."""

    class Kind(models.TextChoices):
        ELECTRICITY = "electricity", _("Electricity")
        WATER = "water", _("Water")
        GAS = "gas", _("Gas")

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="meters")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    code = models.CharField(_("meter number"), max_length=40, unique=True)
    thing_id = models.BigIntegerField(_("thing"))
    datastream_id = models.BigIntegerField(_("datastream"), unique=True)

    class Meta:
        verbose_name = _("energy meter")
        verbose_name_plural = _("energy meters")
        indexes = [models.Index(fields=["enterprise", "kind"], name="economy_meter_ent_idx")]

    def __str__(self):
        return self.code


class ServiceRequest(models.Model):
    """An enterprise's service request to its park: the case (cases module) that carries it."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="requests")
    park = models.ForeignKey(Park, verbose_name=_("park"), on_delete=models.PROTECT, related_name="requests")
    case_id = models.BigIntegerField(_("case"), unique=True)
    number = models.CharField(_("case number"), max_length=32)
    category = models.CharField(_("category"), max_length=4)
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        indexes = [models.Index(fields=["park", "-id"], name="economy_request_park_idx")]

    def __str__(self):
        return self.number
