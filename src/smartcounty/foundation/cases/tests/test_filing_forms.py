"""Filing on a case type's form: the API (JSON and multipart), the OpenAPI document, and the page for
residents and staff windows, with per-field errors and nothing half-written."""

import json
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcounty.foundation.cases.models import Attachment, Case
from smartcounty.foundation.cases.schemas import CaseType, State, Transition, Who
from smartcounty.foundation.cases.tests.test_forms import ID_OK
from smartcounty.kernel import registry

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n" + b"0" * 200
FORM = {"fields": [
    {"key": "applicant", "type": "text", "label": "申请人", "required": True},
    {"key": "id_number", "type": "id_number", "label": "身份证号", "required": True},
    {"key": "phone", "type": "phone", "label": "联系电话"},
    {"key": "proof", "type": "file", "label": "证明材料", "accept": ["application/pdf"], "max_bytes": 4096,
     "required_if": {"field": "phone", "filled": True}},
]}


@dataclass(frozen=True)
class FormCaseType(CaseType):
    forms: dict = field(default_factory=dict)


KEY = "cases.formtest"
if KEY not in registry.case_types:
    registry.case_types.register(KEY, FormCaseType(
        key=KEY, title="测试申请", initial="submitted", prefix="FT", filed_by=("*",), forms={"apply": FORM},
        states=(State("submitted", "已提交", lane="owner"), State("done", "已办结", lane="none", final=True)),
        transitions=(Transition("finish", "办结", ("submitted",), "done", (Who(("staff",), "owner"),), closes=True),)),
        module="cases")


def post_json(client, body):
    return client.post("/api/v1/cases/", json.dumps(body), content_type="application/json")


def test_json_filing_is_checked_by_the_form(client, world):
    client.force_login(world.resident)
    r = post_json(client, {"case_type": KEY, "title": "申请", "data": {"applicant": "张三", "id_number": ID_OK}})
    assert r.status_code == 201, r.content
    assert r.json()["data"] == {"applicant": "张三", "id_number": ID_OK}
    before = Case.objects.count()
    r = post_json(client, {"case_type": KEY, "title": "申请", "data": {"id_number": "123", "phone": "12"}})
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    body = r.json()
    assert {e["field"] for e in body["errors"]} == {"data.applicant", "data.id_number", "data.phone", "data.proof"}
    assert all(e["message"] for e in body["errors"])
    # a file field's value is never taken from the caller
    r = post_json(client, {"case_type": KEY, "title": "申请", "data": {
        "applicant": "张三", "id_number": ID_OK, "proof": {"name": "a.pdf", "content_type": "application/pdf", "size": 9}}})
    assert r.status_code == 422 and r.json()["field"] == "data.proof"
    assert Case.objects.count() == before


def test_multipart_filing_with_a_file(client, world):
    client.force_login(world.resident)
    data = json.dumps({"applicant": "张三", "id_number": ID_OK, "phone": "13812345678"})
    r = client.post("/api/v1/cases/filings", {"case_type": KEY, "title": "申请", "data": data,
                                              "proof": SimpleUploadedFile("证明.pdf", PDF)})
    assert r.status_code == 201, r.content
    case = Case.objects.get(pk=r.json()["id"])
    assert case.data["proof"] == {"name": "证明.pdf", "content_type": "application/pdf", "size": len(PDF)}
    assert Attachment.objects.filter(case=case).count() == 1
    before = Case.objects.count(), Attachment.objects.count()
    for upload in (SimpleUploadedFile("x.pdf", b"<html>"), SimpleUploadedFile("big.pdf", PDF + b"0" * 5000)):
        r = client.post("/api/v1/cases/filings", {"case_type": KEY, "title": "申请", "data": data, "proof": upload})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "data.proof"
    r = client.post("/api/v1/cases/filings", {"case_type": KEY, "title": "申请", "data": "{"})
    assert r.status_code == 422 and r.json()["field"] == "data"
    assert (Case.objects.count(), Attachment.objects.count()) == before
    client.logout()
    assert client.post("/api/v1/cases/filings", {"case_type": KEY, "title": "x", "data": data}).status_code == 401


def test_the_form_and_its_schema_through_the_api_and_openapi(client, world):
    assert client.get(f"/api/v1/cases/types/{KEY}/forms/apply").status_code == 401
    client.force_login(world.resident)
    r = client.get(f"/api/v1/cases/types/{KEY}/forms/apply")
    assert r.status_code == 200 and r.json()["document"] == FORM
    assert r.json()["schema"]["required"] == ["applicant", "id_number"]
    assert client.get(f"/api/v1/cases/types/{KEY}/forms/nope").status_code == 404
    doc = client.get("/api/v1/openapi.json").json()
    schema = doc["components"]["schemas"][f"CaseForm_{KEY}_apply"]
    assert schema["properties"]["id_number"]["format"] == "cn-resident-id"
    assert schema["allOf"][0]["then"] == {"required": ["proof"]}


def test_the_page_shows_errors_beside_fields_and_files_the_case(client, world):
    client.force_login(world.resident)
    assert KEY in client.get("/cases/new/").content.decode()
    page = client.get(f"/cases/new/{KEY}/").content.decode()
    assert "申请人" in page and 'name="f_id_number"' in page and "cases/forms.js" in page
    before = Case.objects.count()
    r = client.post(f"/cases/new/{KEY}/", {"f_applicant": "<b>张三</b>", "f_id_number": "110105194912310021",
                                           "f_phone": "13812345678"})
    page = r.content.decode()
    assert r.status_code == 200 and Case.objects.count() == before
    assert "id_f_id_number_error" in page and "id_f_proof_error" in page and "&lt;b&gt;张三" in page
    r = client.post(f"/cases/new/{KEY}/", {"title": "我的申请", "f_applicant": "张三", "f_id_number": ID_OK.lower(),
                                           "f_phone": "13812345678", "f_proof": SimpleUploadedFile("p.pdf", PDF)})
    assert r.status_code == 302
    case = Case.objects.latest("id")
    assert r["Location"] == f"/cases/{case.pk}/" and case.title == "我的申请" and case.reporter == world.resident
    assert case.data["id_number"] == ID_OK and Attachment.objects.filter(case=case).count() == 1
    client.logout()
    assert client.get(f"/cases/new/{KEY}/").status_code == 302
