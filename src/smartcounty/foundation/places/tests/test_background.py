"""The maps' offline background: the county outline and each town with a label point inside it."""

import pytest
from shapely.geometry import Point, shape

from .conftest import A, B

pytestmark = pytest.mark.django_db


def test_background_has_the_county_outline_and_labelled_towns(client, squares):
    data = client.get("/api/v1/places/background.geojson").json()
    towns = {f["properties"]["code"]: f for f in data["towns"]["features"]}
    assert set(towns) >= {A, B}
    for f in towns.values():
        p = f["properties"]
        assert p["name"] and shape(f["geometry"]).covers(Point(p["label_lon"], p["label_lat"]))
        assert len(p["bbox"]) == 4
    outline = shape(data["county"]["geometry"])
    assert all(outline.buffer(1e-9).covers(shape(f["geometry"])) for f in towns.values())


def test_background_is_public(client, squares):
    assert client.get("/api/v1/places/background.geojson").status_code == 200
