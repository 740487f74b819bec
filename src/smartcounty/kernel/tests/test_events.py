import pytest
from django.db import transaction

from smartcounty.kernel import events


@pytest.fixture
def seen():
    got = []

    def handler(name, payload):
        got.append((name, payload))

    events.subscribe("test.happened", handler, module="test")
    yield got
    events.unsubscribe("test.happened", handler)


@pytest.mark.django_db(transaction=True)
def test_delivered_after_commit_and_never_on_rollback(seen):
    with transaction.atomic():
        events.publish("test.happened", 1)
        assert seen == []
    assert seen == [("test.happened", 1)]
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish("test.happened", 2)
        raise RuntimeError
    assert seen == [("test.happened", 1)]


def test_a_failing_handler_does_not_stop_the_others(seen):
    def broken(name, payload):
        raise ValueError("boom")

    events.subscribe("test.happened", broken, module="broken")
    try:
        events.deliver("test.happened", 3)
    finally:
        events.unsubscribe("test.happened", broken)
    assert seen == [("test.happened", 3)]


def test_background_events_run_off_the_publishing_thread_in_order(settings):
    import threading

    settings.SMARTCOUNTY_EVENTS_INLINE = False
    got, threads, release = [], set(), threading.Event()

    def slow(name, payload):
        release.wait(5)
        got.append(("slow", payload))

    def quick(name, payload):
        threads.add(threading.current_thread().name)
        got.append(("quick", payload))

    events.subscribe("test.bulk", slow, module="slow")
    events.subscribe("test.bulk", quick, module="quick")
    events.declare("test.bulk", background=True)
    try:
        for n in range(3):
            events.deliver("test.bulk", n)
        # The publisher returned although "slow" is blocked, and "quick" is not held up by it.
        for _ in range(500):
            if len([p for who, p in got if who == "quick"]) == 3:
                break
            threading.Event().wait(0.01)
        assert [p for who, p in got if who == "quick"] == [0, 1, 2]
        assert not [p for who, p in got if who == "slow"]
        assert events.wait_idle(0.05) is False
        assert events.pending() == 3  # the slow subscriber's three batches
        release.set()
        assert events.wait_idle(5) is True
        assert events.pending() == 0
        assert [p for who, p in got if who == "slow"] == [0, 1, 2]
        assert threads and threading.current_thread().name not in threads
    finally:
        events.declare("test.bulk", background=False)
        events.unsubscribe("test.bulk", slow)
        events.unsubscribe("test.bulk", quick)
