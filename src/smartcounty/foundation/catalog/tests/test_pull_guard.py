"""A resource's source URL cannot reach the server's own or internal addresses (SSRF), at save time
and, the real guard, at fetch time; the county's own sources are let through by SMARTCOUNTY_OUTBOUND_ALLOW."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from smartcounty.foundation.catalog import services
from smartcounty.foundation.catalog.models import Resource

SECRET = "监测站,日期,空气质量指数\n内部,2026-11-01,1\n".encode()


@pytest.fixture
def internal():
    """A loopback service holding something that must never be published."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", f"http://localhost:{self.server.server_port}/secret.csv")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            self.wfile.write(SECRET)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def _patch(user, slug, body):
    c = Client()
    c.force_login(user)
    return c.patch(f"/api/v1/catalog/resources/{slug}", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("target", ["{base}/secret.csv", "http://localhost:{port}/secret.csv",
                                    "http://169.254.169.254/latest/meta-data/", "file:///etc/passwd",
                                    "ftp://127.0.0.1/x.csv", "http://[::1]:{port}/x.csv", "http://10.1.2.3/x.csv"])
def test_an_internal_source_url_is_a_problem_and_nothing_is_saved(people, aqi, internal, settings, target):
    settings.SMARTCOUNTY_OUTBOUND_ALLOW = []
    base, hits = internal
    url = target.format(base=base, port=base.rsplit(":", 1)[1])
    r = _patch(people["env_staff"], aqi.slug, {"source_url": url})
    assert r.status_code == 422, r.content
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["field"] == "source_url"
    assert Resource.objects.get(pk=aqi.pk).source_url == ""
    assert hits == []


def test_the_fetch_itself_refuses_an_address_no_longer_allowed(aqi, internal, settings):
    base, hits = internal
    settings.SMARTCOUNTY_OUTBOUND_ALLOW = ["127.0.0.1"]
    services.update_resource(aqi, {"source_url": f"{base}/secret.csv"})  # allowed when saved
    settings.SMARTCOUNTY_OUTBOUND_ALLOW = []  # ... no longer (like DNS that changed after saving)
    aqi.refresh_from_db()
    assert services.pull(aqi) is None
    aqi.refresh_from_db()
    assert "SMARTCOUNTY_OUTBOUND_ALLOW" in aqi.pull_error and aqi.current_version is None and hits == []


def test_a_redirect_to_loopback_is_not_followed_and_the_allowed_source_loads(aqi, internal, settings):
    base, hits = internal
    settings.SMARTCOUNTY_OUTBOUND_ALLOW = ["127.0.0.1"]
    services.update_resource(aqi, {"source_url": f"{base}/redirect"})
    aqi.refresh_from_db()
    assert services.pull(aqi) is None
    aqi.refresh_from_db()
    assert "localhost" in aqi.pull_error and aqi.current_version is None and hits == ["/redirect"]
    services.update_resource(aqi, {"source_url": f"{base}/aqi.csv"})
    aqi.refresh_from_db()
    version = services.pull(aqi)
    assert version is not None and version.row_count == 1
