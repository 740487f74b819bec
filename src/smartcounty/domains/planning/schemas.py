"""What the planning module hands out (plain data) and takes in."""

from ninja import Field, Schema

from smartcounty.kernel.api import InputSchema


class RuleOut(Schema):
    code: str
    title: str
    layer_key: str
    condition: str
    min_share: float
    verdict: str
    message: str
    basis: str = ""


class FeatureHit(Schema):
    number: int
    name: str = ""
    overlap_m2: float
    share: float = Field(description="share of the parcel this feature covers, 0..1")
    properties: dict = {}


class LayerResult(Schema):
    key: str
    name: str
    version: int | None = None
    overlap_m2: float = 0
    share: float = Field(0, description="share of the parcel inside the layer, 0..1")
    outside_m2: float = 0
    feature_count: int = 0
    features: list[FeatureHit] = []
    overlap_geometry: dict | None = None
    missing: bool = Field(False, description="the layer has no data yet: its rules could not be checked")


class RuleResult(Schema):
    code: str
    title: str
    layer_key: str
    applies: bool
    verdict: str = Field(description="the rule's verdict when it applies, else pass")
    message: str = ""
    basis: str = ""


class CheckOut(Schema):
    id: int
    name: str
    area_m2: float
    verdict: str
    source: str
    created_at: str
    created_by: str = ""
    duration_ms: float = 0
    geometry: dict
    layers: list[LayerResult] = []
    rules: list[RuleResult] = []


class CheckRow(Schema):
    id: int
    name: str
    area_m2: float
    verdict: str
    created_at: str
    created_by_id: int | None = None


class CheckIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    geometry: dict = Field(description="the parcel: a GeoJSON Polygon or MultiPolygon (or a Feature) in WGS84/CGCS2000")
