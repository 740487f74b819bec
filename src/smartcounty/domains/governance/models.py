"""Social-governance grid workers: which user looks after which grid."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GridWorker(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT,
                             related_name="governance_grids")
    grid_code = models.CharField(_("grid code"), max_length=16)
    town_code = models.CharField(_("town code"), max_length=12, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    since = models.DateField(_("since"))

    class Meta:
        verbose_name = _("grid worker")
        verbose_name_plural = _("grid workers")
        constraints = [models.UniqueConstraint(fields=["user", "grid_code"], name="governance_worker_grid")]
        indexes = [models.Index(fields=["grid_code", "is_active"], name="governance_worker_grid_idx"),
                   models.Index(fields=["town_code", "is_active"], name="governance_worker_town_idx")]

    def __str__(self):
        return f"{self.user} @ {self.grid_code}"
