"""Stored air-quality forecasts: one run per station and forecast origin, with its 72 hourly values and
the rolling-origin backtest of the model that made it (rows of sensing are referred to by id)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ForecastRun(models.Model):
    thing_id = models.BigIntegerField(_("station (sensing thing id)"))
    station_name = models.CharField(_("station"), max_length=200, blank=True)
    #: start of the last observed hour (UTC): lead h is the hour starting at issued_at + h hours
    issued_at = models.DateTimeField(_("forecast origin"))
    method = models.CharField(_("method"), max_length=20)
    history_hours = models.PositiveIntegerField(_("hours of history"), default=0)
    model_leads = models.PositiveIntegerField(_("lead times forecast by the model"), default=0)
    model_mae = models.FloatField(_("backtest MAE of the model"), null=True, blank=True)
    persistence_mae = models.FloatField(_("backtest MAE of persistence"), null=True, blank=True)
    backtest_pairs = models.PositiveIntegerField(_("backtest pairs"), default=0)
    backtest_origins = models.PositiveIntegerField(_("backtest origins"), default=0)
    trained_at = models.DateTimeField(_("trained at"), auto_now=True)

    class Meta:
        verbose_name = _("air-quality forecast run")
        verbose_name_plural = _("air-quality forecast runs")
        constraints = [models.UniqueConstraint(fields=["thing_id", "issued_at"], name="environment_run_once")]
        indexes = [models.Index(fields=["issued_at"], name="environment_run_issued")]

    def __str__(self):
        return f"{self.station_name or self.thing_id} @ {self.issued_at:%Y-%m-%d %H:%M}"


class ForecastValue(models.Model):
    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="values")
    lead_hours = models.PositiveSmallIntegerField(_("lead time (hours)"))
    target = models.DateTimeField(_("hour forecast"))
    aqi = models.FloatField(_("AQI"))

    class Meta:
        verbose_name = _("forecast AQI")
        verbose_name_plural = _("forecast AQI")
        constraints = [models.UniqueConstraint(fields=["run", "lead_hours"], name="environment_value_once")]
        ordering = ["run", "lead_hours"]

    def __str__(self):
        return f"+{self.lead_hours} h: {self.aqi:.0f}"
