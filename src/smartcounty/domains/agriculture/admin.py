from django.contrib import admin

from smartcounty.domains.agriculture.models import Advisory, Farm, Plot, Season, Sensor
from smartcounty.kernel.admin import AuditedModelAdmin


@admin.register(Farm)
class FarmAdmin(AuditedModelAdmin):
    list_display = ("name", "operator_name", "town_code")
    search_fields = ("name", "operator_name")
    personal_fields = ("operator_code", "operator_name")


@admin.register(Plot)
class PlotAdmin(AuditedModelAdmin):
    list_display = ("name", "farm", "area_mu")
    list_select_related = ("farm",)


@admin.register(Season)
class SeasonAdmin(AuditedModelAdmin):
    list_display = ("plot", "crop", "sown_on", "harvest_on")
    list_filter = ("crop",)
    list_select_related = ("plot",)


@admin.register(Sensor)
class SensorAdmin(AuditedModelAdmin):
    list_display = ("code", "farm", "kind", "pest", "threshold")
    list_filter = ("kind",)
    list_select_related = ("farm",)


@admin.register(Advisory)
class AdvisoryAdmin(AuditedModelAdmin):
    list_display = ("title", "crop", "town_code", "published_at", "source")
    list_filter = ("source", "crop")
