"""Import of the registry: credit codes validated by the kernel, every bad row reported, nothing half-written."""

import io

import openpyxl
import pytest

from smartcounty.domains.economy import services
from smartcounty.domains.economy.models import Enterprise
from smartcounty.kernel.models import AuditEntry

HEAD = "统一社会信用代码,企业名称,行业代码,乡镇,园区,企业规模,联系人,联系电话,成立日期\n"


def csv_of(lines) -> bytes:
    return (HEAD + "".join(line + "\n" for line in lines)).encode("utf-8")


def test_good_file_creates_then_updates(eco):
    content = csv_of([f"{eco.uscc[0]},冠县甲公司,C33,371525001,冠县经济开发区,小型,王经理,13806350001,2019-05-01",
                      f"{eco.uscc[1]},冠县乙公司,13,清泉街道,,微型,,,"])
    assert services.import_file(content, "a.csv") == {"rows": 2, "created": 2, "updated": 0, "errors": []}
    a = Enterprise.objects.get(uscc=eco.uscc[0])
    assert (a.industry, a.town_code, a.park_id, a.size, str(a.registered_on)) == (
        "C33", "371525001", eco.park, "small", "2019-05-01")
    assert Enterprise.objects.get(uscc=eco.uscc[1]).industry == "C13"  # a bare division gets its section
    again = csv_of([f"{eco.uscc[0]},冠县甲公司（更名）,C34,371525001,,中型,,,"])
    assert services.import_file(again, "b.csv")["updated"] == 1
    a.refresh_from_db()
    assert (a.name, a.industry, a.park_id, a.size) == ("冠县甲公司（更名）", "C34", None, "medium")


def test_bad_rows_are_reported_and_nothing_is_written(eco):
    bad_check = eco.uscc[2][:-1] + ("0" if eco.uscc[2][-1] != "0" else "1")
    content = csv_of([
        f"{eco.uscc[0]},好公司,C33,,,,,,",
        f"{bad_check},校验位错,C33,,,,,,",                   # row 3: check character
        "91371525MA3DEMO000,演示代码,C33,,,,,,",              # row 4: the catalog demo's made-up code
        f"{eco.uscc[3]},行业错,C99,,,,,,",                    # row 5: no division 99 in C
        f"{eco.uscc[4]},乡镇错,C33,火星镇,,,,,",              # row 6: not a town
        f"{eco.uscc[0]},重复,C33,,,,,,",                      # row 7: same code as row 2
        f"{eco.uscc[5]},,C33,,,巨型,,,2030-01-01",            # row 8: no name, unknown size, future date
    ])
    before = AuditEntry.objects.count()
    result = services.import_file(content, "bad.csv")
    assert result["created"] == 0 and result["rows"] == 7
    where = sorted({(e["row"], e["column"]) for e in result["errors"]})
    assert where == [(3, "uscc"), (4, "uscc"), (5, "industry"), (6, "town"), (7, "uscc"), (8, "name"),
                     (8, "registered_on"), (8, "size")]
    assert Enterprise.objects.count() == 0  # the good row 2 was not written either
    assert AuditEntry.objects.count() == before


def test_xlsx_and_missing_columns(eco):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称", "行业代码", "企业类型"])
    ws.append([eco.uscc[6], "冠县丙合作社", "A01", "农民专业合作社"])
    buf = io.BytesIO()
    wb.save(buf)
    assert services.import_file(buf.getvalue(), "c.xlsx")["created"] == 1
    assert Enterprise.objects.get(uscc=eco.uscc[6]).kind == "cooperative"
    from smartcounty.kernel.problems import ApiError

    with pytest.raises(ApiError) as err:
        services.import_file("企业名称\n甲\n".encode(), "d.csv")
    assert err.value.status == 422
    with pytest.raises(ApiError):
        services.import_file(b"x", "e.pdf")


def test_api_import_refuses_with_row_errors(client, eco):
    bad = csv_of(["91371525MA3DEMO000,演示代码,C33,,,,,,"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert client.post("/api/v1/economy/imports",
                       {"file": SimpleUploadedFile("a.csv", bad)}).status_code == 401
    client.force_login(eco.zone)  # a park's staff may read but not keep the registry
    assert client.post("/api/v1/economy/imports",
                       {"file": SimpleUploadedFile("a.csv", bad)}).status_code == 403
    client.force_login(eco.staff)
    r = client.post("/api/v1/economy/imports", {"file": SimpleUploadedFile("a.csv", bad)})
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert r.json()["errors"][0]["row"] == 2 and r.json()["errors"][0]["column"] == "uscc"
    good = csv_of([f"{eco.uscc[7]},冠县丁公司,C17,,,,,,"])
    r = client.post("/api/v1/economy/imports", {"file": SimpleUploadedFile("a.csv", good)})
    assert r.status_code == 200 and r.json()["created"] == 1
    r = client.post("/economy/import/", {"file": SimpleUploadedFile("a.csv", bad)})
    assert r.status_code == 200 and "统一社会信用代码无效" in r.content.decode()
