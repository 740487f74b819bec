"""Point -> town/grid on and off borders, box queries, and the geometry cache."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartcounty.foundation.places import services, spatial
from smartcounty.foundation.places.models import Grid
from smartcounty.foundation.places.tests.conftest import A, B, collection, feature, square


def where(lon, lat):
    loc = services.locate(lon, lat)
    return None if loc is None else (loc.town_code, loc.grid_code)


@pytest.mark.parametrize(("point", "expected"), [
    ((115.02, 36.05), (A, "37152500100101")),  # right inside
    ((115.07, 36.02), (A, "37152500100102")),
    ((115.12, 36.05), (B, "37152500200101")),
])
def test_inside(squares, point, expected):
    assert where(*point) == expected


@pytest.mark.parametrize(("point", "expected"), [
    ((115.05, 36.05), (A, "37152500100101")),  # edge shared by two grids: the smaller code
    ((115.1, 36.05), (A, "37152500100102")),  # edge shared by two towns: smaller town, and its grid
    ((115.15, 36.05), (B, "37152500200101")),  # grid edge inside town B, beyond it no grid
    ((115.0, 36.05), (A, "37152500100101")),  # the county's own outer edge is inside
])
def test_on_a_border(squares, point, expected):
    assert where(*point) == expected


@pytest.mark.parametrize(("point", "expected"), [
    ((115.05, 36.1), (A, "37152500100101")),  # vertex shared by two grids on the outer edge
    ((115.1, 36.0), (A, "37152500100102")),  # vertex shared by two towns and three grids
    ((115.0, 36.0), (A, "37152500100101")),  # corner of the county
    ((115.2, 36.1), (B, None)),  # corner of the county where no grid is
])
def test_on_a_vertex(squares, point, expected):
    assert where(*point) == expected


@pytest.mark.parametrize("point", [(115.2000001, 36.05), (114.9999999, 36.05), (115.1, 36.1000001),
                                   (115.1, 35.9999999), (116.0, 37.0), (-0.12, 51.5)])
def test_just_outside_the_county(squares, point):
    assert services.locate(*point) is None


def test_inside_a_town_without_grids(squares):
    loc = services.locate(115.18, 36.05)
    assert (loc.town_code, loc.town_name, loc.grid_code) == (B, "崇文街道", None)


@pytest.mark.parametrize("bad", [(181, 36), (115, 91), (float("nan"), 36), ("x", 36)])
def test_bad_coordinates(squares, bad):
    with pytest.raises(ValueError):
        services.locate(*bad)


def test_locate_names(squares):
    loc = services.locate(115.02, 36.05)
    assert loc.town_name == "清泉街道" and loc.grid_name == "A-1" and loc.community_code == "371525001001"


# read-only: the squares need not be rebuilt between examples
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lon=st.floats(115.0, 115.2), lat=st.floats(36.0, 36.1))
def test_every_point_of_the_county_is_in_exactly_the_expected_town(squares, lon, lat):
    loc = services.locate(lon, lat)
    assert loc is not None
    assert loc.town_code == (A if lon <= 115.1 else B)
    if lon <= 115.15:
        assert loc.grid_code is not None and loc.grid_code.startswith(loc.town_code)
    else:
        assert loc.grid_code is None


def test_grid_codes_in_bbox_refines_with_the_polygon(squares):
    triangle = {"type": "Polygon", "coordinates": [[[115.15, 36.0], [115.2, 36.0], [115.2, 36.05], [115.15, 36.0]]]}
    services.import_geojson(collection(feature("37152500200102", triangle, "B-2")), "grid")
    # this box overlaps the triangle's bounding box but not the triangle itself
    assert services.grid_codes_in_bbox(115.16, 36.04, 115.17, 36.05) == []
    assert services.grid_codes_in_bbox(115.19, 36.0, 115.2, 36.01) == ["37152500200102"]
    assert services.grid_codes_in_bbox(115.0, 36.0, 115.2, 36.1) == [
        "37152500100101", "37152500100102", "37152500200101", "37152500200102"]
    assert services.grid_codes_in_bbox(116.0, 37.0, 116.1, 37.1) == []


def test_cache_follows_changes_made_elsewhere(squares):
    assert where(115.02, 36.05) == (A, "37152500100101")
    assert spatial.cache_size() > 0
    # another process moves grid 101 away (a plain UPDATE, as another worker would): no signal reaches us
    from django.utils import timezone
    g = Grid.objects.get(code="37152500100101")
    g.set_geometry(square(115.0, 36.05, 115.05, 36.1))
    Grid.objects.filter(pk=g.pk).update(geometry=g.geometry, min_lat=g.min_lat, updated_at=timezone.now())
    assert where(115.02, 36.02) == (A, None)
    assert where(115.02, 36.07) == (A, "37152500100101")


def test_reads(squares):
    towns = services.towns()
    assert len(towns) == 18 and towns[0].code == A and towns[0].kind == "subdistrict"
    assert services.town(A).bbox == [115.0, 36.0, 115.1, 36.1]
    assert services.town("371525999") is None and services.town("nonsense") is None
    county = services.county()
    assert county.code == "371525" and county.parent_code == "371500" and county.bbox == [115.0, 36.0, 115.2, 36.1]
    assert [g.code for g in services.grids(town_code=A)] == ["37152500100101", "37152500100102"]
    assert services.grids().count() == 3
    assert [g.code for g in services.grids(bbox=[115.12, 36.0, 115.13, 36.1])] == ["37152500200101"]
    assert services.grid("37152500200101").town_code == B
    assert services.grid("0") is None
    assert services.grid_counts() == {A: 2, B: 1}


def test_geojson(squares):
    towns = services.town_geojson()
    assert towns["type"] == "FeatureCollection" and len(towns["features"]) == 2
    first = towns["features"][0]
    assert first["id"] == A and first["geometry"]["type"] == "Polygon" and first["properties"]["label"] == "清泉街道"
    grids = services.grid_geojson(A)
    assert [f["id"] for f in grids["features"]] == ["37152500100101", "37152500100102"]
    assert services.grid_geojson("371525999") == {"type": "FeatureCollection", "features": []}


def test_a_warm_lookup_is_two_indexed_queries(squares, django_assert_num_queries):
    spatial.clear()
    with django_assert_num_queries(4):  # cold: candidates + geometries, for towns and for grids
        assert where(115.02, 36.05) == (A, "37152500100101")
    with django_assert_num_queries(2):  # warm: only the bounding-box candidate queries
        assert where(115.03, 36.06) == (A, "37152500100101")


def test_ensure_divisions_is_idempotent(db):
    assert services.ensure_divisions() == 19
    assert services.ensure_divisions() == 0
    assert len(services.towns()) == 18 and services.county().bbox is None
