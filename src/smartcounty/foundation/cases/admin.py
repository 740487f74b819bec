from django.contrib import admin

from smartcounty.foundation.cases.models import (
    AlertTrigger,
    AssignmentRule,
    CalendarDay,
    Case,
    CaseEvent,
    CaseTypeSetting,
    WorkflowDefinition,
)
from smartcounty.foundation.cases.workflow.admin import WorkflowDefinitionAdmin
from smartcounty.kernel.admin import AuditedModelAdmin

admin.site.register(WorkflowDefinition, WorkflowDefinitionAdmin)


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedModelAdmin):
    list_display = ("date", "kind", "name", "source")
    list_filter = ("kind",)
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from smartcounty.foundation.cases.engine import calendar_changed

        calendar_changed()


@admin.register(CaseTypeSetting)
class CaseTypeSettingAdmin(AuditedModelAdmin):
    list_display = ("case_type", "owner_organisation_id", "supervisor_organisation_id")


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(AuditedModelAdmin):
    list_display = ("case_type", "kind", "key", "organisation_id")
    list_filter = ("case_type", "kind")


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_state", "to_state", "actor_name", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(AuditedModelAdmin):
    list_display = ("number", "title", "case_type", "category", "state", "organisation_id", "due_at", "is_closed")
    list_filter = ("case_type", "state", "is_closed")
    search_fields = ("number", "title")
    readonly_fields = ("number", "state", "created_at", "closed_at")
    inlines = [CaseEventInline]
    list_per_page = 50
    personal_fields = ("reporter_name", "reporter_contact")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # cases move only through their workflow (services.transition)


@admin.register(AlertTrigger)
class AlertTriggerAdmin(AuditedModelAdmin):
    list_display = ("property", "source", "min_level", "case_type", "category", "is_active")
