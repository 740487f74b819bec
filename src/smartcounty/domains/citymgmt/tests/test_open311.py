"""Open311 GeoReport v2 over real HTTP (Django's live server and urllib): field names and types of
services, service definitions, requests and errors, in JSON and XML."""

import json
import urllib.error
import urllib.parse
import urllib.request
from xml.etree import ElementTree as ET

import pytest

from smartcounty.domains.citymgmt import services
from smartcounty.foundation.cases import services as cases

pytestmark = pytest.mark.django_db(transaction=True)
REQUEST_FIELDS = {"service_request_id": str, "status": str, "status_notes": str, "service_name": str,
                  "service_code": str, "description": str, "agency_responsible": str, "service_notice": str,
                  "requested_datetime": str, "updated_datetime": str, "address": str, "address_id": str,
                  "zipcode": str, "lat": float, "long": float, "media_url": str}


def call(base, path, data=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(f"{base}/citymgmt/open311/v2/{path}", data=body)
    if body is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


@pytest.fixture
def base(live_server, city):
    return live_server.url


@pytest.fixture
def key(city):
    return services.issue_api_key("测试客户端")[1]


def test_discovery_and_services(base):
    status, ctype, body = call(base, "discovery.json")
    d = json.loads(body)
    assert status == 200 and ctype.startswith("application/json")
    assert d["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert ET.fromstring(call(base, "discovery.xml")[2]).find("endpoints/endpoint/formats/format") is not None
    status, _, body = call(base, "services.json")
    svcs = json.loads(body)
    first = next(s for s in svcs if s["service_code"] == "C0101")
    assert first == {"service_code": "C0101", "service_name": "上水井盖", "description": first["description"],
                     "metadata": True, "type": "realtime", "keywords": "部件, 公用设施, 上水井盖", "group": "公用设施"}
    root = ET.fromstring(call(base, "services.xml")[2])
    assert root.tag == "services" and root.find("service/service_code").text == next(iter(s["service_code"] for s in svcs))
    assert root.find("service/metadata").text == "true"


def test_service_definition(base):
    d = json.loads(call(base, "services/E0101.json")[2])
    assert d["service_code"] == "E0101"
    sev = d["attributes"][0]
    assert sev["code"] == "severity" and sev["datatype"] == "singlevaluelist" and sev["variable"] is True
    assert sev["required"] is False and isinstance(sev["order"], int)
    assert {"key": "urgent", "name": "紧急"} in sev["values"]
    root = ET.fromstring(call(base, "services/C0101.xml")[2])
    assert root.tag == "service_definition"
    assert [a.find("code").text for a in root.findall("attributes/attribute")] == ["severity", "component_code"]
    assert root.find("attributes/attribute/values/value/key").text == "normal"
    status, ctype, body = call(base, "services/X9999.xml")
    assert status == 404 and ET.fromstring(body).find("error/code").text == "404"


def test_post_and_follow_a_request(base, key, city):
    form = {"api_key": key, "service_code": "E0101", "lat": "36.4901", "long": "115.4502",
            "address_string": "清泉街道振兴路", "description": "路口垃圾堆放", "first_name": "明", "last_name": "王",
            "email": "wang@example.cn", "attribute[severity]": "serious", "jurisdiction_id": "371525"}
    status, ctype, body = call(base, "requests.json", form)
    assert status == 201, body
    [created] = json.loads(body)
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    number = created["service_request_id"]
    case = cases.get_case_by_number(number)
    assert case.state == "collected" and case.reporter_name == "王 明" and case.source == "open311"
    assert case.data["attributes"] == {"severity": "serious"}
    [req] = json.loads(call(base, f"requests/{number}.json")[2])
    for field, typ in REQUEST_FIELDS.items():
        assert isinstance(req[field], typ), field
    # published redacted (the default): coordinates rounded to 3 decimals
    assert (req["status"], req["service_code"], req["lat"], req["long"]) == ("open", "E0101", 36.49, 115.45)
    assert req["agency_responsible"] == "县综合行政执法局"
    # the status and notes follow the case
    t = cases.transition
    t(case.pk, "register", actor=city.centre, note="已立案")
    t(case.pk, "dispatch", actor=city.centre)
    t(case.pk, "accept", actor=city.centre)
    t(case.pk, "feedback", actor=city.centre, data={"result": "已清运"}, note="垃圾已清运")
    t(case.pk, "send_inspector", actor=city.centre)
    t(case.pk, "verify_pass", actor=city.inspector, data={"inspection": "现场干净"})
    t(case.pk, "close", actor=city.centre, note="结案")
    root = ET.fromstring(call(base, f"requests/{number}.xml")[2])
    assert root.tag == "service_requests"
    assert root.find("request/status").text == "closed" and root.find("request/status_notes").text == "结案"
    assert root.find("request/service_request_id").text == number
    # a second report a few metres away is a likely duplicate only while the first is open
    _, _, body = call(base, "requests.json", {**form, "lat": "36.4902"})
    dup = cases.get_case_by_number(json.loads(body)[0]["service_request_id"])
    assert dup.duplicate_of_id is None
    _, _, body = call(base, "requests.json", {**form, "lat": "36.4903"})
    [again] = json.loads(body)
    assert "疑似重复" in again["service_notice"]
    assert cases.get_case_by_number(again["service_request_id"]).duplicate_of_id == dup.pk
    # updates: public notes of the day, and a citizen's update
    ups = json.loads(call(base, "servicerequestupdates.json")[2])
    mine = [u["description"] for u in ups if u["service_request_id"] == number]
    assert len(mine) == 7 and all(mine) and mine[0] == "已立案" and mine[3] == "垃圾已清运" and mine[-1] == "结案"
    assert set(ups[0]) == {"update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"}
    status, _, body = call(base, "servicerequestupdates.xml", {"api_key": key, "service_request_id": number,
                                                                "description": "谢谢", "first_name": "明"})
    assert status == 201 and ET.fromstring(body).find("request_update/update_id").text


def test_request_errors(base, key):
    cases_before = cases.cases_of_type("citymgmt.case").count()
    for form, code in (({"service_code": "E0101", "lat": "36.49", "long": "115.45"}, 403),
                       ({"api_key": "wrong", "service_code": "E0101", "lat": "36.49", "long": "115.45"}, 403),
                       ({"api_key": key, "lat": "36.49", "long": "115.45"}, 400),
                       ({"api_key": key, "service_code": "Z0000", "lat": "36.49", "long": "115.45"}, 404),
                       ({"api_key": key, "service_code": "E0101"}, 400),
                       ({"api_key": key, "service_code": "E0101", "lat": "north", "long": "115.45"}, 400),
                       ({"api_key": key, "service_code": "E0101", "lat": "95", "long": "115.45"}, 400),
                       ({"api_key": key, "service_code": "E0101", "lat": "36.49", "long": "115.45",
                         "attribute[severity]": "huge"}, 400),
                       ({"api_key": key, "service_code": "E0101", "lat": "36.49", "long": "115.45",
                         "jurisdiction_id": "110000"}, 404)):
        status, ctype, body = call(base, "requests.json", form)
        assert status == code, form
        [err] = json.loads(body)
        assert err["code"] == code and isinstance(err["description"], str)
    status, ctype, body = call(base, "requests.xml", {"service_code": "E0101"})
    assert status == 403 and ctype.startswith("text/xml")
    assert ET.fromstring(body).tag == "errors"
    assert call(base, "requests.yaml")[0] == 400
    assert call(base, "requests/CG000.json")[0] == 404
    assert cases.cases_of_type("citymgmt.case").count() == cases_before


def test_filters_and_paging(base, city):
    made = [services.report(category=cat, lon=115.40 + i * 0.01, lat=36.45, reporter=city.resident)
            for i, cat in enumerate(["E0101", "E0101", "E0103", "C0201", "E0101"])]
    cases.transition(made[0].pk, "reject", actor=city.centre, note="重复")
    all_ = json.loads(call(base, "requests.json")[2])
    assert [r["service_request_id"] for r in all_] == [c.number for c in reversed(made)]
    page2 = json.loads(call(base, "requests.json?page=2&page_size=2")[2])
    assert [r["service_request_id"] for r in page2] == [made[2].number, made[1].number]
    only = json.loads(call(base, "requests.json?service_code=E0101&status=open")[2])
    assert {r["service_request_id"] for r in only} == {made[1].number, made[4].number}
    closed = json.loads(call(base, "requests.json?status=closed")[2])
    assert [r["service_request_id"] for r in closed] == [made[0].number]
    ids = json.loads(call(base, f"requests.json?service_request_id={made[3].number},{made[2].number}")[2])
    assert {r["service_request_id"] for r in ids} == {made[3].number, made[2].number}
    assert json.loads(call(base, "requests.json?start_date=2030-01-01T00:00:00Z")[2]) == []
    assert call(base, "requests.json?page_size=5000")[0] == 400
    assert call(base, "requests.json?start_date=yesterday")[0] == 400
