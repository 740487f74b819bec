"""Webhooks cannot reach loopback, link-local, private or metadata addresses (SSRF): refused when a
subscription is made and, the real guard, when a delivery connects or follows a redirect; signatures are
never sent on to another origin. Receivers are listeners on 127.0.0.1 started by the tests."""

import json

import pytest
from django.test import Client

from smartcounty.foundation.alerts.models import Delivery, Subscription
from smartcounty.foundation.alerts.tests.test_notify import endpoints, raise_, status, subscribe, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["endpoints"]  # the fixture, shared with test_notify


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/hook", "http://[::ffff:127.0.0.1]/h",
    "http://169.254.169.254/latest/meta-data/", "http://metadata.google.internal/computeMetadata/v1/",
    "http://[fe80::1]/hook", "http://10.0.0.5/hook", "http://192.168.0.10/hook", "http://a.localhost/hook",
])
def test_an_internal_webhook_target_is_a_problem_and_nothing_is_saved(users, settings, target):
    settings.SMARTCOUNTY_OUTBOUND_ALLOW = []
    c = Client()
    c.force_login(users["admin_a"])
    r = c.post("/api/v1/alerts/subscriptions", json.dumps({"name": "x", "channel": "webhook", "target": target}),
               content_type="application/json")
    assert r.status_code == 422, r.content
    assert r["Content-Type"] == "application/problem+json" and r.json()["field"] == "target"
    assert not Subscription.objects.exists()


def test_a_delivery_to_loopback_is_refused_when_it_connects(endpoints, settings):
    ep = endpoints()
    settings.SMARTCOUNTY_OUTBOUND_ALLOW = []  # saved earlier (or its name resolved elsewhere then)
    settings.SMARTCOUNTY_WEBHOOK_ATTEMPTS = 1
    sub = subscribe(ep.url, secret="s3cret")
    raise_()
    assert wait_for(lambda: status(sub) == ["failed"])
    assert "SMARTCOUNTY_OUTBOUND_ALLOW" in Delivery.objects.get().last_error
    assert ep.requests == []


def test_a_redirect_to_loopback_is_not_followed(endpoints, settings):
    front, inner = endpoints(), endpoints()
    settings.SMARTCOUNTY_OUTBOUND_ALLOW = ["localhost"]  # the receiver by name; loopback addresses stay refused
    settings.SMARTCOUNTY_WEBHOOK_ATTEMPTS = 1
    front.redirect = (307, inner.url)
    sub = subscribe(front.url.replace("127.0.0.1", "localhost"), secret="s3cret")
    raise_()
    assert wait_for(lambda: status(sub) == ["failed"])
    assert len(front.requests) == 1 and inner.requests == []
    assert "SMARTCOUNTY_OUTBOUND_ALLOW" in Delivery.objects.get().last_error


def test_signature_headers_never_follow_a_redirect_to_another_origin(endpoints, settings):
    front, other = endpoints(), endpoints()
    settings.SMARTCOUNTY_WEBHOOK_ATTEMPTS = 1
    front.redirect = (307, other.url)
    sub = subscribe(front.url, secret="s3cret")
    raise_()
    assert wait_for(lambda: status(sub) == ["delivered"])
    [(front_headers, body)] = front.requests
    assert "X-Smartcounty-Signature" in front_headers
    [(other_headers, other_body)] = other.requests
    assert other_body == body
    assert not any(h.lower().startswith("x-smartcounty-") for h in other_headers)


def test_a_redirect_that_would_drop_the_body_is_a_failure(endpoints, settings):
    ep = endpoints()
    settings.SMARTCOUNTY_WEBHOOK_ATTEMPTS = 1
    ep.redirect = (302, ep.url + "/elsewhere")
    sub = subscribe(ep.url)
    raise_()
    assert wait_for(lambda: status(sub) == ["failed"])
    assert Delivery.objects.get().last_status_code == 302 and len(ep.requests) == 1
