"""End to end through sensing's ingest service: observations stored by sensing raise and resolve alerts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps

from smartcounty.foundation.alerts.models import Alert
from smartcounty.foundation.alerts.schemas import RuleIn
from smartcounty.foundation.alerts.services import create_rule
from smartcounty.foundation.sensing import services as sensing

pytestmark = pytest.mark.django_db


def test_ingested_observations_raise_and_resolve_alerts(django_capture_on_commit_callbacks, feed_events):
    org = apps.get_model("accounts", "Organisation").objects.create(code="test-fire", name="测试消防救援大队")
    thing = sensing.create_thing("test-smoke-1", "县图书馆烟感", lon=115.44, lat=36.48, kind="smoke_detector",
                                 organisation_id=org.id)
    ds = sensing.create_datastream(thing, "smoke", expected_interval_s=60)
    create_rule(RuleIn(name="烟感报警", kind="threshold", property="smoke", level=4,
                       params={"op": "above", "value": 0}))
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)

    def ingest(*values, start=0):
        items = [{"datastream": ds.id, "phenomenonTime": (t0 + timedelta(minutes=start + i)).isoformat(),
                  "result": v} for i, v in enumerate(values)]
        with django_capture_on_commit_callbacks(execute=True):
            sensing.ingest(items, source="http")

    ingest(0, 0)
    assert not Alert.objects.exists()
    ingest(1, start=2)
    alert = Alert.objects.get()
    assert (alert.state, alert.level, alert.thing_id, alert.datastream_id, alert.organisation_id) == \
        ("raised", 4, thing.id, ds.id, org.id)
    town = apps.get_model("sensing", "Datastream").objects.get(pk=ds.id).town_code  # (a Ref carries no town)
    assert "县图书馆烟感" in alert.title and alert.town == (town or "")
    ingest(1, start=2)  # the same observation again: idempotent, nothing new
    assert alert.history.count() == 1
    ingest(0, start=3)
    alert.refresh_from_db()
    assert alert.state == "resolved"
    assert [n for n, _ in feed_events] == ["alerts.raised", "alerts.resolved"]
