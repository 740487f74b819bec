from django.contrib import admin

from smartcounty.domains.emergency.models import (
    Building,
    Incident,
    Item,
    Resource,
    Shelter,
    StockMove,
    TeamMember,
    Warning,
)
from smartcounty.kernel.admin import AuditedModelAdmin, ReadOnlyAdminMixin


@admin.register(Resource)
class ResourceAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "status", "town_code", "quantity")
    list_filter = ("kind", "status")
    search_fields = ("code", "name")
    personal_fields = ("contact_name", "contact_phone")


@admin.register(TeamMember)
class TeamMemberAdmin(AuditedModelAdmin):
    list_display = ("name", "team", "on_duty")
    list_select_related = ("team",)
    personal_fields = ("name", "phone")


@admin.register(Shelter)
class ShelterAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "shelter_class", "capacity", "occupied", "service_radius_m")
    list_filter = ("shelter_class",)
    search_fields = ("code", "name")
    personal_fields = ("contact_name", "contact_phone")


@admin.register(Item)
class ItemAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "unit")


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    """The ledger is written only through the services (each line audited, balances never negative)."""

    list_display = ("at", "depot", "item", "kind", "delta", "balance", "reference")
    list_filter = ("kind",)
    list_select_related = ("depot", "item")


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ("number", "title", "level", "state", "opened_at")
    list_filter = ("state", "level")


@admin.register(Warning)
class WarningAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ("identifier", "headline", "level", "sent_at", "cancelled_at")


@admin.register(Building)
class BuildingAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "town_code", "contact_name")
    personal_fields = ("contact_name", "contact_phone")
