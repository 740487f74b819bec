from django.contrib import admin

from smartcounty.domains.security.models import Block, CriticalSystem, Event, Site
from smartcounty.kernel.admin import AuditedModelAdmin, ReadOnlyAdminMixin


@admin.register(CriticalSystem)
class CriticalSystemAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "level", "assessed_on", "next_due", "owner_organisation_id")
    list_filter = ("level", "critical")
    search_fields = ("code", "name")


@admin.register(Site)
class SiteAdmin(AuditedModelAdmin):
    list_display = ("name", "host", "port", "not_after", "verified", "checked_at")
    search_fields = ("name", "host")
    readonly_fields = ("checked_at", "error", "subject", "issuer", "san", "serial", "fingerprint", "not_before",
                       "not_after", "verified", "verify_error", "tls_version")


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ("at", "scenario", "ip", "count", "blocked")
    list_filter = ("scenario",)
    search_fields = ("ip",)


@admin.register(Block)
class BlockAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ("ip", "reason", "created_at", "until", "lifted_at")
    list_filter = ("reason",)
    search_fields = ("ip",)
