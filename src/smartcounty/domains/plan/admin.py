from django.contrib import admin

from smartcounty.domains.plan.models import Action, KpiValue, Project, Reminder, Task
from smartcounty.kernel.admin import AuditedModelAdmin, ReadOnlyAdminMixin


@admin.register(Action)
class ActionAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ("number", "title", "section")


@admin.register(Task)
class TaskAdmin(AuditedModelAdmin):
    list_display = ("title", "action", "year", "deadline", "owner_organisation_id", "state", "progress")
    list_filter = ("state", "year")
    search_fields = ("title",)


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ("task", "kind", "deadline", "on")
    list_filter = ("kind",)


@admin.register(KpiValue)
class KpiValueAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ("key", "value", "at")
    list_filter = ("key",)


@admin.register(Project)
class ProjectAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "stage", "budget", "owner_organisation_id")
    list_filter = ("stage",)
    search_fields = ("code", "name")
