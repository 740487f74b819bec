from django.contrib import admin

from smartcounty.foundation.alerts.models import Alert, AlertEvent, Delivery, Rule, Subscription
from smartcounty.kernel.admin import AuditedModelAdmin


@admin.register(Rule)
class RuleAdmin(AuditedModelAdmin):
    list_display = ("id", "name", "kind", "property", "scope", "area_code", "level", "organisation_id", "enabled")
    list_filter = ("kind", "scope", "enabled")
    search_fields = ("name", "property")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from django.db import transaction

        from smartcounty.foundation.alerts import engine

        transaction.on_commit(engine.invalidate)


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "kind", "from_state", "to_state", "from_level", "to_level", "value", "actor", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(AuditedModelAdmin):
    list_display = ("id", "title", "level", "state", "property", "town", "raised_at", "resolved_at")
    list_filter = ("state", "level", "source")
    search_fields = ("title", "property", "town")
    date_hierarchy = "raised_at"
    inlines = [AlertEventInline]
    readonly_fields = [f.name for f in Alert._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(AuditedModelAdmin):
    list_display = ("id", "name", "channel", "target", "organisation_id", "min_level", "active")
    list_filter = ("channel", "active")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "subscription", "event", "status", "attempts", "last_status_code", "last_error",
                    "created_at", "delivered_at")
    list_filter = ("status", "event")
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False
