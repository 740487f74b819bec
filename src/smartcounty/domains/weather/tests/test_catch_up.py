"""Replaying the signals over stored history that arrived without events (e.g. a simulator backfill)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from smartcounty.domains.weather import live
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel import events

pytestmark = pytest.mark.django_db


@pytest.fixture
def transitions():
    seen = []

    def collect(event, payload):
        seen.append((event, payload.key if hasattr(payload, "key") else getattr(payload, "alert_key", None)))

    for name in ("alerts.raised", "alerts.resolved"):
        events.subscribe(name, collect, module="test")
    yield seen
    for name in ("alerts.raised", "alerts.resolved"):
        events.unsubscribe(name, collect)


def test_a_past_rainstorm_is_issued_and_cancelled_by_the_replay(transitions, django_capture_on_commit_callbacks,
                                                                capsys):
    sensing.sync_observed_properties()
    rain = sensing.create_thing("rain-cu", "补算雨量站", lon=115.4, lat=36.4, kind="rain")
    ds = sensing.create_datastream(rain, "rainfall", expected_interval_s=300)
    now = datetime.now(UTC)
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=30)
    # 20 mm an hour for 3 hours, 30 hours ago, then dry: no event was published.
    items = [{"datastream": ds.id, "phenomenonTime": (start + timedelta(hours=h, minutes=30)).isoformat(),
              "result": 20.0 if h < 3 else 0.0} for h in range(30)]
    sensing.ingest(items, source="test", publish=False)
    key = live.signal_key("rainstorm")
    with django_capture_on_commit_callbacks(execute=True):
        live.catch_up(36, now)
    assert alerts.find_open_alert("weather", key) is None  # cancelled once the rain was over
    kinds = [e for e, _ in transitions]
    assert "alerts.raised" in kinds and "alerts.resolved" in kinds
    call_command("weather_catch_up", "--hours", "2")
    assert "rainstorm: —" in capsys.readouterr().out
