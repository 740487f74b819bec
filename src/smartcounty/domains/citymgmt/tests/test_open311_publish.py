"""What Open311 republishes of residents' reports (issue 20, finding 9): personal data in texts masked and
coordinates rounded (``redacted``, the default), or nothing of the report before the centre has
registered it (``moderated``); media URLs are http/https only, at input and at output."""

import pytest

from smartcounty.domains.citymgmt import services
from smartcounty.foundation.cases import services as cases

pytestmark = pytest.mark.django_db
URL = "/citymgmt/open311/v2/"
TEXT = "井盖丢了，联系我13812345678，身份证371525199001011234，邮件wang.ming@example.cn"


@pytest.fixture
def key(city):
    return services.issue_api_key("测试客户端")[1]


def file(client, key, **extra):
    form = {"api_key": key, "service_code": "E0101", "lat": "36.490123", "long": "115.450267",
            "address_string": "冠县清泉街道振兴路88号3单元", "description": TEXT, **extra}
    return client.post(URL + "requests.json", form)


def published(client, number):
    r = client.get(f"{URL}requests/{number}.json")
    assert r.status_code == 200
    return r.json()[0]


def test_redacted_by_default(client, key, city):
    r = file(client, key)
    assert r.status_code == 201, r.content
    number = r.json()[0]["service_request_id"]
    case = cases.get_case_by_number(number)
    assert case.description == TEXT and case.lat == 36.490123  # stored as filed, for the staff
    for req in (published(client, number), client.get(URL + "requests.json").json()[0]):
        assert "13812345678" not in req["description"] and "138****5678" in req["description"]
        assert "371525199001011234" not in req["description"] and "wang.ming@" not in req["description"]
        assert (req["lat"], req["long"]) == (36.49, 115.45)
        assert "88号" not in req["address"]
    text = client.get(URL + "requests.xml").content.decode()
    assert "13812345678" not in text and "36.490123" not in text
    cases.comment(case.pk, actor=None, note="王明：我的电话13812345678", public=True)
    updates = client.get(URL + "servicerequestupdates.json").json()
    assert [u["description"] for u in updates] == ["王*：我的电话138****5678"]


def test_moderated_publishes_only_registered_reports(client, key, city, settings):
    settings.SMARTCOUNTY_OPEN311_PUBLISH = "moderated"
    number = file(client, key).json()[0]["service_request_id"]
    req = published(client, number)
    assert (req["description"], req["address"], req["lat"], req["long"]) == ("", "", None, None)
    assert req["status"] == "open"
    case = cases.get_case_by_number(number)
    cases.transition(case.pk, "register", actor=city.centre, note="已立案")
    req = published(client, number)
    assert req["description"] == TEXT and req["lat"] == 36.490123


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>1</script>", "file:///etc/passwd",
                                 "ftp://example.cn/a.jpg", "//example.cn/a.jpg"])
def test_media_url_must_be_http_or_https(client, key, url):
    r = file(client, key, media_url=url)
    assert r.status_code == 400 and "media_url" in r.json()[0]["description"]
    assert not cases.cases_of_type(services.CASE_TYPE_KEY).exists()


def test_stored_media_urls_other_than_http_are_never_republished(client, key, city):
    good = file(client, key, media_url="https://example.cn/a.jpg").json()[0]["service_request_id"]
    assert published(client, good)["media_url"] == "https://example.cn/a.jpg"
    case = cases.get_case_by_number(good)
    cases.cases_of_type(services.CASE_TYPE_KEY).filter(pk=case.pk).update(data={**case.data, "media_url": "javascript:alert(1)"})
    assert published(client, good)["media_url"] == ""
