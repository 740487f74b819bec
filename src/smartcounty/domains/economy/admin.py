from django.contrib import admin

from smartcounty.domains.economy.models import CloudStatus, Enterprise, Meter, Park
from smartcounty.kernel.admin import AuditedModelAdmin


@admin.register(Park)
class ParkAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "town_code", "organisation_id", "area_ha")
    search_fields = ("code", "name")


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedModelAdmin):
    list_display = ("uscc", "name", "industry", "town_code", "park", "size")
    list_filter = ("size", "kind", "park")
    search_fields = ("uscc", "name")
    list_select_related = ("park",)
    personal_fields = ("contact_name", "contact_phone")


@admin.register(CloudStatus)
class CloudStatusAdmin(AuditedModelAdmin):
    list_display = ("enterprise", "level", "provider", "since")
    list_filter = ("level",)
    list_select_related = ("enterprise",)


@admin.register(Meter)
class MeterAdmin(AuditedModelAdmin):
    list_display = ("code", "enterprise", "kind", "datastream_id")
    list_filter = ("kind",)
    list_select_related = ("enterprise",)
