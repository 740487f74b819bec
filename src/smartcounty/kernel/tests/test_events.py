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
