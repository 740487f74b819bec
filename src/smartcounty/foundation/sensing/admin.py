from django.contrib import admin

from smartcounty.foundation.sensing.models import (
    Datastream,
    DeadLetter,
    FeatureOfInterest,
    HealthEvent,
    Location,
    ObservedProperty,
    Sensor,
    Thing,
)
from smartcounty.kernel.admin import AuditedModelAdmin, ReadOnlyAdminMixin


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0
    fields = ("name", "lon", "lat", "town_code", "grid_code")


@admin.register(Thing)
class ThingAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "organisation_id", "is_demo")
    list_filter = ("kind", "is_demo")
    search_fields = ("code", "name")
    inlines = [LocationInline]


@admin.register(Datastream)
class DatastreamAdmin(AuditedModelAdmin):
    list_display = ("id", "name", "property_code", "town_code", "online", "last_value", "expected_interval_s")
    list_filter = ("online", "property_code")
    search_fields = ("name", "thing__name", "thing__code")
    raw_id_fields = ("thing",)
    readonly_fields = ("last_ms", "last_value", "online", "property_code", "town_code", "grid_code", "lon", "lat",
                       "organisation_id")
    list_per_page = 50


@admin.register(ObservedProperty)
class ObservedPropertyAdmin(AuditedModelAdmin):
    list_display = ("code", "name_zh", "name_en", "unit")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Sensor)
class SensorAdmin(AuditedModelAdmin):
    list_display = ("name", "encoding_type")
    search_fields = ("name",)


@admin.register(FeatureOfInterest)
class FeatureOfInterestAdmin(AuditedModelAdmin):
    list_display = ("name", "encoding_type")


@admin.register(DeadLetter)
class DeadLetterAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    """Rejected payloads, read-only: what a device sent and why it was refused."""

    list_display = ("id", "at", "source", "topic", "reason", "datastream_id", "organisation_id")
    list_filter = ("source",)
    search_fields = ("reason", "topic", "payload")
    date_hierarchy = "at"
    list_per_page = 50


@admin.register(HealthEvent)
class HealthEventAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ("id", "datastream", "at", "online", "last_ms")
    list_filter = ("online",)
    raw_id_fields = ("datastream",)
