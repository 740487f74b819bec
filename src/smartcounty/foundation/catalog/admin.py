from django.contrib import admin

from smartcounty.foundation.catalog.models import (
    App,
    DatasetVersion,
    Grant,
    InfoItem,
    Resource,
    SharingRequest,
)
from smartcounty.kernel.admin import AuditedModelAdmin


class InfoItemInline(admin.TabularInline):
    model = InfoItem
    extra = 0


@admin.register(Resource)
class ResourceAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "provider_org_name", "domain", "sharing_type", "open_type", "update_cycle")
    list_filter = ("sharing_type", "open_type", "domain", "update_cycle", "is_demo")
    search_fields = ("code", "name", "slug", "provider_org_code")
    readonly_fields = ("uuid", "datastore_uuid", "current_version", "last_pulled_at", "pull_error", "classification",
                       "provider_org_id", "provider_org_code", "provider_org_name")
    inlines = [InfoItemInline]
    list_per_page = 50


@admin.register(DatasetVersion)
class DatasetVersionAdmin(AuditedModelAdmin):
    list_display = ("resource", "number", "source", "file_format", "row_count", "created_at")
    list_select_related = ("resource",)
    readonly_fields = [f.name for f in DatasetVersion._meta.fields]


@admin.register(SharingRequest)
class SharingRequestAdmin(AuditedModelAdmin):
    list_display = ("id", "resource", "requester_org_code", "status", "due_on", "decided_at", "escalated_at")
    list_filter = ("status",)
    list_select_related = ("resource",)


@admin.register(Grant)
class GrantAdmin(AuditedModelAdmin):
    list_display = ("id", "resource", "grantee_org_code", "expires_at", "revoked_at")
    list_select_related = ("resource",)


@admin.register(App)
class AppAdmin(AuditedModelAdmin):
    list_display = ("name", "owner", "prefix", "per_minute", "revoked_at")
    readonly_fields = ("prefix", "digest")
