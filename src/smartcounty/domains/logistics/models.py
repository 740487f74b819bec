"""The county's three-level delivery network (县级物流中心, 乡镇快递站, 村级服务点) and its e-commerce shops with
their monthly sales."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Site(models.Model):
    class Level(models.TextChoices):
        COUNTY = "county", _("County logistics centre")
        TOWN = "town", _("Town delivery station")
        VILLAGE = "village", _("Village service point")

    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    operator = models.CharField(_("operator"), max_length=80, blank=True)
    town_code = models.CharField(_("town code"), max_length=12, blank=True)
    village_code = models.CharField(_("village code"), max_length=12, blank=True)
    village_name = models.CharField(_("village"), max_length=60, blank=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))

    class Meta:
        verbose_name = _("logistics site")
        verbose_name_plural = _("logistics sites")
        indexes = [models.Index(fields=["level", "town_code"], name="logistics_site_level_idx"),
                   models.Index(fields=["town_code", "village_code"], name="logistics_site_town_idx")]

    def __str__(self):
        return self.name


class Shop(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    platform = models.CharField(_("platform"), max_length=40)
    category = models.CharField(_("category"), max_length=40, blank=True)
    town_code = models.CharField(_("town code"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("online shop")
        verbose_name_plural = _("online shops")
        indexes = [models.Index(fields=["town_code"], name="logistics_shop_town_idx")]

    def __str__(self):
        return self.name


class MonthlySales(models.Model):
    shop = models.ForeignKey(Shop, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="sales")
    month = models.DateField(_("month"))
    orders = models.PositiveIntegerField(_("orders"))
    amount = models.DecimalField(_("sales (yuan)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("monthly sales")
        verbose_name_plural = _("monthly sales")
        constraints = [models.UniqueConstraint(fields=["shop", "month"], name="logistics_sales_shop_month")]
        indexes = [models.Index(fields=["month"], name="logistics_sales_month_idx")]

    def __str__(self):
        return f"{self.shop} {self.month:%Y-%m}"
