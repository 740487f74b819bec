"""OpenID Connect with a real relying party: an Authlib web app (accounts/tests/oidc_rp.py) signs a person
in through the platform in Chromium, with PKCE (S256), exchanges the code, checks the ID token against the
JWKS, refreshes, reads userinfo, and signs out (RP-initiated logout ends the platform's session too)."""

import json

import pytest
from tests.browser.conftest import PASSWORD, STAFF, run_shell, screenshot

from smartcounty.foundation.accounts.tests.oidc_rp import RelyingParty, free_port

pytestmark = pytest.mark.browser

REGISTER = """
from django.apps import apps
Client = apps.get_model("accounts", "OidcClient")
Client.objects.filter(name="浏览器测试系统").delete()
c = Client(name="浏览器测试系统", client_type="confidential", authorization_grant_type="authorization-code",
           client_secret="{secret}", redirect_uris="{redirect}", post_logout_redirect_uris="{bye}",
           allowed_scopes=["openid", "profile", "organisation", "roles", "phone"])
c.full_clean()
c.save()
print(c.client_id)
"""


@pytest.fixture
def rp(server, server_env):
    port = free_port()
    base, secret = f"http://127.0.0.1:{port}", "browser-rp-secret-0123456789-abcdefgh"
    client_id = run_shell(server_env, REGISTER.format(secret=secret, redirect=base + "/callback",
                                                      bye=base + "/bye")).strip().splitlines()[-1]
    party = RelyingParty(server, client_id, secret, "openid profile organisation roles phone", port=port).start()
    yield party
    party.stop()


def test_sign_in_refresh_userinfo_and_sign_out(new_page, server, rp):
    page, watch = new_page(390, 844)
    page.goto(rp.base + "/login")
    # The platform's own sign-in page (session sign-in), then its consent page in Chinese.
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", STAFF)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").first.click()
    page.wait_for_selector("#consent")
    assert "浏览器测试系统" in page.inner_text("h1") and "手机" in page.inner_text("#consent")
    screenshot(page, "oidc-consent-phone")
    page.click("#consent button[name=allow]")  # the phone box left unticked
    page.wait_for_selector("#hello, #error", timeout=20000)
    assert not rp.errors, (rp.errors, page.url)
    assert not rp.errors, rp.errors
    got = rp.results
    assert got["claims"]["iss"] == server and got["claims"]["aud"] == rp.client_id
    assert got["refreshed"]["access_token"] != got["token"]["access_token"]
    info = json.loads(page.inner_text("#result"))
    assert info["sub"] == got["claims"]["sub"] and info["preferred_username"] == STAFF
    assert info["organisation"]["code"] == "browser-test-org" and info["roles"] == ["staff"]
    assert "phone_number" not in info  # asked for, not consented to
    # Signing in again needs no consent page: the consent is remembered.
    page.goto(rp.base + "/login")
    page.wait_for_selector("#hello, #error", timeout=20000)
    assert not rp.errors, (rp.errors, page.url)
    # The profile page lists the system; RP-initiated logout ends the platform session and returns.
    page.goto(server + "/accounts/me/")
    assert "浏览器测试系统" in page.inner_text("#consents")
    page.goto(rp.base + "/logout")
    page.wait_for_selector("#bye", timeout=20000)
    assert rp.results["bye_state"] == rp.results["logout_state"]
    page.goto(server + "/accounts/me/")
    assert "/accounts/login/" in page.url
    # The relying party's pages are another site (its requests are expected); a page that moves on at once
    # may have its icon's request cut short.
    assert not [e for e in watch.errors if f"127.0.0.1:{rp.port}" not in e
                and not ("favicon" in e and "ERR_ABORTED" in e)], watch.errors
