from django.contrib import admin

from smartcounty.domains.citymgmt.models import Component, Open311Key
from smartcounty.kernel.admin import AuditedModelAdmin


@admin.register(Component)
class ComponentAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "category", "status", "grid_code", "owner_organisation_id")
    list_filter = ("category", "status")
    search_fields = ("code", "name")
    list_per_page = 50


@admin.register(Open311Key)
class Open311KeyAdmin(AuditedModelAdmin):
    list_display = ("name", "is_active", "created_at")
    readonly_fields = ("digest",)

    def has_add_permission(self, request):
        return False  # keys are issued by services.issue_api_key, which shows the secret once
