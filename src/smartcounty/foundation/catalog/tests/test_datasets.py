import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from openpyxl import Workbook

from smartcounty.foundation.catalog import services
from smartcounty.foundation.catalog.models import DataRow, Resource
from smartcounty.foundation.catalog.services.datasets import DatasetError

GOOD_CSV = "监测站,日期,空气质量指数\n冠县站,2026-11-01,56\n冠县站,2026-11-02,88\n".encode()


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_csv_upload_makes_a_version(aqi):
    v = services.load_file(aqi, GOOD_CSV, filename="aqi.csv")
    aqi.refresh_from_db()
    assert aqi.current_version == v and v.number == 1 and v.row_count == 2
    assert list(DataRow.objects.filter(version=v).values_list("data", flat=True)) == [
        {"station": "冠县站", "day": "2026-11-01", "aqi": 56}, {"station": "冠县站", "day": "2026-11-02", "aqi": 88}]


@pytest.mark.parametrize(("content", "row", "column"), [
    ("监测站,日期,空气质量指数\n冠县站,2026-11-01,56\n冠县站,2026-11-32,80\n", 3, "day"),
    ("监测站,日期,空气质量指数\n冠县站,2026-11-01,很好\n", 2, "aqi"),
    ("监测站,日期,空气质量指数\n,2026-11-01,50\n", 2, "station"),
    ("监测站,日期,风速\n冠县站,2026-11-01,3\n", 1, "风速"),
    ("监测站,日期\n冠县站,2026-11-01\n", 1, "aqi"),
    ("监测站,日期,空气质量指数\n冠县站,2026-11-01,50,多余\n", 2, "#4"),
])
def test_a_bad_csv_names_row_and_column_and_keeps_the_previous_version(aqi, content, row, column):
    first = services.load_file(aqi, GOOD_CSV, filename="aqi.csv")
    with pytest.raises(DatasetError) as err:
        services.load_file(aqi, content.encode(), filename="bad.csv")
    assert (err.value.row, err.value.column) == (row, column)
    assert f"row {row}" in str(err.value.detail)
    aqi.refresh_from_db()
    assert aqi.current_version == first and aqi.versions.count() == 1
    assert DataRow.objects.filter(version__resource=aqi).count() == 2


def test_xlsx_upload_and_bad_xlsx(aqi):
    from datetime import datetime

    good = _xlsx([["station", "day", "aqi"], ["冠县站", datetime(2026, 11, 1), 56.0], ["冠县站", "2026-11-02", 70]])
    v1 = services.load_file(aqi, good, filename="aqi.xlsx")
    assert v1.row_count == 2
    assert DataRow.objects.get(version=v1, number=1).data == {"station": "冠县站", "day": "2026-11-01", "aqi": 56}
    bad = _xlsx([["station", "day", "aqi"], ["冠县站", "2026-11-03", 60], ["冠县站", "2026-11-04", 60.5]])
    with pytest.raises(DatasetError) as err:
        services.load_file(aqi, bad, filename="aqi.xlsx")
    assert (err.value.row, err.value.column) == (3, "aqi")
    with pytest.raises(DatasetError):
        services.load_file(aqi, b"PK\x03\x04 not really a workbook", filename="aqi.xlsx")
    aqi.refresh_from_db()
    assert aqi.current_version == v1


def test_json_and_geojson(orgs):
    res = services.create_resource({"code": "218001/00001", "slug": "toilets", "name": "公共厕所", "domain": "18",
                                    "format": "spatial", "sharing_type": "unconditional"},
                                   [{"name": "name", "required": True}, {"name": "location", "data_type": "geometry"}],
                                   provider_org_id=orgs["health"].pk)
    gj = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [115.44, 36.48]}, "properties": {"name": "A"}}]}
    v = services.load_file(res, json.dumps(gj).encode(), filename="t.geojson")
    assert v.is_spatial and v.row_count == 1
    bad = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": ["x"]}, "properties": {"name": "B"}}]}
    with pytest.raises(DatasetError) as err:
        services.load_file(res, json.dumps(bad).encode(), filename="t.geojson")
    assert (err.value.row, err.value.column) == (1, "location")
    v2 = services.load_file(res, json.dumps([{"name": "C", "location": None}]).encode(), filename="t.json")
    assert v2.number == 2
    with pytest.raises(DatasetError):
        services.load_file(res, b"[{\"name\": ", filename="t.json")


def test_publish_dataset_for_modules_and_versions_are_pruned(aqi):
    for n in range(7):
        services.publish_dataset(aqi.code, [{"station": "s", "day": "2026-11-01", "aqi": n}])
    aqi.refresh_from_db()
    assert aqi.current_version.number == 7
    assert DataRow.objects.filter(version__resource=aqi).values("version").distinct().count() == 5
    with pytest.raises(DatasetError):
        services.publish_dataset(aqi.code, [{"station": "s", "day": "2026-11-01", "aqi": "x"}])
    assert Resource.objects.get(pk=aqi.pk).current_version.number == 7


class _Handler(BaseHTTPRequestHandler):
    body = GOOD_CSV
    hits = 0

    def do_GET(self):  # noqa: N802
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()
        self.wfile.write(type(self).body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_pull_from_url_on_its_cycle(aqi, http_server, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.SMARTCOUNTY_OUTBOUND_ALLOW = ["127.0.0.1"]  # the county's own source, on loopback here

    services.update_resource(aqi, {"source_url": f"{http_server}/aqi.csv"})
    aqi.refresh_from_db()
    assert services.pull_due() == [aqi]
    v = services.pull(aqi)
    assert v is not None and v.source == "url" and v.row_count == 2
    aqi.refresh_from_db()
    assert services.pull_due() == []  # daily cycle: not due again yet
    assert services.pull_due(timezone.now() + timedelta(days=1, minutes=1)) == [aqi]
    assert services.pull(aqi) is None  # same content: no new version
    _Handler.body = "监测站,日期,空气质量指数\n冠县站,2026-11-05,坏值\n".encode()
    try:
        assert services.pull(aqi) is None
    finally:
        _Handler.body = GOOD_CSV
    aqi.refresh_from_db()
    assert "row 2" in aqi.pull_error and aqi.current_version == v


@pytest.mark.parametrize("depth", [200_000, 500])
def test_a_deeply_nested_json_upload_is_refused_and_keeps_the_previous_version(aqi, depth):
    first = services.load_file(aqi, GOOD_CSV, filename="aqi.csv")
    with pytest.raises(DatasetError) as err:
        services.load_file(aqi, b"[" * depth + b"]" * depth, filename="deep.json")
    assert "nested deeper" in str(err.value.detail) or "depth" in str(err.value.detail)
    aqi.refresh_from_db()
    assert aqi.current_version == first and aqi.versions.count() == 1
