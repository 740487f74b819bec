from django.contrib import admin

from smartcounty.domains.governance.models import GridWorker
from smartcounty.kernel.admin import AuditedModelAdmin


@admin.register(GridWorker)
class GridWorkerAdmin(AuditedModelAdmin):
    list_display = ("user", "grid_code", "town_code", "is_active", "since")
    list_filter = ("is_active", "town_code")
    search_fields = ("grid_code", "user__username")
