"""OGC SensorThings 1.1 entities, plus the latest value kept on each datastream.

Observation times are integer epoch milliseconds (UTC): fast to insert, compare and bucket. The
observation table's primary key is (datastream, phenomenon time): it is the idempotency key of
ingest and the index every range query and aggregate walks. Town and grid are code columns from
places (no foreign key into another module); they are copied onto the datastream so the latest
values can be filtered by place with one indexed query.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ObservedProperty(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    definition = models.CharField(_("definition"), max_length=200, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=1)

    class Meta:
        ordering = ["code"]
        verbose_name = _("observed property")
        verbose_name_plural = _("observed properties")

    def __str__(self):
        return f"{self.name_zh} ({self.code})"


class Sensor(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    encoding_type = models.CharField(_("encoding type"), max_length=60, default="application/pdf")
    metadata = models.CharField(_("metadata"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sensor")
        verbose_name_plural = _("sensors")

    def __str__(self):
        return self.name


class Thing(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=40, blank=True, db_index=True)
    properties = models.JSONField(_("properties"), default=dict, blank=True)
    #: Organisation (accounts) that owns the device; None = county-wide, visible to all sensing staff.
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True, db_index=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("thing")
        verbose_name_plural = _("things")

    def __str__(self):
        return self.name


class Location(models.Model):
    """Where a thing is: a GeoJSON point, placed in a town and grid by places.locate()."""

    thing = models.ForeignKey(Thing, verbose_name=_("thing"), on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(_("name"), max_length=120, blank=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    town_code = models.CharField(_("town"), max_length=9, blank=True, db_index=True)
    grid_code = models.CharField(_("grid"), max_length=14, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self):
        return f"{self.thing} @ {self.lon:.5f},{self.lat:.5f}"

    @property
    def geojson(self) -> dict:
        return {"type": "Point", "coordinates": [self.lon, self.lat]}


class FeatureOfInterest(models.Model):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    encoding_type = models.CharField(_("encoding type"), max_length=60, default="application/geo+json")
    feature = models.JSONField(_("feature"), default=dict)

    class Meta:
        ordering = ["id"]
        verbose_name = _("feature of interest")
        verbose_name_plural = _("features of interest")

    def __str__(self):
        return self.name


class Datastream(models.Model):
    name = models.CharField(_("name"), max_length=160)
    thing = models.ForeignKey(Thing, verbose_name=_("thing"), on_delete=models.CASCADE, related_name="datastreams")
    sensor = models.ForeignKey(Sensor, verbose_name=_("sensor"), on_delete=models.PROTECT, related_name="datastreams")
    observed_property = models.ForeignKey(ObservedProperty, verbose_name=_("observed property"),
                                          on_delete=models.PROTECT, related_name="datastreams")
    feature_of_interest = models.ForeignKey(FeatureOfInterest, verbose_name=_("feature of interest"), null=True,
                                            blank=True, on_delete=models.SET_NULL, related_name="datastreams")
    unit_name = models.CharField(_("unit name"), max_length=40, blank=True)
    unit_symbol = models.CharField(_("unit symbol"), max_length=20, blank=True)
    unit_definition = models.CharField(_("unit definition"), max_length=200, blank=True)
    expected_interval_s = models.PositiveIntegerField(_("expected interval (seconds)"), default=300)
    # Copies kept in step by services (filters of the latest values must be one indexed query).
    property_code = models.CharField(_("property"), max_length=40, db_index=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True, db_index=True)
    town_code = models.CharField(_("town"), max_length=9, blank=True, db_index=True)
    grid_code = models.CharField(_("grid"), max_length=14, blank=True, db_index=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    # The latest value (phenomenon time in epoch ms).
    last_ms = models.BigIntegerField(_("last observation"), null=True, blank=True)
    last_value = models.FloatField(_("last value"), null=True, blank=True)
    online = models.BooleanField(_("online"), default=False, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("datastream")
        verbose_name_plural = _("datastreams")
        # The map's index: a bbox filter walks it on (lon, lat), and it holds every column the cockpit's
        # map queries read (sensors per cell, online or not; per thing), so they never visit the table's rows.
        indexes = [models.Index(fields=["lon", "lat", "online", "thing"], name="sensing_ds_map")]
        constraints = [models.UniqueConstraint(fields=["thing", "observed_property"], name="sensing_ds_thing_prop")]

    def __str__(self):
        return self.name


class Observation(models.Model):
    """One reading. Written by ``services.ingest`` with bulk SQL, never one ORM object at a time."""

    class Quality(models.IntegerChoices):
        GOOD = 0, _("good")
        SUSPECT = 1, _("suspect")
        BAD = 2, _("bad")

    pk = models.CompositePrimaryKey("datastream", "phenomenon_ms")
    # No database-level constraint (ingest checks the datastream; a datastream's deletion cascades); the primary
    # key (datastream, phenomenon time) serves every per-datastream query, ``sensing_obs_time`` the cross-stream ones.
    datastream = models.ForeignKey(Datastream, verbose_name=_("datastream"), on_delete=models.CASCADE,
                                   db_constraint=False, db_index=False, related_name="+")
    phenomenon_ms = models.BigIntegerField(_("phenomenon time"))
    result_ms = models.BigIntegerField(_("result time"), null=True)
    result = models.FloatField(_("result"), null=True)
    #: Non-numeric results (text, JSON) as their JSON text.
    result_json = models.TextField(_("result (other)"), null=True)
    quality = models.SmallIntegerField(_("quality"), choices=Quality.choices, default=Quality.GOOD)
    #: SensorThings properties beyond the common ones, as JSON text (null for nearly every row; the ingest fast
    #: path never writes it): ``parameters``, ``validTime`` [start, end], ``phenomenonTimeEnd`` of an interval.
    extra = models.TextField(_("other properties"), null=True)

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        # SensorThings' ``Observations?$filter=phenomenonTime ge …&$orderby=phenomenonTime`` reads across every
        # datastream in time order: this index walks it from the start time (``bench/sta_query.py`` measures the
        # query and what the index costs the ingest insert).
        indexes = [models.Index(fields=["phenomenon_ms"], name="sensing_obs_time")]

    def __str__(self):
        return f"{self.datastream_id}@{self.phenomenon_ms}: {self.result}"


class HourlyRollup(models.Model):
    """Count, sum, min and max of a datastream's numeric results per UTC hour, kept by ingest from the
    rows it stores. Beijing hours and days are whole UTC hours, so hourly and daily aggregates read
    this table (8,760 rows a year) instead of every observation."""

    pk = models.CompositePrimaryKey("datastream", "hour_ms")
    datastream = models.ForeignKey(Datastream, verbose_name=_("datastream"), on_delete=models.CASCADE,
                                   db_constraint=False, db_index=False, related_name="+")
    hour_ms = models.BigIntegerField(_("hour"))
    n = models.IntegerField(_("count"))
    total = models.FloatField(_("sum"))
    lo = models.FloatField(_("minimum"))
    hi = models.FloatField(_("maximum"))

    class Meta:
        verbose_name = _("hourly rollup")
        verbose_name_plural = _("hourly rollups")

    def __str__(self):
        return f"{self.datastream_id}@{self.hour_ms}: {self.n}"


class DeadLetter(models.Model):
    """A payload ingest could not store, with the reason, for administrators to look at."""

    class Source(models.TextChoices):
        HTTP = "http", _("HTTP")
        MQTT = "mqtt", _("MQTT")
        SIMULATOR = "simulator", _("simulator")
        OTHER = "other", _("other")

    at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, db_index=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    payload = models.TextField(_("payload"))
    datastream_id = models.BigIntegerField(_("datastream"), null=True, blank=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True, db_index=True)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sender"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")

    def __str__(self):
        return f"{self.source}: {self.reason}"


class HealthEvent(models.Model):
    """A datastream went offline (silent past its expected interval) or came back online."""

    datastream = models.ForeignKey(Datastream, verbose_name=_("datastream"), on_delete=models.CASCADE,
                                   related_name="health_events")
    at = models.DateTimeField(_("at"), db_index=True)
    online = models.BooleanField(_("online"))
    last_ms = models.BigIntegerField(_("last observation"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("health event")
        verbose_name_plural = _("health events")

    def __str__(self):
        return f"{self.datastream_id} {'online' if self.online else 'offline'} {self.at:%Y-%m-%d %H:%M}"
