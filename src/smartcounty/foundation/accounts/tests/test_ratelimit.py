"""API rate limits (kernel.ratelimit): per client, per token, failed authentications, Retry-After."""

import pytest
from django.core.cache import cache

from smartcounty.foundation.accounts import services
from smartcounty.foundation.accounts.tests.conftest import problem

CKAN = "/api/3/action/package_list"
ME = "/api/v1/accounts/me"


@pytest.fixture(autouse=True)
def limits(settings):
    cache.clear()
    settings.SMARTCOUNTY_RATE_ANON = "5/m"
    settings.SMARTCOUNTY_RATE_TOKEN = "8/m"
    settings.SMARTCOUNTY_RATE_INGEST = "1000/m"
    settings.SMARTCOUNTY_RATE_AUTH_FAILURES = "3/5m"
    yield settings
    cache.clear()


def refused(response):
    body = problem(response, 429, "rate-limited")
    assert 1 <= int(response["Retry-After"]) <= 300
    return body


def test_an_anonymous_client_over_the_limit_gets_429_and_another_client_does_not(client, db):
    for _ in range(5):
        assert client.get(CKAN, REMOTE_ADDR="10.1.0.1").status_code == 200
    refused(client.get(CKAN, REMOTE_ADDR="10.1.0.1"))
    refused(client.get(ME, REMOTE_ADDR="10.1.0.1"))  # every API path shares the client's bucket
    assert client.get(CKAN, REMOTE_ADDR="10.1.0.2").status_code == 200


def test_open311_and_downloads_are_limited_too(client, db):
    for _ in range(5):
        client.get("/citymgmt/open311/v2/services.json", REMOTE_ADDR="10.1.0.3")
    refused(client.get("/citymgmt/open311/v2/services.json", REMOTE_ADDR="10.1.0.3"))
    refused(client.get("/catalog/d/anything/download.csv", REMOTE_ADDR="10.1.0.3"))
    assert client.get("/healthz", REMOTE_ADDR="10.1.0.3").status_code == 200  # pages are not API calls


def test_each_token_has_its_own_bucket(client, people):
    _, one = services.issue_token(people["staff_a"], "one", ["*"])
    _, two = services.issue_token(people["staff_a"], "two", ["*"])
    for _ in range(8):
        assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {one}", REMOTE_ADDR="10.1.1.1").status_code == 200
    refused(client.get(ME, HTTP_AUTHORIZATION=f"Bearer {one}", REMOTE_ADDR="10.1.1.1"))
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {two}", REMOTE_ADDR="10.1.1.1").status_code == 200
    # A token's calls do not use up its client's anonymous allowance.
    assert client.get(CKAN, REMOTE_ADDR="10.1.1.1").status_code == 200


def test_a_signed_in_session_has_the_users_bucket(client, people):
    client.force_login(people["staff_a"])
    for _ in range(8):
        assert client.get(ME, REMOTE_ADDR="10.1.2.1").status_code == 200
    refused(client.get(ME, REMOTE_ADDR="10.1.2.2"))  # the user's bucket, from any address


def test_a_burst_of_bad_tokens_is_refused_with_429_before_the_token_is_looked_up(client, people):
    _, good = services.issue_token(people["staff_a"], "good", ["*"])
    for n in range(3):
        problem(client.get(ME, HTTP_AUTHORIZATION=f"Bearer sc_bad{n}_x", REMOTE_ADDR="10.1.3.1"), 401)
    for n in range(3, 20):
        refused(client.get(ME, HTTP_AUTHORIZATION=f"Bearer sc_bad{n}_x", REMOTE_ADDR="10.1.3.1"))
    # Even a valid token from that client waits for the window; from another client it works.
    refused(client.get(ME, HTTP_AUTHORIZATION=f"Bearer {good}", REMOTE_ADDR="10.1.3.1"))
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {good}", REMOTE_ADDR="10.1.3.2").status_code == 200


def test_bad_ckan_keys_count_as_failed_authentications(client, db):
    for n in range(3):
        assert client.get(CKAN, HTTP_AUTHORIZATION=f"sc_bad{n}_x", REMOTE_ADDR="10.1.4.1").status_code == 403
    response = client.get(CKAN, HTTP_AUTHORIZATION="sc_bad9_x", REMOTE_ADDR="10.1.4.1")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1


def test_ingest_is_counted_per_request_under_its_own_high_limit(client, people, settings):
    settings.SMARTCOUNTY_RATE_INGEST = "12/m"
    _, token = services.issue_token(people["platform"], "ingest", ["*"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}", "REMOTE_ADDR": "10.1.5.1"}
    body = [{"datastream": 999999, "phenomenonTime": "2026-12-01T00:00:00Z", "result": n} for n in range(50)]
    for _ in range(12):  # 12 batches of 50 observations each: 600 observations, 12 requests
        response = client.post("/api/v1/sensing/observations", body, content_type="application/json", **auth)
        assert response.status_code != 429
    refused(client.post("/api/v1/sensing/observations", body, content_type="application/json", **auth))
    assert client.get(ME, **auth).status_code == 200  # the token's other calls have their own bucket
