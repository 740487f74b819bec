"""Admin plumbing: every module's ModelAdmin subclasses ``AuditedModelAdmin`` so that each
change made in the back office is also an audit row, and so is each opening of a page that shows
personal data (``personal_fields``). The audit log itself is read-only here."""

from django.contrib import admin

from smartcounty.kernel import audit
from smartcounty.kernel.models import AuditEntry


def _changed_fields(message):
    fields = []
    for part in message if isinstance(message, list) else []:
        fields.extend(part.get("changed", {}).get("fields", []))
    return fields


class AuditedModelAdmin(admin.ModelAdmin):
    #: Fields holding personal data (a phone number, a reporter's contact): opening the change (or view)
    #: page of an object that shows one of them is an audited read (``admin.personal_read``).
    personal_fields: tuple[str, ...] = ()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if self.personal_fields and request.method == "GET" and response.status_code == 200:
            obj = (getattr(response, "context_data", None) or {}).get("original")
            if obj is not None:
                self.record_personal_read(request, obj)
        return response

    def record_personal_read(self, request, obj) -> None:
        shown = [f for f in self.personal_fields if f in self.get_fields(request, obj) and getattr(obj, f, "")]
        if shown:
            audit.record("admin.personal_read", actor=request.user, obj=obj,
                         detail={"repr": str(obj)[:200], "fields": shown})

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


class ReadOnlyAdminMixin:
    """For rows only the platform writes (audit entries, rejected payloads, health events): an administrator
    reads them, never adds or changes one; deletes only where ``allow_delete`` (e.g. clearing old letters)."""

    allow_delete = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and super().has_delete_permission(request, obj)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "at", "actor", "action", "object_type", "object_id", "ip")
    list_filter = ("action",)
    search_fields = ("actor", "action", "object_type", "object_id")
    date_hierarchy = "at"
    list_per_page = 50
    allow_delete = False  # the audit chain is append-only
