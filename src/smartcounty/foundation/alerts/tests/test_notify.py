"""Notifications through real local HTTP servers: signed webhooks, retries with back-off, a dead or slow
endpoint never delaying a healthy one, the delivery log, e-mail through Django's backend."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from smartcounty.foundation.alerts import notify, services
from smartcounty.foundation.alerts.models import Delivery, Subscription

pytestmark = pytest.mark.django_db(transaction=True)


class Endpoint:
    """A webhook receiver on 127.0.0.1: ``fail_first`` answers 500 that many times; ``hold`` blocks each request
    until released."""

    def __init__(self, fail_first=0, hold=False):
        self.requests = []
        self.fail_first = fail_first
        self.released = threading.Event()
        if not hold:
            self.released.set()
        self.got = threading.Event()
        self.redirect = None  # (status, location): answer every request with this redirect
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.requests.append((dict(self.headers), body))
                endpoint.got.set()
                endpoint.released.wait(30)
                if endpoint.redirect:
                    self.send_response(endpoint.redirect[0])
                    self.send_header("Location", endpoint.redirect[1])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = 500 if len(endpoint.requests) <= endpoint.fail_first else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoints(settings):
    settings.SMARTCOUNTY_WEBHOOK_BACKOFF = 0.05
    settings.SMARTCOUNTY_WEBHOOK_ATTEMPTS = 4
    settings.SMARTCOUNTY_WEBHOOK_TIMEOUT = 10
    settings.SMARTCOUNTY_OUTBOUND_ALLOW = ["127.0.0.1"]  # the receivers are local; see test_webhook_guard
    notify.invalidate()
    made = []

    def make(**kw):
        e = Endpoint(**kw)
        made.append(e)
        return e

    yield make
    for e in made:
        e.released.set()
    notify.shutdown()
    for e in made:
        e.close()
    notify.invalidate()


def wait_for(predicate, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def subscribe(target, channel="webhook", **kw):
    sub = Subscription.objects.create(name=target, channel=channel, target=target, **kw)
    notify.invalidate()
    return sub


def raise_(level=3, key="k"):
    return services.raise_alert(source="environment", key=key, title="重污染橙色预警", level=level, town="371525001")


def status(sub):
    return list(Delivery.objects.filter(subscription=sub).values_list("status", flat=True))


def test_signed_webhook_payload(endpoints):
    ep = endpoints()
    sub = subscribe(ep.url, secret="s3cret")
    out = raise_()
    assert wait_for(lambda: status(sub) == ["delivered"])
    [(headers, body)] = ep.requests
    assert headers["X-Smartcounty-Event"] == "alerts.raised"
    assert headers["X-Smartcounty-Signature"] == notify.sign("s3cret", headers["X-Smartcounty-Timestamp"], body)
    payload = json.loads(body)
    assert (payload["type"], payload["alert_id"], payload["level"], payload["title"]) == \
        ("alerts.raised", out.id, 3, "重污染橙色预警")
    d = Delivery.objects.get()
    assert (d.attempts, d.last_status_code, d.alert_event_id) == (1, 200, payload["event_id"])


def test_retries_with_back_off_then_delivers(endpoints):
    ep = endpoints(fail_first=2)
    sub = subscribe(ep.url)
    raise_()
    assert wait_for(lambda: status(sub) == ["delivered"])
    d = Delivery.objects.get()
    assert d.attempts == 3 and d.last_error == "" and d.delivered_at is not None
    assert len(ep.requests) == 3
    assert len({h["X-Smartcounty-Delivery"] for h, _ in ep.requests}) == 1  # the same delivery, retried


def test_a_dead_endpoint_fails_after_its_attempts_and_is_logged(endpoints):
    ep = endpoints()
    dead_url = ep.url
    ep.close()  # nothing listens there any more
    sub = subscribe(dead_url)
    raise_()
    assert wait_for(lambda: status(sub) == ["failed"])
    d = Delivery.objects.get()
    assert d.attempts == 4 and d.last_error and d.delivered_at is None


def test_a_stuck_endpoint_never_delays_a_healthy_one(endpoints):
    stuck, healthy = endpoints(hold=True), endpoints()
    stuck_sub, healthy_sub = subscribe(stuck.url), subscribe(healthy.url)
    raise_(key="one")
    raise_(key="two")
    assert stuck.got.wait(20)
    # the stuck endpoint still holds its first request, and the healthy one has had both alerts
    assert wait_for(lambda: status(healthy_sub) == ["delivered", "delivered"])
    assert len(stuck.requests) == 1 and status(stuck_sub) == ["pending", "pending"]
    stuck.released.set()
    assert wait_for(lambda: status(stuck_sub) == ["delivered", "delivered"])


def test_subscription_filters_and_email(endpoints, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ep = endpoints()
    only_red = subscribe(ep.url, min_level=4)
    resolved_only = subscribe(ep.url, events=["alerts.resolved"])
    other_org = subscribe(ep.url, organisation_id=99)
    email = subscribe("duty@guanxian.example", channel="email")
    out = raise_(level=3)
    assert wait_for(lambda: status(email) == ["delivered"])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["duty@guanxian.example"] and "重污染橙色预警" in message.subject
    assert "371525001" in message.body
    services.resolve_alert(out.id)
    assert wait_for(lambda: status(resolved_only) == ["delivered"])
    assert status(only_red) == [] and status(other_org) == []


def test_pending_deliveries_resume_when_the_background_service_starts(endpoints):
    ep = endpoints()
    sub = subscribe(ep.url)
    # left pending by a previous process (e.g. killed between the log row and the POST)
    Delivery.objects.create(subscription=sub, event="alerts.raised", payload={"type": "alerts.raised"})
    stop = threading.Event()
    service = threading.Thread(target=notify.run_background, args=(stop,), daemon=True)
    service.start()
    assert wait_for(lambda: status(sub) == ["delivered"])
    stop.set()
    service.join(10)
    assert not service.is_alive() and len(ep.requests) == 1
