"""Shapes other modules and the API see (never the ORM).

Event published by this module (after commit):

``places.changed`` — payload ``PlacesChanged``: divisions or grids were imported, renamed or
(re)generated. Modules that cache place names or geometry drop their cache.
"""

from ninja import Field, Schema

from smartcounty.kernel.api import InputSchema


class Location(Schema):
    """Where a WGS84 point is: its town/street and, when grids cover it, its grid."""

    town_code: str
    town_name: str
    grid_code: str | None = None
    grid_name: str | None = None
    community_code: str | None = None


class Division(Schema):
    code: str
    name: str
    name_en: str = ""
    level: str
    kind: str
    parent_code: str | None = None
    bbox: list[float] | None = Field(None, description="[west, south, east, north] in WGS84 degrees")
    is_demo_geometry: bool = False


class TownPoint(Schema):
    """A town/street with a point inside it (WGS84): where demo stations and records stand."""

    code: str
    name: str
    name_en: str = ""
    lon: float | None = None
    lat: float | None = None


class Grid(Schema):
    code: str
    town_code: str
    community_code: str
    name: str
    bbox: list[float] | None = Field(None, description="[west, south, east, north] in WGS84 degrees")
    is_demo_geometry: bool = False


class LocateOut(Schema):
    lon: float
    lat: float
    crs: str
    wgs84: list[float] = Field(description="the point converted to WGS84 [lon, lat]")
    location: Location | None = Field(None, description="null when the point is outside the county")


class GridRename(InputSchema):
    name: str = Field(min_length=1, max_length=80)


class PlacesChanged(Schema):
    level: str  # "town" | "grid"
    codes: list[str]
    reason: str  # "import" | "rename" | "demo"


class ImportProblem(Schema):
    index: int
    code: str | None = None
    reason: str


class ImportResult(Schema):
    level: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    codes: list[str] = []


class Layer(Schema):
    """A map layer (a named set of polygons, lines or points with attributes) and its current version."""

    key: str
    name: str
    description: str = ""
    public: bool = False
    is_demo: bool = False
    organisation_id: int | None = None
    style: dict = {}
    version: int | None = Field(None, description="number of the current version (null before the first import)")
    version_id: int | None = None
    feature_count: int = 0
    bbox: list[float] | None = None


class LayerVersion(Schema):
    """One import of a layer: queued, importing (``done`` of ``total`` features), ready or failed."""

    id: int
    layer_key: str
    number: int
    status: str
    source_format: str
    source_name: str = ""
    source_crs: str = ""
    repair: bool = False
    warnings: list[str] = []
    error: str = ""
    done: int = 0
    total: int | None = None
    feature_count: int = 0
    bbox: list[float] | None = None
    current: bool = False
    created_at: str
    finished_at: str | None = None


class LayerImportIn(InputSchema):
    repair: bool = Field(False, description="repair invalid geometry (shapely make_valid) instead of refusing it")
    crs: str | None = Field(None, max_length=120, description="the file's coordinate system when it does not say "
                            "(e.g. EPSG:4490, or GCJ-02); a Shapefile without .prj needs it")
