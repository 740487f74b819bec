from django.contrib import admin

from smartcounty.domains.market.models import (
    Equipment,
    FoodBusiness,
    FoodInspection,
    Inspection,
    KindRule,
    Reminder,
    RiskAssessment,
    Unit,
)
from smartcounty.kernel.admin import AuditedModelAdmin, ReadOnlyAdminMixin


@admin.register(KindRule)
class KindRuleAdmin(AuditedModelAdmin):
    """The interval table: saving a row moves every piece of that kind onto the new interval."""

    list_display = ("kind", "interval_months", "basis")
    readonly_fields = ("kind",)

    def has_add_permission(self, request):  # one row per kind, made by services.ensure_kind_rules
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from smartcounty.domains.market import services

        services.set_interval(obj.kind, obj.interval_months, basis=obj.basis, actor=request.user)


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ("name", "uscc", "town_code", "overdue_count")
    search_fields = ("name", "uscc")
    personal_fields = ("contact_name", "contact_phone")


@admin.register(Equipment)
class EquipmentAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    """Equipment is registered, inspected and imported through the pages and API (which keep the due date)."""

    list_display = ("registration_code", "name", "kind", "unit", "next_due", "next_task", "status")
    list_filter = ("kind", "status")
    search_fields = ("registration_code", "name")
    list_select_related = ("unit",)


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ("equipment", "task", "done_on", "result", "body")
    list_select_related = ("equipment",)


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ("equipment", "kind", "due_on", "created_on")
    list_select_related = ("equipment",)


@admin.register(FoodBusiness)
class FoodBusinessAdmin(AuditedModelAdmin):
    list_display = ("name", "licence_no", "category", "grade", "next_inspection")
    list_filter = ("category", "grade")
    search_fields = ("name", "licence_no", "uscc")
    readonly_fields = ("grade", "grade_year", "last_inspected", "next_inspection")


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ("business", "year", "grade", "static_score", "dynamic_score")
    list_select_related = ("business",)


@admin.register(FoodInspection)
class FoodInspectionAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ("business", "done_on", "result", "case_number")
    list_select_related = ("business",)
