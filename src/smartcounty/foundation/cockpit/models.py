"""The cockpit's own read model: what it was told by other modules' events (alerts, cases).

The cockpit never reads another module's tables. It subscribes to their published facts and keeps
the little it needs to draw the live feed and the map (one row per alert or case, updated in place),
so the screen needs no join across modules and survives a restart.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LiveItem(models.Model):
    source = models.CharField(_("source"), max_length=20)  # "alerts", "cases"
    ref = models.CharField(_("reference"), max_length=40)  # the id in the source module
    title = models.CharField(_("title"), max_length=200)
    #: 0 none, 1 blue, 2 yellow, 3 orange, 4 red (the alert levels; cases: 3 when overdue).
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    state = models.CharField(_("state"), max_length=20)
    is_open = models.BooleanField(_("open"), default=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)
    town_code = models.CharField(_("town"), max_length=9, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    url = models.CharField(_("link"), max_length=200, blank=True)
    #: Alerts: a public warning (shown to everyone on the portal and the public cockpit panel).
    public = models.BooleanField(_("public"), default=False)
    at = models.DateTimeField(_("time of the last change"))

    class Meta:
        verbose_name = _("live item")
        verbose_name_plural = _("live items")
        constraints = [models.UniqueConstraint(fields=["source", "ref"], name="cockpit_item_source_ref")]
        indexes = [
            models.Index(fields=["source", "-at"], name="cockpit_item_feed"),
            models.Index(fields=["source", "is_open", "lon", "lat"], name="cockpit_item_map"),
            models.Index(fields=["source", "is_open", "organisation_id"], name="cockpit_item_org"),
            models.Index(fields=["source", "is_open", "public", "level"], name="cockpit_item_public"),
        ]

    def __str__(self):
        return f"{self.source}:{self.ref} {self.title}"
