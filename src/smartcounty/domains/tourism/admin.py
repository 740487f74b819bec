from django.contrib import admin

from smartcounty.domains.tourism.models import Attraction, DailyVisits
from smartcounty.kernel.admin import AuditedModelAdmin


@admin.register(Attraction)
class AttractionAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "a_level", "max_instant", "max_daily", "present", "today", "warning")
    list_filter = ("a_level", "warning")
    search_fields = ("code", "name")
    list_per_page = 50


@admin.register(DailyVisits)
class DailyVisitsAdmin(AuditedModelAdmin):
    list_display = ("attraction", "day", "entries", "peak_present", "holiday")
    list_filter = ("holiday",)
    list_select_related = ("attraction",)
    list_per_page = 50
