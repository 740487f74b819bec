"""Admin plumbing: every module's ModelAdmin subclasses ``AuditedModelAdmin`` so that each
change made in the back office is also an audit row. The audit log itself is read-only here."""

from django.contrib import admin

from smartcounty.kernel import audit
from smartcounty.kernel.models import AuditEntry


def _changed_fields(message):
    fields = []
    for part in message if isinstance(message, list) else []:
        fields.extend(part.get("changed", {}).get("fields", []))
    return fields


class AuditedModelAdmin(admin.ModelAdmin):
    def log_addition(self, request, obj, message):
        audit.record("admin.add", actor=request.user, obj=obj, detail={"repr": str(obj)[:200]})
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit.record("admin.change", actor=request.user, obj=obj,
                     detail={"repr": str(obj)[:200], "fields": _changed_fields(message)})
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit.record("admin.delete", actor=request.user, obj=obj, detail={"repr": str(obj)[:200]})
        return super().log_deletions(request, queryset)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("id", "at", "actor", "action", "object_type", "object_id", "ip")
    list_filter = ("action",)
    search_fields = ("actor", "action", "object_type", "object_id")
    date_hierarchy = "at"
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
