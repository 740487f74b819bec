"""Dataset pages: booleans and objects read as words and JSON, and rows with coordinates become points."""

from django.utils import translation

from smartcounty.foundation.catalog import mapping


def test_cells_read_as_words_and_json():
    with translation.override("zh-hans"):
        assert mapping.shown(True) == "是" and mapping.shown(False) == "否"
    assert mapping.shown({"a": 1}) == '{"a": 1}' and mapping.shown(None) is None and mapping.shown(3) == "3"


def test_points_come_from_longitude_and_latitude_fields_by_name_or_title():
    rows = [{"name": "冠县一中", "x1": "115.44", "y1": "36.48"}, {"name": "坏行", "x1": "abc", "y1": "36.4"},
            {"name": "太远", "x1": "0", "y1": "0"}]
    titles = {"name": "名称", "x1": "经度", "y1": "纬度"}
    assert mapping.points(["name", "x1", "y1"], titles, rows) == [{"lon": 115.44, "lat": 36.48, "label": "冠县一中"}]
    assert mapping.points(["name"], {"name": "名称"}, [{"name": "x"}]) == []
