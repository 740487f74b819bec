"""(b) An observation ingested through the API raises an alert that appears in the cockpit's live
feed without a reload. Real path: HTTP ingest (token) → sensing stores it and publishes
``sensing.observations`` → the alerts engine's demo rule 烟感报警 (smoke > 0) raises an alert →
``alerts.raised`` → the cockpit's live items → the page's next poll of /api/v1/cockpit/live."""

import json
import secrets
import urllib.request
from datetime import UTC, datetime

import pytest

from .conftest import DISPATCHER, STAFF, run_shell, screenshot

pytestmark = pytest.mark.browser

SETUP = """
import json
from django.contrib.auth import get_user_model
from smartcounty.foundation.accounts.services import issue_token
from smartcounty.foundation.sensing import services as sensing
thing = sensing.create_thing("{code}", "{name}", lon=115.44, lat=36.49, kind="smoke")
ds = sensing.create_datastream(thing, "smoke", expected_interval_s=60)
user = get_user_model().objects.get(username="{user}")
token, secret = issue_token(user, "browser test", ["sensing"], days=1)
print("SETUP " + json.dumps({{"datastream": ds.id, "token": secret}}))
"""


@pytest.fixture
def smoke_detector(server, server_env):
    suffix = secrets.token_hex(3)
    name = f"浏览器测试烟感{secrets.randbelow(10**6):06d}"  # digits: the page walk later reads it as Chinese text
    out = run_shell(server_env, SETUP.format(code=f"browser-smoke-{suffix}", name=name, user=DISPATCHER))
    facts = json.loads(out.split("SETUP ", 1)[1].splitlines()[0])
    return name, facts["datastream"], facts["token"]


def ingest(server, token, datastream, value):
    body = json.dumps([{"datastream": datastream, "phenomenonTime": datetime.now(UTC).isoformat(),
                        "result": value}]).encode()
    req = urllib.request.Request(server + "/api/v1/sensing/observations", data=body, method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, json.loads(r.read())


def test_ingested_smoke_alarm_appears_in_the_live_feed(new_page, server, smoke_detector):
    from playwright.sync_api import expect

    name, datastream, token = smoke_detector
    page, watch = new_page(1920, 1080, user=STAFF)
    page.goto(server + "/cockpit/")
    page.wait_for_load_state("networkidle")
    feed = page.locator('[data-panel="cockpit.alert_feed"]')
    assert name not in feed.inner_text()
    page.evaluate("window.__sameDocument = true")

    status, result = ingest(server, token, datastream, 1.0)
    assert status == 200, result

    item = feed.locator("li", has_text=name)
    expect(item).to_be_visible(timeout=20000)
    assert "烟感报警" in item.inner_text() and "红色" in item.inner_text()
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    # The alert is also on the map (red dot) and counted in the headline figure.
    expect(page.locator('[data-panel="cockpit.active_alerts"] .v')).not_to_have_text("0")
    screenshot(page, "cockpit-live-alert")
    assert watch.errors == []
