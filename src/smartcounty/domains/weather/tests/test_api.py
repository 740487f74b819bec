"""Hand-issued signals: authorisation (anonymous, wrong organisation, resident), bad input, audit, public list."""

import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from smartcounty.domains.weather import live
from smartcounty.foundation.alerts import services as alerts

pytestmark = pytest.mark.django_db
URL = "/api/v1/weather/signals"


@pytest.fixture
def people():
    Organisation = apps.get_model("accounts", "Organisation")
    met = Organisation.objects.create(code="meteorology", name="县气象局")
    env = Organisation.objects.create(code="ecology-environment", name="市生态环境局冠县分局")
    User = get_user_model()

    def make(name, role, org):
        return User.objects.create_user(name, password="Test-password-1", role=role, organisation=org,
                                        kind="resident" if role == "resident" else "staff",
                                        is_staff=role == "platform_admin")

    return {"forecaster": make("forecaster", "staff", met), "other": make("other", "staff", env),
            "resident": make("resident", "resident", None), "platform": make("platform", "platform_admin", None)}


def _post(client, body):
    return client.post(URL, data=json.dumps(body) if not isinstance(body, str) else body,
                       content_type="application/json")


def _audit_count(action):
    return apps.get_model("kernel", "AuditEntry").objects.filter(action=action).count()


def test_forecaster_issues_upgrades_and_cancels(client, people):
    client.force_login(people["forecaster"])
    r = _post(client, {"type": "lightning", "level": "yellow", "note": "强对流云团东移"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["code"] == "0902" and body["manual"] is True
    assert alerts.find_open_alert(live.SOURCE, live.signal_key("lightning")).level == 2
    r = _post(client, {"type": "lightning", "level": "orange"})
    assert r.status_code == 201 and r.json()["code"] == "0903"
    assert r.json()["alert_id"] == body["alert_id"]  # the same alert, upgraded
    assert _audit_count("weather.signal_issue") == 2
    listed = client.get(URL).json()
    assert listed["count"] == 1 and listed["items"][0]["code"] == "0903"
    assert client.delete(f"{URL}/lightning").status_code == 204
    assert alerts.find_open_alert(live.SOURCE, live.signal_key("lightning")) is None
    assert _audit_count("weather.signal_cancel") == 1
    assert client.delete(f"{URL}/lightning").status_code == 404


def test_anonymous_and_other_callers_are_refused(client, people):
    r = _post(client, {"type": "hail", "level": "red"})
    assert r.status_code == 401 and r["Content-Type"].startswith("application/problem+json")
    for name in ("other", "resident"):
        client.force_login(people[name])
        r = _post(client, {"type": "hail", "level": "red"})
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
        assert client.delete(f"{URL}/hail").status_code == 403
    assert alerts.find_open_alert(live.SOURCE, live.signal_key("hail")) is None
    client.logout()
    assert client.delete(f"{URL}/hail").status_code == 401
    client.force_login(people["platform"])
    assert _post(client, {"type": "hail", "level": "red"}).status_code == 201


@pytest.mark.parametrize("body", [
    "{not json", {"type": "hail"}, {"type": "hail", "level": "red", "colour": "x"}, {"type": "hail", "level": 4},
    {"type": "rainstorm", "level": "red"},  # judged from station data, not by hand
    {"type": "hail", "level": "blue"},  # 冰雹 has no blue level
    {"type": "tornado", "level": "red"}, {"type": "frost", "level": "red"},  # 霜冻 has no red level
])
def test_bad_input_changes_nothing(client, people, body):
    client.force_login(people["forecaster"])
    r = _post(client, body)
    assert r.status_code in (400, 422) and r["Content-Type"].startswith("application/problem+json")
    assert client.get(URL).json()["count"] == 0
    assert _audit_count("weather.signal_issue") == 0


def test_public_list_is_open_to_anyone(client):
    r = client.get(URL)
    assert r.status_code == 200 and r.json() == {"items": [], "count": 0}
