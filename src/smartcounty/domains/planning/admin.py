from django.contrib import admin

from smartcounty.domains.planning.models import Check, Rule
from smartcounty.kernel.admin import AuditedModelAdmin, ReadOnlyAdminMixin


@admin.register(Rule)
class RuleAdmin(AuditedModelAdmin):
    list_display = ("order", "title", "layer_key", "condition", "min_share", "verdict", "active")
    list_filter = ("verdict", "active")


@admin.register(Check)
class CheckAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ("created_at", "name", "area_m2", "verdict", "organisation_id")
    list_filter = ("verdict",)
    exclude = ("geometry", "report")
