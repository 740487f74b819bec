"""The rule engine under the outbox's replay (kernel.outbox): a batch stored and acknowledged but not evaluated
before a crash raises its alert after the restart, once; a batch evaluated before the crash (its states, alert
and outbox mark committed together) is not evaluated again, even though the cursor had not been saved."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from smartcounty.foundation.alerts import engine
from smartcounty.foundation.alerts.models import Alert, AlertEvent
from smartcounty.foundation.alerts.schemas import RuleIn
from smartcounty.foundation.alerts.services import create_rule
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel import events, outbox
from smartcounty.kernel.models import EventHandled

pytestmark = pytest.mark.django_db(transaction=True)
LANE = "test-replay"
ENGINE = events.subscriber_name("alerts", engine.on_observations)


@pytest.fixture
def lane():
    outbox.start(LANE)
    yield
    outbox.stop()


@pytest.fixture
def stream():
    thing = sensing.create_thing("test-replay-1", "回放测试温度计", lon=115.44, lat=36.48, kind="bench")
    ds = sensing.create_datastream(thing, "temperature", expected_interval_s=60)
    rule = create_rule(RuleIn(name="高温", kind="threshold", property="temperature", level=3,
                              params={"op": "above", "value": 40}))
    return ds, rule


def _ingest(ds, value, minutes):
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30 - minutes)
    with transaction.atomic():
        sensing.ingest([{"datastream": ds.id, "phenomenonTime": at.isoformat(), "result": value}], source="http")


@contextmanager
def _engine_out(event, handler):
    """The process dies after the commit, before the engine ran: the engine is not there when it is published (a
    placeholder subscriber stands in, so that the event is written to the outbox as with the engine)."""
    def placeholder(name, payload):
        pass

    events.unsubscribe(event, handler)
    events.subscribe(event, placeholder, module="placeholder")
    try:
        yield
    finally:
        events.unsubscribe(event, placeholder)
        events.subscribe(event, handler, module="alerts")


def _crash_and_restart():
    outbox.forget()  # the in-memory progress and the engine's caches die with the process
    engine.invalidate()
    return outbox.start(LANE)


def _raised(rule):
    return Alert.objects.filter(rule_id=rule.id).count(), \
        AlertEvent.objects.filter(alert__rule_id=rule.id, kind=AlertEvent.Kind.RAISED).count()


def test_a_batch_acknowledged_but_not_evaluated_raises_its_alert_after_the_restart(lane, stream):
    ds, rule = stream
    with _engine_out("sensing.observations", engine.on_observations):
        _ingest(ds, 48.5, 1)
    assert _raised(rule) == (0, 0)
    _crash_and_restart()
    assert _raised(rule) == (1, 1)
    _crash_and_restart()
    assert _raised(rule) == (1, 1)


def test_a_batch_evaluated_before_the_crash_is_not_evaluated_again(lane, stream):
    ds, rule = stream
    _ingest(ds, 48.5, 1)
    assert _raised(rule) == (1, 1)
    assert EventHandled.objects.filter(subscriber=ENGINE, lane=LANE).count() == 1  # committed with the alert
    assert _crash_and_restart() >= 1  # replayed to the subscribers that had not marked it (AQI, water, weather)
    assert engine._states == {}  # but not to the engine's observation handler: it loaded no state again
    assert _raised(rule) == (1, 1)


def test_a_datastream_gone_silent_before_the_crash_raises_its_no_data_alert_after_the_restart(lane, stream):
    ds, _rule = stream
    silent = create_rule(RuleIn(name="断线", kind="no_data", property="temperature", level=1, params={}))
    _ingest(ds, 20.0, 1)
    with _engine_out("sensing.datastream_offline", engine.on_health):
        assert sensing.check_health(datetime.now(UTC) + timedelta(hours=2)) == [ds.id]
    assert _raised(silent) == (0, 0)
    _crash_and_restart()
    assert _raised(silent) == (1, 1)
    _crash_and_restart()
    assert _raised(silent) == (1, 1)
