"""The demo: official towns, generated geometry that tiles the estimated box, idempotent loading."""

from io import StringIO

import pytest
import shapely
from shapely.geometry import box, shape

from smartcounty.foundation.places import data, demo, services
from smartcounty.foundation.places.models import Division, Grid
from smartcounty.foundation.places.tests.conftest import A, collection, feature, square
from smartcounty.kernel import codes, registry


@pytest.fixture
def loaded(db):
    return demo.load(stdout=StringIO())


def test_the_18_towns_and_streets_with_official_codes(loaded):
    towns = {t.code: t for t in services.towns()}
    assert len(towns) == 18
    assert {code: name for code, name, _ in data.TOWNS} == {c: t.name for c, t in towns.items()}
    kinds = [t.kind for t in towns.values()]
    assert (kinds.count("subdistrict"), kinds.count("town"), kinds.count("township")) == (3, 12, 3)
    assert towns["371525102"].name == "桑阿镇" and towns["371525209"].name_en == "Wanshan Township"
    assert all(t.parent_code == "371525" and t.is_demo_geometry for t in towns.values())
    assert services.county().name == "冠县"


def test_demo_geometry_tiles_the_estimated_box(loaded):
    area = box(*data.ESTIMATED_BBOX)
    town_shapes = [shape(g) for g in Division.objects.filter(level="township").values_list("geometry", flat=True)]
    assert all(s.is_valid for s in town_shapes)
    assert shapely.union_all(town_shapes).symmetric_difference(area).area < 1e-9
    assert sum(s.area for s in town_shapes) == pytest.approx(area.area, rel=1e-9)  # no overlaps
    grids = list(Grid.objects.all())
    assert len(grids) > 18 * 10
    assert all(codes.is_valid_grid_code(g.code) and g.code.startswith(g.town_code) and g.is_demo_geometry for g in grids)
    assert all(g.name.endswith(demo.DEMO_GRID_SUFFIX) for g in grids)
    grid_shapes = [shape(g.geometry) for g in grids]
    assert all(s.is_valid and s.geom_type == "Polygon" for s in grid_shapes)
    assert sum(s.area for s in grid_shapes) == pytest.approx(area.area, rel=1e-9)
    # slivers were merged: no grid is smaller than a fifth of a 0.02° cell (minus snapping)
    assert min(s.area for s in grid_shapes) >= demo.SLIVER_SHARE * demo.CELL_DEG ** 2 * 0.99


def test_every_demo_point_finds_a_town_and_a_grid_of_that_town(loaded):
    west, south, east, north = data.ESTIMATED_BBOX
    for i in range(1, 10):
        for j in range(1, 10):
            lon, lat = west + (east - west) * i / 10, south + (north - south) * j / 10
            loc = services.locate(lon, lat)
            assert loc is not None and loc.grid_code.startswith(loc.town_code)
    seat = services.locate(*data.SEAT)
    assert codes.township_kind(seat.town_code) == "subdistrict"  # the seat lies in a street
    assert services.locate(west - 0.001, south) is None


def test_town_points_are_one_stable_source_inside_each_town(db):
    before = services.town_points()  # nothing stored yet: the official list with the demo seeds
    assert [(t.code, t.name, t.name_en) for t in before] == list(data.TOWNS)
    demo.load(stdout=StringIO())
    after = services.town_points()
    assert after == before  # the same points once the demo shapes exist
    for t in after:
        assert services.locate(t.lon, t.lat).town_code == t.code
    # an imported shape that does not hold the seed: its town gets a point inside the new shape
    services.import_geojson(collection(feature(A, square(115.60, 36.60, 115.61, 36.61))), "town")
    moved = {t.code: t for t in services.town_points()}[A]
    assert 115.60 < moved.lon < 115.61 and 36.60 < moved.lat < 36.61


def test_generation_is_deterministic():
    one, two = demo.town_shapes(), demo.town_shapes()
    assert {c: s.wkb for c, s in one.items()} == {c: s.wkb for c, s in two.items()}
    assert [(c, g.wkb) for c, _, g in demo.grid_shapes(one)] == [(c, g.wkb) for c, _, g in demo.grid_shapes(two)]


def test_loading_twice_changes_nothing(loaded):
    before = list(Grid.objects.order_by("code").values_list("code", "updated_at"))
    towns_before = list(Division.objects.order_by("code").values_list("code", "geometry"))
    again = demo.load(stdout=StringIO())
    assert again == {"divisions_created": 0, "town_shapes": 0, "grids_created": 0, "villages_created": 0}
    assert list(Grid.objects.order_by("code").values_list("code", "updated_at")) == before
    assert list(Division.objects.order_by("code").values_list("code", "geometry")) == towns_before


def test_loading_never_overwrites_imported_geometry(loaded):
    services.import_geojson(collection(feature(A, square(115.40, 36.45, 115.45, 36.50))), "town")
    services.import_geojson(collection(feature("37152500100101", square(115.40, 36.45, 115.45, 36.50), "实测网格")),
                            "grid")
    Grid.objects.filter(town_code="371525002").delete()
    demo.load(stdout=StringIO())
    a = Division.objects.get(code=A)
    assert not a.is_demo_geometry and a.bbox == [115.40, 36.45, 115.45, 36.50]
    assert Grid.objects.filter(town_code=A).count() == 1  # real grids there: no demo grids come back
    assert Grid.objects.filter(town_code="371525002").exists()  # missing demo grids are restored
    assert services.county().is_demo_geometry  # still demo while any town is


def test_registered_with_the_kernel():
    loader = registry.demo_loaders.get("places")
    assert loader.order == 20 and loader.load is demo.load
    assert registry.menu.get("places").public
    assert registry.permissions.get("places.manage").roles == ()
