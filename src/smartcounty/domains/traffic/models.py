"""Road segments, the speed streams mapped to them, 5-minute congestion snapshots and detected incidents."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoadSegment(models.Model):
    class RoadClass(models.TextChoices):
        EXPRESSWAY = "expressway", _("Expressway")
        ARTERIAL = "arterial", _("Arterial road")
        SECONDARY = "secondary", _("Secondary road")
        BRANCH = "branch", _("Branch road")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    road_class = models.CharField(_("road class"), max_length=12, choices=RoadClass.choices)
    length_m = models.FloatField(_("length (m)"))
    free_flow_kmh = models.FloatField(_("free-flow speed (km/h)"))
    #: GeoJSON LineString coordinates [[lon, lat], ...] (WGS84)
    coordinates = models.JSONField(_("coordinates"), default=list)
    west = models.FloatField()
    south = models.FloatField()
    east = models.FloatField()
    north = models.FloatField()
    town_code = models.CharField(_("town code"), max_length=12, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("road segment")
        verbose_name_plural = _("road segments")
        indexes = [models.Index(fields=["road_class", "code"], name="traffic_seg_class"),
                   models.Index(fields=["west", "east", "south", "north"], name="traffic_seg_bbox")]

    def __str__(self):
        return f"{self.code} {self.name}"


class SegmentStream(models.Model):
    """A sensing datastream of speed (km/h) that measures a segment: a fixed detector or floating cars."""

    class Source(models.TextChoices):
        DETECTOR = "detector", _("Fixed detector")
        FLOATING = "floating", _("Floating vehicles")

    segment = models.ForeignKey(RoadSegment, on_delete=models.CASCADE, related_name="streams")
    datastream_id = models.BigIntegerField(_("datastream id"), unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.FLOATING)

    class Meta:
        verbose_name = _("segment speed stream")
        verbose_name_plural = _("segment speed streams")
        indexes = [models.Index(fields=["source", "datastream_id"], name="traffic_stream_source")]

    def __str__(self):
        return f"{self.datastream_id} → {self.segment_id}"


class TpiSnapshot(models.Model):
    """The county TPI of one 5-minute window [bucket_ms, bucket_ms + 5 min)."""

    bucket_ms = models.BigIntegerField(_("window start (epoch ms)"), unique=True)
    tpi = models.FloatField(_("TPI"))
    level = models.PositiveSmallIntegerField(_("level"))
    tti = models.FloatField(_("travel-time index"))
    segments = models.PositiveIntegerField(_("segments with data"))
    congested = models.PositiveIntegerField(_("congested segments"))
    by_class = models.JSONField(_("TPI by road class"), default=dict)
    #: Beijing-time day of week (0 = Monday) and 5-minute slot of the day (0..287), for the profiles
    weekday = models.PositiveSmallIntegerField()
    slot = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-bucket_ms"]
        verbose_name = _("TPI snapshot")
        verbose_name_plural = _("TPI snapshots")
        indexes = [models.Index(fields=["weekday", "slot"], name="traffic_tpi_profile")]

    def __str__(self):
        return f"{self.bucket_ms}: {self.tpi}"


class SegmentState(models.Model):
    """One segment's mean speed and level in one 5-minute window (the segment's history)."""

    segment = models.ForeignKey(RoadSegment, on_delete=models.CASCADE, related_name="states")
    bucket_ms = models.BigIntegerField()
    speed_kmh = models.FloatField()
    level = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("segment state")
        verbose_name_plural = _("segment states")
        constraints = [models.UniqueConstraint(fields=["segment", "bucket_ms"], name="traffic_state_unique")]
        indexes = [models.Index(fields=["bucket_ms", "level"], name="traffic_state_level")]

    def __str__(self):
        return f"{self.segment_id}@{self.bucket_ms}: {self.level}"


class Incident(models.Model):
    """A traffic incident detected on a detector's speed (algorithm in ``incidents.py``)."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLEARED = "cleared", _("Cleared")

    segment = models.ForeignKey(RoadSegment, on_delete=models.CASCADE, related_name="incidents")
    datastream_id = models.BigIntegerField()
    detected_ms = models.BigIntegerField()
    cleared_ms = models.BigIntegerField(null=True, blank=True)
    baseline_kmh = models.FloatField(_("speed before (km/h)"))
    speed_kmh = models.FloatField(_("speed at detection (km/h)"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.ACTIVE)
    alert_id = models.BigIntegerField(null=True, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-detected_ms"]
        verbose_name = _("traffic incident")
        verbose_name_plural = _("traffic incidents")
        constraints = [models.UniqueConstraint(fields=["datastream_id", "detected_ms"], name="traffic_incident_unique")]
        indexes = [models.Index(fields=["state", "detected_ms"], name="traffic_incident_state"),
                   models.Index(fields=["datastream_id", "state"], name="traffic_incident_stream")]

    def __str__(self):
        return f"{self.segment_id}@{self.detected_ms}"


class CarPark(models.Model):
    """A car park or an on-street parking zone (APDS Place; FIWARE OffStreetParking / ParkingSpot zone)."""

    class Kind(models.TextChoices):
        OFF_STREET = "off_street", _("Car park")
        ON_STREET = "on_street", _("On-street parking zone")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    capacity = models.PositiveIntegerField(_("capacity (spaces)"))
    #: APDS Rates, simplified: minutes free, then yuan per started hour, a daily cap (0 = none)
    free_minutes = models.PositiveIntegerField(_("free minutes"), default=0)
    hourly_rate = models.DecimalField(_("rate (yuan per hour)"), max_digits=6, decimal_places=2, default=0)
    daily_cap = models.DecimalField(_("daily cap (yuan)"), max_digits=7, decimal_places=2, default=0)
    #: opening hours, Beijing time; both empty = open all day
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    town_code = models.CharField(_("town code"), max_length=12, blank=True)
    #: a sensing datastream of occupied spaces (parking_occupied) or of vacant spaces (parking_vacant)
    datastream_id = models.BigIntegerField(_("occupancy datastream id"), null=True, blank=True, unique=True)
    #: APDS refreshRate: how often the sensor reports; 3 intervals without a reading = offline
    refresh_interval_s = models.PositiveIntegerField(_("refresh interval (s)"), default=60)

    class Meta:
        ordering = ["code"]
        verbose_name = _("car park")
        verbose_name_plural = _("car parks")
        indexes = [models.Index(fields=["kind", "code"], name="traffic_park_kind"),
                   models.Index(fields=["town_code", "code"], name="traffic_park_town")]

    def __str__(self):
        return f"{self.code} {self.name}"


class Notice(models.Model):
    """A traffic control notice (交通管制公告): a closure, diversion or restriction over an area and a time."""

    class Kind(models.TextChoices):
        CLOSURE = "closure", _("Road closure")
        DIVERSION = "diversion", _("Diversion")
        RESTRICTION = "restriction", _("Traffic restriction")

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    area = models.CharField(_("area"), max_length=200)
    detour = models.CharField(_("detour"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    segment_codes = models.JSONField(_("road segments"), default=list, blank=True)
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("traffic notice")
        verbose_name_plural = _("traffic notices")
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="traffic_notice_time")]

    def __str__(self):
        return self.title
