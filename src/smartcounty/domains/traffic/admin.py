from django.contrib import admin

from smartcounty.domains.traffic.models import Incident, RoadSegment, SegmentStream, TpiSnapshot
from smartcounty.kernel.admin import AuditedModelAdmin


@admin.register(RoadSegment)
class RoadSegmentAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "road_class", "length_m", "free_flow_kmh", "town_code")
    list_filter = ("road_class",)
    search_fields = ("code", "name")
    list_per_page = 50


@admin.register(SegmentStream)
class SegmentStreamAdmin(AuditedModelAdmin):
    list_display = ("datastream_id", "segment", "source")
    list_filter = ("source",)
    list_select_related = ("segment",)
    list_per_page = 50


@admin.register(TpiSnapshot)
class TpiSnapshotAdmin(AuditedModelAdmin):
    list_display = ("bucket_ms", "tpi", "level", "segments", "congested")
    list_per_page = 50


@admin.register(Incident)
class IncidentAdmin(AuditedModelAdmin):
    list_display = ("segment", "detected_ms", "state", "speed_kmh", "baseline_kmh")
    list_filter = ("state",)
    list_select_related = ("segment",)
    list_per_page = 50
