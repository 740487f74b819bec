"""Upload limits: XLSX zip bombs (inflated size, ratio, columns, shared strings), rows, cells, and
versions without rows. Each bomb is built here, small compressed; memory is measured with
tracemalloc's peak beside a limit, and the previous version must stay current and whole."""

import io
import random
import struct
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from smartcounty.foundation.catalog import services
from smartcounty.foundation.catalog.models import DataRow
from smartcounty.kernel.problems import ApiError

GOOD_CSV = "监测站,日期,空气质量指数\n冠县站,2026-11-01,56\n冠县站,2026-11-02,88\n".encode()
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: Peak Python memory allowed while refusing a bomb (the bombs inflate to 40-300 MB).
PEAK_LIMIT = 16 * 1024 * 1024


def _workbook(header=("station", "day", "aqi"), rows=()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _replace(content: bytes, name: str, chunks) -> bytes:
    """The workbook with member ``name`` replaced by the bytes of ``chunks`` (written as they come)."""
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info, src.read(info))
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w") as member:
            for chunk in chunks:
                member.write(chunk)
    return out.getvalue()


def _add_rels_for_strings(content: bytes) -> bytes:
    """Make sure the workbook declares a sharedStrings part (openpyxl omits it when none is used)."""
    src = zipfile.ZipFile(io.BytesIO(content))
    rels = src.read("xl/_rels/workbook.xml.rels").decode()
    if "sharedStrings" in rels:
        return content
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.'
                        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>')
    types = src.read("[Content_Types].xml").decode().replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" '
                                                             'ContentType="application/vnd.openxmlformats-officedocum'
                                                             'ent.spreadsheetml.sharedStrings+xml"/></Types>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = {"xl/_rels/workbook.xml.rels": rels.encode(), "[Content_Types].xml": types.encode()}.get(
                info.filename) or src.read(info)
            dst.writestr(info, data)
    return out.getvalue()


def _sheet(rows_xml) -> list[bytes]:
    return [f'<worksheet xmlns="{MAIN}"><sheetData>'.encode(), *rows_xml, b"</sheetData></worksheet>"]


def _loaded(aqi):
    first = services.load_file(aqi, GOOD_CSV, filename="aqi.csv")
    return first


def _refused(aqi, first, content, *, code="upload-limit", filename="bomb.xlsx"):
    """Load ``content``: it must be refused with ``code``, within PEAK_LIMIT, leaving ``first`` current."""
    tracemalloc.start()
    try:
        with pytest.raises(ApiError) as err:
            services.load_file(aqi, content, filename=filename)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.code == code, err.value.detail
    assert peak < PEAK_LIMIT, f"peak {peak / 1e6:.1f} MB while refusing"
    aqi.refresh_from_db()
    assert aqi.current_version == first and aqi.versions.count() == 1
    assert DataRow.objects.filter(version__resource=aqi).count() == 2
    return err.value


@pytest.mark.parametrize("limit", ["max_inflated", "max_ratio"])
def test_a_workbook_that_inflates_past_the_limits_is_refused_from_its_directory(aqi, settings, limit):
    # 60 MB of blank cells, about 60 KB compressed (read as they are, a header and no rows).
    settings.SMARTCOUNTY_UPLOAD_MAX_INFLATED_BYTES = 50 * 1024 * 1024 if limit == "max_inflated" else 10 ** 10
    settings.SMARTCOUNTY_UPLOAD_MAX_RATIO = 100 if limit == "max_ratio" else 10 ** 6
    first = _loaded(aqi)
    header = b'<row r="1"><c t="inlineStr"><is><t>station</t></is></c></row>'
    bomb = _replace(_workbook(), "xl/worksheets/sheet1.xml",
                    _sheet([header, *(b"<row>" + b"<c/>" * 1000 + b"</row>" for _ in range(15_000))]))
    assert len(bomb) < 200 * 1024
    err = _refused(aqi, first, bomb)
    assert err.limit == limit


def test_a_member_inflating_past_its_declared_size_is_cut_off(aqi):
    first = _loaded(aqi)
    content = bytearray(_replace(_workbook(), "xl/worksheets/sheet1.xml",
                                 _sheet([b"<row><c><v>1</v></c></row>" * 1000 for _ in range(1000)])))
    # Declare 1,000 bytes (under the ratio floor) in the central directory, which the reader trusts,
    # for a sheet that inflates to 26 MB: reading must stop there, never inflate the rest.
    name = b"xl/worksheets/sheet1.xml"
    central = content.rfind(b"PK\x01\x02", 0, content.rfind(name))
    struct.pack_into("<I", content, central + 24, 1000)
    assert zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo(name.decode()).file_size == 1000
    _refused(aqi, first, bytes(content), code="invalid-dataset")


def test_many_columns_in_one_row_are_refused_at_the_limit(aqi, settings):
    settings.SMARTCOUNTY_UPLOAD_MAX_RATIO = 10 ** 6
    first = _loaded(aqi)
    cells = b"<c><v>1</v></c>" * 400_000  # 6 MB inflated in one row
    bomb = _replace(_workbook(), "xl/worksheets/sheet1.xml", _sheet([b"<row>", cells, b"</row>"]))
    err = _refused(aqi, first, bomb)
    assert err.limit == "max_columns" and err.row == 1


