from django.contrib import admin

from smartcounty.foundation.places.models import Division, Grid
from smartcounty.kernel.admin import AuditedModelAdmin


@admin.register(Division)
class DivisionAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "name_en", "level", "kind", "is_demo_geometry")
    list_filter = ("level", "kind", "is_demo_geometry")
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("geometry", "min_lon", "min_lat", "max_lon", "max_lat", "is_demo_geometry", "updated_at")


@admin.register(Grid)
class GridAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "town_code", "community_code", "is_demo_geometry")
    list_filter = ("is_demo_geometry", "town_code")
    search_fields = ("code", "name")
    readonly_fields = ("code", "town_code", "community_code", "geometry", "min_lon", "min_lat", "max_lon", "max_lat",
                       "is_demo_geometry", "updated_at")
    list_per_page = 50

    def has_add_permission(self, request):
        return False  # grids come from the demo generator or a validated GeoJSON import
