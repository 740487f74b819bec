"""Divisions (the county and its towns/streets) and unit grids, with GeoJSON geometry.

Geometry is stored as GeoJSON (a Polygon or MultiPolygon, WGS84 treated as CGCS2000, lon/lat
order) in a JSON column, beside indexed bounding-box columns that make point and box queries an
index range scan on SQLite and PostgreSQL alike; shapely refines the candidates (``spatial.py``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GeometryMixin(models.Model):
    geometry = models.JSONField(_("geometry (GeoJSON)"), null=True, blank=True)
    min_lon = models.FloatField(_("west"), null=True, blank=True, editable=False)
    min_lat = models.FloatField(_("south"), null=True, blank=True, editable=False)
    max_lon = models.FloatField(_("east"), null=True, blank=True, editable=False)
    max_lat = models.FloatField(_("north"), null=True, blank=True, editable=False)
    is_demo_geometry = models.BooleanField(
        _("demo geometry"), default=False,
        help_text=_("Generated for the demo, not an official boundary: replace it by importing GeoJSON."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def set_geometry(self, geometry: dict | None, *, demo: bool | None = None) -> None:
        """Store a GeoJSON geometry and its bounding box (the caller has validated it)."""
        from shapely.geometry import shape

        self.geometry = geometry
        if geometry:
            self.min_lon, self.min_lat, self.max_lon, self.max_lat = shape(geometry).bounds
        else:
            self.min_lon = self.min_lat = self.max_lon = self.max_lat = None
        if demo is not None:
            self.is_demo_geometry = demo

    @property
    def bbox(self) -> list[float] | None:
        if self.min_lon is None:
            return None
        return [self.min_lon, self.min_lat, self.max_lon, self.max_lat]


class Division(GeometryMixin):
    class Level(models.TextChoices):
        COUNTY = "county", _("County")
        TOWNSHIP = "township", _("Town or street")
        VILLAGE = "village", _("Village or community")

    class Kind(models.TextChoices):
        COUNTY = "county", _("County")
        SUBDISTRICT = "subdistrict", _("Street (subdistrict)")
        TOWN = "town", _("Town")
        TOWNSHIP = "township", _("Township")
        OTHER = "other", _("Other township-level unit")
        VILLAGE = "village", _("Village (村)")
        COMMUNITY = "community", _("Community (社区)")

    code = models.CharField(_("division code"), max_length=12, unique=True)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name (pinyin)"), max_length=80, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        indexes = [models.Index(fields=["level", "min_lon", "max_lon", "min_lat", "max_lat"],
                                name="places_div_level_bbox")]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Grid(GeometryMixin):
    """A unit grid (单元网格): 14-digit code = county 6 + street 3 + community 3 + serial 2."""

    code = models.CharField(_("grid code"), max_length=14, unique=True)
    town_code = models.CharField(_("town or street code"), max_length=9, db_index=True)
    community_code = models.CharField(_("community code"), max_length=12, db_index=True)
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["code"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="places_grid_bbox")]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Layer(models.Model):
    """A map layer: a named set of polygons, lines or points with attributes, imported in versions."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    organisation_id = models.BigIntegerField(_("owning organisation"), null=True, blank=True)
    public = models.BooleanField(_("public"), default=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    style = models.JSONField(_("map style"), default=dict, blank=True)
    current_version = models.ForeignKey("LayerVersion", verbose_name=_("current version"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("map layer")
        verbose_name_plural = _("map layers")

    def __str__(self):
        return f"{self.name} ({self.key})"


class LayerVersion(models.Model):
    """One import of a layer. Versions stay readable after a newer one becomes current."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        IMPORTING = "importing", _("Importing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    layer = models.ForeignKey(Layer, verbose_name=_("layer"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    source_format = models.CharField(_("format"), max_length=10)
    source_name = models.CharField(_("file name"), max_length=200, blank=True)
    source_crs = models.CharField(_("coordinate system of the file"), max_length=120, blank=True)
    repair = models.BooleanField(_("repair invalid geometry"), default=False)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    done = models.PositiveIntegerField(_("features read"), default=0)
    total = models.PositiveIntegerField(_("features expected"), null=True, blank=True)
    feature_count = models.PositiveIntegerField(_("features"), default=0)
    levels = models.JSONField(_("index levels used"), default=list, blank=True)
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    created_by_id = models.BigIntegerField(_("imported by"), null=True, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["layer_id", "-number"]
        verbose_name = _("layer version")
        verbose_name_plural = _("layer versions")
        constraints = [models.UniqueConstraint(fields=["layer", "number"], name="places_layer_version_unique")]

    def __str__(self):
        return f"{self.layer_id} v{self.number}"


class LayerFeature(models.Model):
    """A feature of a layer version: geometry as WKB (lon/lat degrees, CGCS2000/WGS84) and its attributes."""

    version = models.ForeignKey(LayerVersion, on_delete=models.CASCADE, related_name="features")
    number = models.PositiveIntegerField(_("feature number in the file"))
    geom_type = models.CharField(_("geometry type"), max_length=20)
    wkb = models.BinaryField(_("geometry (WKB)"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    properties = models.JSONField(_("attributes"), default=dict, blank=True)
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()

    class Meta:
        ordering = ["version_id", "number"]
        indexes = [models.Index(fields=["version", "number"], name="places_layerfeat_num")]

    def __str__(self):
        return f"{self.version_id}#{self.number} {self.name}"


class LayerCell(models.Model):
    """The layers' spatial index: a feature is filed under the cells (at most 2 × 2) of the finest level of a
    hierarchical grid whose cells are at least as large as its bounding box (level L: cells of 360/2^L degrees).
    A box query asks each level in use for the cells the box covers (one index range per level)."""

    version_id = models.BigIntegerField()
    level = models.PositiveSmallIntegerField()
    cx = models.IntegerField()
    cy = models.IntegerField()
    feature_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["version_id", "level", "cx", "cy"], name="places_layercell_idx")]

    def __str__(self):
        return f"{self.version_id}/{self.level}/{self.cx}/{self.cy} → {self.feature_id}"