def test_a_huge_shared_string_is_refused_as_it_streams(aqi, settings):
    settings.SMARTCOUNTY_UPLOAD_MAX_RATIO = 10 ** 6
    settings.SMARTCOUNTY_UPLOAD_MAX_INFLATED_BYTES = 10 ** 10
    first = _loaded(aqi)
    content = _add_rels_for_strings(_workbook())
    strings = [f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode(),
               *(b"a" * (1024 * 1024) for _ in range(100)), b"</t></si></sst>"]
    bomb = _replace(content, "xl/sharedStrings.xml", strings)
    err = _refused(aqi, first, bomb)
    assert err.limit == "max_cell_chars"


def test_a_shared_string_longer_than_a_cell_may_be_is_refused(aqi):
    first = _loaded(aqi)
    rng = random.Random(7)
    text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(40_000))
    content = _add_rels_for_strings(_workbook())
    bomb = _replace(content, "xl/sharedStrings.xml",
                    [f'<sst xmlns="{MAIN}"><si><t>a</t></si><si><t>{text}</t></si></sst>'.encode()])
    err = _refused(aqi, first, bomb)
    assert err.limit == "max_cell_chars"


def test_rows_columns_and_cells_follow_the_settings_for_csv_too(aqi, settings):
    first = _loaded(aqi)
    settings.SMARTCOUNTY_UPLOAD_MAX_ROWS = 3
    many = GOOD_CSV + "冠县站,2026-11-03,50\n冠县站,2026-11-04,51\n".encode()
    assert _refused(aqi, first, many, filename="many.csv").limit == "max_rows"
    settings.SMARTCOUNTY_UPLOAD_MAX_CELL_CHARS = 10
    long = "监测站,日期,空气质量指数\n冠县站冠县站冠县站冠县站,2026-11-03,50\n".encode()
    err = _refused(aqi, first, long, filename="long.csv")
    assert (err.limit, err.row, err.column) == ("max_cell_chars", 2, "station")
    settings.SMARTCOUNTY_UPLOAD_MAX_COLUMNS = 2
    assert _refused(aqi, first, GOOD_CSV, filename="wide.csv").limit == "max_columns"
    settings.SMARTCOUNTY_UPLOAD_MAX_BYTES = 10
    assert _refused(aqi, first, GOOD_CSV, filename="big.csv").limit == "max_bytes"


@pytest.mark.parametrize("filename", ["empty.csv", "empty.xlsx", "empty.json"])
def test_a_file_without_rows_never_replaces_data_silently(aqi, people, filename):
    from smartcounty.kernel.models import AuditEntry

    first = _loaded(aqi)
    content = {"empty.csv": "监测站,日期,空气质量指数\n".encode(), "empty.xlsx": _workbook(),
               "empty.json": b"[]"}[filename]
    err = _refused(aqi, first, content, code="empty-dataset", filename=filename)
    assert err.status == 422
    version = services.load_file(aqi, content, filename=filename, allow_empty=True, actor=people["env_admin"])
    aqi.refresh_from_db()
    assert aqi.current_version == version and version.row_count == 0
    entry = AuditEntry.objects.filter(action="catalog.dataset_load").order_by("-id").first()
    assert entry.detail["empty"] is True and entry.detail["version"] == version.number


def test_the_api_and_the_page_use_the_same_limits(aqi, people, settings, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    first = _loaded(aqi)
    settings.SMARTCOUNTY_UPLOAD_MAX_BYTES = 3 * 1024 * 1024
    big = b"\xef\xbb\xbf" + GOOD_CSV + b"," * (2 * 1024 * 1024 + 100)  # past the 2 MB body limit of JSON calls
    api = Client()
    api.force_login(people["env_staff"])
    r = api.post(f"/api/v1/catalog/resources/{aqi.slug}/versions",
                 {"file": SimpleUploadedFile("big.csv", big, content_type="text/csv")})
    # Not refused for its size (under the upload limit, past the JSON body limit): loaded.
    assert r.status_code == 201 and r.json()["row_count"] == 2, r.content[:300]
    aqi.refresh_from_db()
    first = aqi.current_version
    settings.SMARTCOUNTY_UPLOAD_MAX_BYTES = 1024 * 1024
    r = api.post(f"/api/v1/catalog/resources/{aqi.slug}/versions",
                 {"file": SimpleUploadedFile("big.csv", big, content_type="text/csv")})
    assert r.status_code == 413 and r.json()["code"] in ("upload-limit", "body-too-large")
    empty = "监测站,日期,空气质量指数\n".encode()
    r = api.post(f"/api/v1/catalog/resources/{aqi.slug}/versions",
                 {"file": SimpleUploadedFile("e.csv", empty, content_type="text/csv")})
    assert r.status_code == 422 and r.json()["code"] == "empty-dataset"
    client.force_login(people["env_staff"])
    r = client.post(f"/catalog/internal/{aqi.slug}/upload/", {"file": SimpleUploadedFile("big.csv", big)},
                    follow=True)
    assert "1 MB" in r.content.decode()
    aqi.refresh_from_db()
    assert aqi.current_version == first
    r = client.post(f"/catalog/internal/{aqi.slug}/upload/",
                    {"file": SimpleUploadedFile("e.csv", empty), "allow_empty": "1"}, follow=True)
    aqi.refresh_from_db()
    assert aqi.current_version.row_count == 0
