"""Replaying flood states over stored history that arrived without events (e.g. a simulator backfill)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from smartcounty.domains.water import live
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel import events

pytestmark = pytest.mark.django_db


def test_a_past_flood_is_raised_and_resolved_by_the_replay(django_capture_on_commit_callbacks, capsys):
    seen = []

    def collect(event, payload):
        seen.append(event)

    sensing.sync_observed_properties()
    thing = sensing.create_thing("water-cu", "补算水位站", lon=115.3, lat=36.5, kind="water",
                                 properties={"warning_level": 40.5, "guarantee_level": 41.8})
    ds = sensing.create_datastream(thing, "water_level", expected_interval_s=300)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=10)
    levels = [39.0, 40.0, 40.8, 41.0, 40.6, 40.0, 39.5, 39.0, 39.0, 39.0]
    sensing.ingest([{"datastream": ds.id, "phenomenonTime": (start + timedelta(hours=h, minutes=10)).isoformat(),
                     "result": v} for h, v in enumerate(levels)], source="test", publish=False)
    for name in ("alerts.raised", "alerts.resolved"):
        events.subscribe(name, collect, module="test")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            n = live.catch_up(12)
    finally:
        for name in ("alerts.raised", "alerts.resolved"):
            events.unsubscribe(name, collect)
    assert n == len(levels) + 1
    assert "alerts.raised" in seen and "alerts.resolved" in seen
    assert alerts.find_open_alert("water", f"flood:{ds.id}") is None
    call_command("water_catch_up", "--hours", "1")
    out = capsys.readouterr().out
    assert "flood judgements: 2" in out and "not enough data" in out
