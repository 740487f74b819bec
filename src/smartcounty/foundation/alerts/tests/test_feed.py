"""The live feed (server-sent events): staff only, Last-Event-ID catch-up, live messages, organisation filter."""

import json

import pytest
from django.db import connections
from django.test import Client

from smartcounty.foundation.alerts import services
from smartcounty.foundation.alerts.feed import broadcaster
from smartcounty.foundation.alerts.models import AlertEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_feed(settings, monkeypatch):
    settings.SMARTCOUNTY_ALERTS_FEED_HEARTBEAT = 0.05
    settings.SMARTCOUNTY_ALERTS_FEED_POLL = 0
    settings.SMARTCOUNTY_ALERTS_FEED_MAX_SECONDS = 5
    # Closing a streamed response fires request_finished, whose close_old_connections would close the test's
    # connection (the test client only shields non-streaming responses).
    monkeypatch.setattr(connections["default"], "close_if_unusable_or_obsolete", lambda: None)


def open_feed(user, last_id=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    headers = {"HTTP_LAST_EVENT_ID": str(last_id)} if last_id is not None else {}
    return c.get("/alerts/feed", **headers)


def messages(response, n):
    """The next ``n`` alert messages of a stream (skipping the retry hint and keep-alives)."""
    out = []
    chunks = iter(response.streaming_content)
    for chunk in chunks:
        text = chunk.decode()
        if text.startswith("id: "):
            lines = dict(line.split(": ", 1) for line in text.strip().split("\n"))
            out.append((int(lines["id"]), lines["event"], json.loads(lines["data"])))
            if len(out) == n:
                return out
    return out


def raise_(key, org=None, level=2, capture=None):
    return services.raise_alert(source="environment", key=key, title=f"alert {key}", level=level,
                                organisation_id=org)


def test_feed_is_for_staff_only(users):
    assert open_feed(None).status_code == 401
    assert open_feed(users["resident"]).status_code == 403
    r = open_feed(users["grid_a"])
    assert r.status_code == 200 and r["Content-Type"].startswith("text/event-stream")
    assert r["Cache-Control"] == "no-cache"
    r.close()
    assert open_feed(users["staff_a"], "abc").status_code == 400


def test_catch_up_from_last_event_id(users):
    raise_("one")
    raise_("two", level=3)
    first = AlertEvent.objects.order_by("id").first().id
    r = open_feed(users["staff_a"], last_id=first)
    [(event_id, name, data)] = messages(r, 1)
    r.close()
    assert name == "alert" and event_id == first + 1
    assert (data["title"], data["level"], data["event"], data["state"]) == ("alert two", 3, "raised", "raised")


def test_live_messages_reach_open_streams_filtered_by_organisation(users, django_capture_on_commit_callbacks):
    a, b = users["staff_a"].organisation_id, users["staff_b"].organisation_id
    stream_a, stream_b = open_feed(users["staff_a"]), open_feed(users["staff_b"])
    iters = [iter(stream_a.streaming_content), iter(stream_b.streaming_content)]
    for it in iters:
        assert next(it) == b"retry: 3000\n\n"  # subscribed now
    assert broadcaster.listeners >= 2
    with django_capture_on_commit_callbacks(execute=True):
        out_a = raise_("for-a", org=a)
        raise_("for-b", org=b)
        services.acknowledge_alert(out_a.id, actor=users["staff_a"])

    def next_messages(it, n):
        got = []
        for chunk in it:
            if chunk.startswith(b"id: "):
                got.append(json.loads(chunk.decode().split("data: ", 1)[1]))
                if len(got) == n:
                    return got
        return got

    got_a = next_messages(iters[0], 2)
    assert [(m["title"], m["event"]) for m in got_a] == [("alert for-a", "raised"), ("alert for-a", "acknowledged")]
    got_b = next_messages(iters[1], 1)
    assert [m["title"] for m in got_b] == ["alert for-b"]
    before = broadcaster.listeners
    stream_a.close()
    stream_b.close()
    assert broadcaster.listeners == before - 2


def test_platform_admin_sees_everything_and_messages_are_small(users):
    raise_("x", org=users["staff_a"].organisation_id)
    raise_("y", org=users["staff_b"].organisation_id)
    r = open_feed(users["platform"], last_id=0)
    got = messages(r, 2)
    r.close()
    assert [d["title"] for _, _, d in got] == ["alert x", "alert y"]
    assert all(len(json.dumps(d)) < 400 for _, _, d in got)


def test_events_of_another_process_arrive_through_the_catch_up_poll(users, settings):
    """An alert raised where this process's broadcaster never hears of it (e.g. a separate MQTT ingester)."""
    settings.SMARTCOUNTY_ALERTS_FEED_POLL = 0.05
    r = open_feed(users["platform"])
    it = iter(r.streaming_content)
    assert next(it) == b"retry: 3000\n\n"
    listeners = broadcaster.listeners
    raise_("elsewhere")  # committed callbacks are not run here: nothing is broadcast
    got = None
    for chunk in it:
        if chunk.startswith(b"id: "):
            got = json.loads(chunk.decode().split("data: ", 1)[1])
            break
    r.close()
    assert got["title"] == "alert elsewhere" and broadcaster.listeners == listeners - 1
