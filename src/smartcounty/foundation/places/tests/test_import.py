"""GeoJSON import: per-feature validation, all or nothing, audit and event, the command."""

import json

import pytest
from django.core.management import CommandError, call_command

from smartcounty.foundation.places import services
from smartcounty.foundation.places.importer import ImportFailed
from smartcounty.foundation.places.models import Division, Grid
from smartcounty.foundation.places.tests.conftest import GRIDS, A, collection, feature, square
from smartcounty.kernel import events
from smartcounty.kernel.models import AuditEntry

BOWTIE = {"type": "Polygon", "coordinates": [[[115.0, 36.0], [115.1, 36.1], [115.1, 36.0], [115.0, 36.1], [115.0, 36.0]]]}
GOOD = feature("37152500100103", square(115.0, 36.0, 115.01, 36.01), "A-3")


@pytest.mark.parametrize(("bad", "reason"), [
    (feature("37152500100104", BOWTIE, "x"), "not valid"),
    (feature("37152500100104", {"type": "Point", "coordinates": [115, 36]}, "x"), "Polygon or MultiPolygon"),
    (feature("37152500100104", square(36.0, 115.0, 36.1, 115.1), "x"), "outside lon"),  # lat/lon swapped
    (feature("37152500100104", {"type": "Polygon", "coordinates": [[[115, 36], [115.1]]]}, "x"), "malformed"),
    (feature("37152500100104", None, "x"), "geometry is missing"),
    (feature("37152500100100", square(115.0, 36.0, 115.01, 36.01), "x"), "serial 00"),
    (feature("37152600100104", square(115.0, 36.0, 115.01, 36.01), "x"), "not in county"),
    (feature("37152599900104", square(115.0, 36.0, 115.01, 36.01), "x"), "does not exist"),
    (feature("37152500100104", square(115.0, 36.0, 115.01, 36.01)), "name is missing"),
    (feature("37152500100103", square(115.0, 36.0, 115.01, 36.01), "dup"), "twice"),
    ({"type": "Feature", "geometry": square(115, 36, 115.1, 36.1), "properties": {}}, "code is missing"),
    ({"type": "Thing"}, "not a GeoJSON Feature"),
])
def test_one_bad_grid_names_its_index_and_nothing_is_written(squares, bad, reason):
    before = list(Grid.objects.order_by("code").values_list("code", "name", "geometry"))
    audits = AuditEntry.objects.count()
    with pytest.raises(ImportFailed) as failed:
        services.import_geojson(collection(GOOD, bad), "grid", replace=True)
    [problem] = failed.value.problems
    assert problem.index == 1 and reason in problem.reason
    assert list(Grid.objects.order_by("code").values_list("code", "name", "geometry")) == before
    assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize(("data", "reason"), [
    (b"{not json", "not JSON"),
    ({"type": "Feature"}, "not a GeoJSON FeatureCollection"),
    ({"type": "FeatureCollection", "features": []}, "no features"),
])
def test_bad_files(squares, data, reason):
    with pytest.raises(ImportFailed) as failed:
        services.import_geojson(data, "grid")
    assert failed.value.problems[0].index == -1 and reason in failed.value.problems[0].reason


def test_every_bad_feature_is_reported(squares):
    with pytest.raises(ImportFailed) as failed:
        services.import_geojson(collection(feature("1", BOWTIE), GOOD, feature("2", BOWTIE)), "grid")
    assert [p.index for p in failed.value.problems] == [0, 2]


def test_town_import_validates_town_codes(divisions):
    for code, reason in (("371526001", "not a town"), ("371525", "not a town"), ("371525150", "needs properties.name")):
        with pytest.raises(ImportFailed) as failed:
            services.import_geojson(collection(feature(code, square(115, 36, 115.1, 36.1))), "town")
        assert reason in failed.value.problems[0].reason
    assert not Division.objects.filter(geometry__isnull=False).exists()


def test_town_import_creates_a_new_town_and_updates_the_county(divisions):
    result = services.import_geojson(collection(
        feature("371525150", square(115.0, 36.0, 115.1, 36.1), "新镇", name_en="Xin Town"),
        feature(A, square(115.1, 36.0, 115.2, 36.1))), "town")
    assert (result.created, result.updated) == (1, 1)
    new = Division.objects.get(code="371525150")
    assert (new.kind, new.name, new.level, new.parent.code) == ("town", "新镇", "township", "371525")
    assert Division.objects.get(code=A).name == "清泉街道"  # a town's name is kept unless given
    assert services.county().bbox == [115.0, 36.0, 115.2, 36.1]


def test_grid_import_replaces_demo_grids_only_unless_asked(squares):
    demo_grid = Grid(code="37152500200102", town_code="371525002", community_code="371525002001", name="演示")
    demo_grid.set_geometry(square(115.15, 36.0, 115.2, 36.1), demo=True)
    demo_grid.save()
    result = services.import_geojson(collection(GOOD), "grid")
    assert (result.created, result.deleted) == (1, 1)
    assert not Grid.objects.filter(code="37152500200102").exists()
    assert Grid.objects.count() == 4
    result = services.import_geojson(collection(GOOD), "grid", replace=True)
    assert (result.created, result.updated, result.deleted) == (0, 1, 3)
    assert list(Grid.objects.values_list("code", flat=True)) == ["37152500100103"]


def test_import_is_audited_and_announced(squares, django_capture_on_commit_callbacks):
    seen = []

    def handler(name, payload):
        seen.append(payload)

    events.subscribe("places.changed", handler, module="places-test")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.import_geojson(collection(GOOD), "grid")
    finally:
        events.unsubscribe("places.changed", handler)
    entry = AuditEntry.objects.filter(action="places.import").latest("id")
    assert entry.detail["created"] == 1 and entry.actor == "system"
    assert seen[-1] == {"level": "grid", "codes": ["37152500100103"], "reason": "import"}


def test_command_imports_a_file(squares, tmp_path, capsys):
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps(collection(GOOD)), encoding="utf-8")
    call_command("places_import", str(path), "--level", "grid")
    assert "1 created" in capsys.readouterr().out
    assert Grid.objects.filter(code="37152500100103", is_demo_geometry=False).exists()


def test_command_refuses_a_bad_file_and_names_the_feature(squares, tmp_path, capsys):
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps(collection(GOOD, feature("37152500100104", BOWTIE, "x"))), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("places_import", str(path), "--level", "grid")
    assert "feature 1 (37152500100104): geometry is not valid" in capsys.readouterr().err
    assert not Grid.objects.filter(code="37152500100103").exists()
    with pytest.raises(CommandError, match="cannot read"):
        call_command("places_import", str(tmp_path / "missing.geojson"), "--level", "grid")


def test_reimporting_the_same_file_changes_nothing_but_timestamps(squares):
    before = list(Grid.objects.order_by("code").values_list("code", "name", "geometry", "min_lon"))
    result = services.import_geojson(GRIDS, "grid")
    assert (result.created, result.updated, result.deleted) == (0, 3, 0)
    assert list(Grid.objects.order_by("code").values_list("code", "name", "geometry", "min_lon")) == before
