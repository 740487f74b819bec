from django.contrib import admin

from smartcounty.domains.traceability.models import Batch, Event, Link
from smartcounty.kernel.admin import AuditedModelAdmin


@admin.register(Batch)
class BatchAdmin(AuditedModelAdmin):
    list_display = ("code", "product", "quantity", "unit", "stage", "producer_name", "recalled_at")
    list_filter = ("stage",)
    search_fields = ("code", "product", "producer_code")
    personal_fields = ("producer_code", "producer_name")


@admin.register(Link)
class LinkAdmin(AuditedModelAdmin):
    list_display = ("parent", "child", "kind")
    list_select_related = ("parent", "child")


@admin.register(Event)
class EventAdmin(AuditedModelAdmin):
    """Events are chained by hash: the back office shows them and never changes them."""

    list_display = ("id", "batch", "kind", "stage", "time", "who")
    list_filter = ("kind", "stage")
    list_select_related = ("batch",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
