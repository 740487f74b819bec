"""CSV read strictly through the real upload paths (API and page): an unterminated quote or text after
a closing quote never merges rows, a NUL byte is never stored; the refusal names the line, nothing is
written and the current version stays."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from smartcounty.foundation.catalog import services
from smartcounty.foundation.catalog.models import DataRow, DatasetVersion

GOOD_CSV = "监测站,日期,空气质量指数\n冠县站,2026-11-01,56\n冠县站,2026-11-02,88\n".encode()
# Row 3 opens a quote that is never closed: a lax reader swallows rows 3-5 into one cell (201).
UNCLOSED = ('监测站,日期,空气质量指数\n冠县站,2026-11-01,56\n"冠县站,2026-11-02,88\n'
            '冠县站,2026-11-03,40\n冠县站,2026-11-04,41\n').encode()
AFTER_QUOTE = '监测站,日期,空气质量指数\n冠县站,2026-11-01,56\n"冠县"站,2026-11-02,88\n'.encode()
WITH_NUL = "监测站,日期,空气质量指数\n冠县站,2026-11-01,56\n冠县\x00站,2026-11-02,88\n".encode()


def _current(aqi):
    aqi.refresh_from_db()
    return aqi.current_version


def _untouched(aqi, first):
    assert _current(aqi) == first
    assert DatasetVersion.objects.filter(resource=aqi).count() == 1
    assert sorted(DataRow.objects.filter(version__resource=aqi).values_list("data__station", flat=True)) == \
        ["冠县站", "冠县站"]


@pytest.mark.parametrize(("content", "line", "words"), [
    (UNCLOSED, 3, "never closed"),
    (AFTER_QUOTE, 3, "malformed CSV"),
    (WITH_NUL, 3, "NUL"),
], ids=["unclosed-quote", "text-after-quote", "nul"])
def test_the_api_refuses_a_broken_csv_naming_the_line(aqi, people, content, line, words):
    first = services.load_file(aqi, GOOD_CSV, filename="aqi.csv")
    api = Client()
    api.force_login(people["env_staff"])
    r = api.post(f"/api/v1/catalog/resources/{aqi.slug}/versions",
                 {"file": SimpleUploadedFile("broken.csv", content, content_type="text/csv")})
    assert r.status_code == 422, r.content[:300]
    body = r.json()
    assert r["Content-Type"].startswith("application/problem+json")
    assert body["code"] == "invalid-dataset"
    assert f"line {line}" in body["detail"] and words in body["detail"], body["detail"]
    _untouched(aqi, first)


@pytest.mark.parametrize(("content", "line"), [(UNCLOSED, 3), (AFTER_QUOTE, 3), (WITH_NUL, 3)],
                         ids=["unclosed-quote", "text-after-quote", "nul"])
def test_the_page_refuses_a_broken_csv_naming_the_line(aqi, people, client, content, line):
    first = services.load_file(aqi, GOOD_CSV, filename="aqi.csv")
    client.force_login(people["env_staff"])
    r = client.post(f"/catalog/internal/{aqi.slug}/upload/", {"file": SimpleUploadedFile("broken.csv", content)},
                    follow=True)
    assert r.status_code == 200
    page = r.content.decode()
    assert f"line {line}" in page, page[-2000:]
    _untouched(aqi, first)


def test_a_quoted_field_over_several_lines_still_loads_and_later_lines_are_counted(aqi):
    # A closed multi-line quote is valid CSV; the line named for a later error counts its lines.
    multi = '监测站,日期,空气质量指数\n"冠县\n站",2026-11-01,56\n"冠县站,2026-11-02,88\n'.encode()
    services.load_file(aqi, GOOD_CSV, filename="aqi.csv")
    from smartcounty.kernel.problems import ApiError

    with pytest.raises(ApiError) as err:
        services.load_file(aqi, multi, filename="multi.csv")
    assert "line 4" in err.value.detail and err.value.row == 3
    ok = services.load_file(aqi, '监测站,日期,空气质量指数\n"冠县\n站",2026-11-01,56\n'.encode(), filename="ok.csv")
    assert ok.row_count == 1
    assert DataRow.objects.get(version=ok).data["station"] == "冠县\n站"
