"""Durable events (kernel.outbox): written in the publisher's transaction, replayed after a crash, exactly once in
effect. A "crash" here is ``outbox.forget()``: the process's in-memory progress is dropped without being saved."""

import json

import pytest
from django.db import connection, transaction

from smartcounty.kernel import events, outbox
from smartcounty.kernel.models import EventCursor, EventHandled, OutboxEvent

EVENT = "test.durable"
LANE = "test-lane"


def _codec():
    return events.Codec(lambda p: json.dumps(p).encode(), lambda b: json.loads(b))


@pytest.fixture
def durable():
    """A durable event with one subscriber that records what it saw and, for payloads asking it, marks itself
    handled in its own transaction."""
    seen = []

    def handler(name, payload):
        seen.append(payload)
        if payload.get("mark"):
            with transaction.atomic():
                assert events.mark_handled()

    events.declare(EVENT, background=False, durable=_codec())
    events.subscribe(EVENT, handler, module="test")
    outbox.start(LANE)
    yield seen, events.subscriber_name("test", handler)
    outbox.stop()
    events.unsubscribe(EVENT, handler)
    outbox._codecs.pop(EVENT, None)


def _publish(*payloads):
    for p in payloads:
        with transaction.atomic():
            events.publish(EVENT, p)


def _cursor(name):
    return EventCursor.objects.get(subscriber=name, lane=LANE).position


def _crash_and_restart():
    outbox.forget()
    return outbox.start(LANE)


@pytest.mark.django_db(transaction=True)
def test_a_durable_event_is_written_in_the_publishers_transaction(durable):
    seen, _name = durable
    with transaction.atomic():
        events.publish(EVENT, {"n": 1})
        row = OutboxEvent.objects.get()
        assert (row.lane, row.event, json.loads(bytes(row.payload))) == (LANE, EVENT, {"n": 1})
        assert seen == []
    assert seen == [{"n": 1}]
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish(EVENT, {"n": 2})
        raise RuntimeError
    assert seen == [{"n": 1}]
    assert [json.loads(bytes(r.payload)) for r in OutboxEvent.objects.all()] == [{"n": 1}]


@pytest.mark.django_db(transaction=True)
def test_what_was_not_handled_before_a_crash_is_replayed_once_in_order(durable):
    seen, name = durable
    _publish({"n": 1}, {"n": 2})
    outbox.flush()
    assert OutboxEvent.objects.count() == 0  # every subscriber passed them: deleted
    handled = _cursor(name)
    # Committed (acknowledged), then the process died before its subscriber ran: what publish() writes, undelivered.
    with transaction.atomic():
        third = outbox.record(EVENT, {"n": 3})
    with transaction.atomic():
        fourth = outbox.record(EVENT, {"n": 4})
    assert handled < third < fourth
    assert seen == [{"n": 1}, {"n": 2}]
    assert _crash_and_restart() == 2
    assert seen == [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}]
    assert _cursor(name) == fourth
    assert OutboxEvent.objects.count() == 0
    assert _crash_and_restart() == 0  # the cursor was saved after the replay: nothing twice
    assert seen == [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}]


@pytest.mark.django_db(transaction=True)
def test_a_delivery_marked_in_the_subscribers_transaction_is_not_replayed(durable):
    seen, name = durable
    _publish({"n": 1, "mark": True}, {"n": 2}, {"n": 3, "mark": True})
    assert EventHandled.objects.filter(subscriber=name, lane=LANE).count() == 2
    # A crash before the cursor was saved: the unmarked one is handled again, the marked ones are not.
    assert _crash_and_restart() == 1
    assert seen == [{"n": 1, "mark": True}, {"n": 2}, {"n": 3, "mark": True}, {"n": 2}]
    assert OutboxEvent.objects.count() == 0
    assert EventHandled.objects.count() == 0  # the cursor passed them
    assert _crash_and_restart() == 0


@pytest.mark.django_db(transaction=True)
def test_the_cursor_stops_at_the_first_position_still_unhandled(durable):
    _seen, name = durable
    with transaction.atomic():
        first = outbox.record(EVENT, {"n": 1})
        second = outbox.record(EVENT, {"n": 2})
    outbox.done(name, second)  # handled out of order: the first is still queued
    outbox.flush()
    assert _cursor(name) < first
    assert OutboxEvent.objects.filter(id__in=[first, second]).count() == 2
    outbox.done(name, first)
    outbox.flush()
    assert _cursor(name) == second
    assert not OutboxEvent.objects.filter(id__in=[first, second]).exists()


@pytest.mark.django_db(transaction=True)
def test_a_subscriber_new_to_the_lane_starts_at_its_head(durable):
    seen, _name = durable
    _publish({"n": 1})
    with transaction.atomic():
        outbox.record(EVENT, {"n": 0})  # acknowledged, never delivered: the first subscriber gets it after the crash
    late = []

    def newcomer(name, payload):
        late.append(payload)

    events.subscribe(EVENT, newcomer, module="late")
    try:
        assert _crash_and_restart() == 2
        assert late == []
        assert seen == [{"n": 1}, {"n": 1}, {"n": 0}]
        _publish({"n": 2})
        assert late == [{"n": 2}]
    finally:
        events.unsubscribe(EVENT, newcomer)


@pytest.mark.django_db(transaction=True)
def test_without_a_lane_nothing_is_written(durable):
    outbox.stop()
    _publish({"n": 1})
    assert durable[0] == [{"n": 1}]
    assert OutboxEvent.objects.count() == 0
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM kernel_eventhandled")
        assert cur.fetchone()[0] == 0
