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

    class Kind(models.TextChoices):
        COUNTY = "county", _("County")
        SUBDISTRICT = "subdistrict", _("Street (subdistrict)")
        TOWN = "town", _("Town")
        TOWNSHIP = "township", _("Township")
        OTHER = "other", _("Other township-level unit")

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
