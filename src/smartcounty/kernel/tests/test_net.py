"""The client's address behind a trusted reverse proxy, and the audit rows that record it."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path

from smartcounty.kernel import audit, net
from smartcounty.kernel.models import AuditEntry


def audited_view(request):
    audit.record("test.act", object_type="thing", object_id=1)  # no ip: audit resolves it
    return HttpResponse("ok")


def given_ip_view(request):
    audit.record("test.given", ip="192.0.2.77")
    return HttpResponse("ok")


urlpatterns = [path("act/", audited_view), path("given/", given_ip_view)]
here = pytest.mark.urls(__name__)


def test_request_address_reads_forwarded_for_only_from_a_trusted_proxy(settings):
    get = RequestFactory().get
    assert net.request_address(None) is None
    assert net.request_address(get("/", REMOTE_ADDR="10.9.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")) == "10.9.0.5"
    settings.SMARTCOUNTY_TRUSTED_PROXIES = ["10.9.0.0/16"]
    assert net.request_address(get("/", REMOTE_ADDR="10.9.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1")) \
        == "198.51.100.1"
    assert net.request_address(get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")) \
        == "203.0.113.7"


def test_an_invalid_proxy_setting_is_improperly_configured(settings):
    settings.SMARTCOUNTY_TRUSTED_PROXIES = ["10.9.0.0/16", "proxy.example"]
    with pytest.raises(ImproperlyConfigured, match="proxy.example"):
        net.client_address("10.9.0.5", "198.51.100.1")


@here
@pytest.mark.django_db
def test_an_audited_request_through_a_trusted_proxy_records_the_forwarded_client(client, settings):
    settings.SMARTCOUNTY_TRUSTED_PROXIES = ["10.9.0.0/16"]
    client.get("/act/", REMOTE_ADDR="10.9.0.5", HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.23")
    assert AuditEntry.objects.get(action="test.act").ip == "198.51.100.23"
    assert audit.verify().ok


@here
@pytest.mark.django_db
def test_an_audited_request_from_an_untrusted_peer_ignores_a_forged_forwarded_for(client, settings):
    settings.SMARTCOUNTY_TRUSTED_PROXIES = ["10.9.0.0/16"]
    client.get("/act/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.23")
    assert AuditEntry.objects.get(action="test.act").ip == "203.0.113.7"
    settings.SMARTCOUNTY_TRUSTED_PROXIES = []  # the default: no proxy is trusted, not even this peer
    client.get("/act/", REMOTE_ADDR="10.9.0.5", HTTP_X_FORWARDED_FOR="198.51.100.23")
    assert list(AuditEntry.objects.filter(action="test.act").order_by("id").values_list("ip", flat=True)) \
        == ["203.0.113.7", "10.9.0.5"]


@here
@pytest.mark.django_db
def test_an_address_given_by_the_caller_wins(client, settings):
    settings.SMARTCOUNTY_TRUSTED_PROXIES = ["10.9.0.0/16"]
    client.get("/given/", REMOTE_ADDR="10.9.0.5", HTTP_X_FORWARDED_FOR="198.51.100.23")
    assert AuditEntry.objects.get(action="test.given").ip == "192.0.2.77"


@pytest.mark.django_db
def test_outside_a_request_no_address_is_recorded(settings):
    settings.SMARTCOUNTY_TRUSTED_PROXIES = ["10.9.0.0/16"]
    assert audit.record("test.system").ip is None


@pytest.mark.parametrize("url,expected", [
    ("/cases/1/", "/cases/1/"), ("https://a.example/x", "https://a.example/x"), ("HTTP://a.example", "HTTP://a.example"),
    ("javascript:alert(1)", ""), (" JavaScript:alert(1)", ""), ("data:text/html,x", ""), ("//evil.example", ""),
    ("/\\evil.example", ""), ("vbscript:x", ""), ("java\tscript:x", ""), ("http:evil", ""), ("", ""), (None, ""),
])
def test_safe_link_keeps_same_site_paths_and_http_only(url, expected):
    assert net.safe_link(url) == expected
