"""The OpenID Connect provider through its HTTP endpoints (Django's test client; the live relying party
on Authlib is in test_oidc_live.py and tests/browser/test_oidc.py)."""

import base64
import hashlib
import json
import re
import secrets
from html import unescape
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.test import Client
from jwcrypto import jwk, jwt

from smartcounty.foundation.accounts.models import OidcClient, OidcConsent
from smartcounty.foundation.accounts.oidc import keys
from smartcounty.foundation.accounts.roles import Role
from smartcounty.kernel.models import AuditEntry

REDIRECT = "https://rp.example.cn/callback"
SECRET = "rp-secret-0123456789-abcdefghijklmnop"


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@pytest.fixture
def rp(db):
    client = OidcClient(name="县医保系统", client_type=OidcClient.CLIENT_CONFIDENTIAL, client_secret=SECRET,
                        authorization_grant_type=OidcClient.GRANT_AUTHORIZATION_CODE, redirect_uris=REDIRECT,
                        post_logout_redirect_uris="https://rp.example.cn/bye",
                        allowed_scopes=["openid", "profile", "organisation", "roles", "phone", "id_number"])
    client.full_clean()
    client.save()
    return client


@pytest.fixture
def machine(db):
    client = OidcClient(name="数据交换平台", client_type=OidcClient.CLIENT_CONFIDENTIAL, client_secret=SECRET,
                        authorization_grant_type=OidcClient.GRANT_CLIENT_CREDENTIALS, allowed_scopes=["sensing"])
    client.full_clean()
    client.save()
    return client


@pytest.fixture
def person(make_user, orgs):
    return make_user("wang.fang", Role.STAFF, orgs["gov-office"], display_name="王芳", phone="13812345678",
                     id_number="371525199001011234")


@pytest.fixture
def browser(person):
    c = Client()
    c.force_login(person)
    return c


def authorize(c, client, *, scope="openid profile", challenge=None, method="S256", redirect=REDIRECT, **extra):
    params = {"response_type": "code", "client_id": client.client_id, "redirect_uri": redirect, "scope": scope,
              "state": "st-1", "nonce": "n-1", **extra}
    if challenge:
        params["code_challenge"] = challenge
        if method:
            params["code_challenge_method"] = method
    return c.get("/o/authorize/?" + urlencode(params))


def followed(response) -> str:
    """Where a redirect page (or a 302) sends the browser."""
    if response.status_code == 302:
        return response["Location"]
    found = re.search(r'id="continue" href="([^"]+)"', response.content.decode())
    assert found, response.content.decode()[:2000]
    return unescape(found.group(1))


def consent_and_code(c, client, verifier_challenge, scope="openid profile", share=(), **extra):
    page = authorize(c, client, scope=scope, challenge=verifier_challenge[1], **extra)
    assert page.status_code == 200
    if 'id="consent"' not in page.content.decode():  # consent given before: straight back to the client
        return parse_qs(urlparse(followed(page)).query)
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.content.decode()))
    form = {k: unescape(v) for k, v in form.items()}
    done = c.post("/o/authorize/", {**form, "allow": "1", "share": list(share)})
    return parse_qs(urlparse(followed(done)).query)


def exchange(code, verifier, client, redirect=REDIRECT):
    return Client().post("/o/token/", {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
                                       "code_verifier": verifier, "client_id": client.client_id,
                                       "client_secret": SECRET})


def test_discovery_and_jwks_name_what_is_offered(db):
    c = Client()
    doc = c.get("/.well-known/openid-configuration").json()
    assert doc["issuer"] == "http://testserver"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["jwks_uri"].endswith("/.well-known/jwks.json") and doc["end_session_endpoint"].endswith("/o/logout/")
    assert {"organisation", "roles", "phone_number", "id_number"} <= set(doc["claims_supported"])
    assert c.get("/.well-known/jwks.json").json()["keys"][0]["kid"] == keys.current().kid


def test_code_flow_with_pkce_refresh_userinfo_and_audit(browser, rp, person):
    verifier, challenge = pkce()
    got = consent_and_code(browser, rp, (verifier, challenge), scope="openid profile organisation roles")
    assert got["state"] == ["st-1"]
    tokens = exchange(got["code"][0], verifier, rp).json()
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    key = jwk.JWK(**Client().get("/.well-known/jwks.json").json()["keys"][0])
    claims = json.loads(jwt.JWT(jwt=tokens["id_token"], key=key).claims)
    assert claims["sub"] == str(person.pk) and claims["aud"] == rp.client_id and claims["nonce"] == "n-1"
    assert claims["organisation"]["code"] == "gov-office" and claims["roles"] == ["staff"]
    info = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").json()
    assert info["name"] == "王芳" and "phone_number" not in info and "id_number" not in info
    again = Client().post("/o/token/", {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                                        "client_id": rp.client_id, "client_secret": SECRET}).json()
    assert again["access_token"] != tokens["access_token"]
    actions = list(AuditEntry.objects.filter(action__startswith="accounts.").values_list("action", flat=True))
    assert actions.count("accounts.oidc_token") == 2 and "accounts.oidc_consent" in actions
    assert AuditEntry.objects.filter(action="accounts.signin", detail__via=f"oidc:{rp.client_id}").exists()


def test_unknown_redirect_uri_is_refused_without_redirecting(browser, rp):
    _, challenge = pkce()
    for uri in ("https://evil.example.cn/callback", REDIRECT + "?x=1", REDIRECT + "/", "https://rp.example.cn/"):
        page = authorize(browser, rp, challenge=challenge, redirect=uri)
        assert page.status_code == 400 and uri not in page.content.decode()


@pytest.mark.parametrize("method", ["plain", None])
def test_plain_or_missing_pkce_method_is_refused(browser, rp, method):
    verifier, _ = pkce()
    page = authorize(browser, rp, challenge=verifier, method=method)
    query = parse_qs(urlparse(followed(page)).query)
    assert query["error"] == ["invalid_request"] and "code" not in query


def test_missing_pkce_is_refused(browser, rp):
    query = parse_qs(urlparse(followed(authorize(browser, rp))).query)
    assert query["error"] == ["invalid_request"]


def test_reused_code_and_wrong_verifier_are_refused(browser, rp):
    verifier, challenge = pkce()
    code = consent_and_code(browser, rp, (verifier, challenge))["code"][0]
    assert exchange(code, "x" * 50, rp).status_code == 400
    verifier, challenge = pkce()
    code = consent_and_code(browser, rp, (verifier, challenge))["code"][0]
    assert exchange(code, verifier, rp).status_code == 200
    second = exchange(code, verifier, rp)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"


def test_scope_the_client_was_not_given_is_refused(browser, rp):
    rp.allowed_scopes = ["openid", "profile"]
    rp.save()
    _, challenge = pkce()
    query = parse_qs(urlparse(followed(authorize(browser, rp, scope="openid phone", challenge=challenge))).query)
    assert query["error"] == ["invalid_scope"]


def test_phone_and_id_number_only_with_consent(browser, rp, person):
    verifier, challenge = pkce()
    scope = "openid profile phone id_number"
    # Asked for, but the boxes left unticked: the token does not carry the scopes, userinfo has no such claims.
    tokens = exchange(consent_and_code(browser, rp, (verifier, challenge), scope=scope)["code"][0], verifier, rp).json()
    assert set(tokens["scope"].split()) == {"openid", "profile"}
    info = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").json()
    assert "phone_number" not in info and "id_number" not in info
    # Declined once: not asked again, not given.
    verifier, challenge = pkce()
    tokens = exchange(consent_and_code(browser, rp, (verifier, challenge), scope=scope)["code"][0], verifier, rp).json()
    assert set(tokens["scope"].split()) == {"openid", "profile"}
    assert OidcConsent.objects.get(user=person, client=rp).declined == ["id_number", "phone"]
    # Asked again (prompt=consent) and ticked: given, and recorded as consent.
    verifier, challenge = pkce()
    got = consent_and_code(browser, rp, (verifier, challenge), scope=scope, share=["phone", "id_number"],
                           prompt="consent")
    tokens = exchange(got["code"][0], verifier, rp).json()
    info = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").json()
    assert info["phone_number"] == "+8613812345678" and info["id_number"] == "371525199001011234"
    assert set(OidcConsent.objects.get(user=person, client=rp).scopes) >= {"phone", "id_number"}
    # The consent page masks what it would give.
    verifier, challenge = pkce()
    page = authorize(browser, rp, scope=scope, challenge=challenge, prompt="consent").content.decode()
    assert "138****5678" in page and "13812345678" not in page and "371525199001011234" not in page
    # Withdrawn on the profile page: the token stops working and the next sign-in asks again.
    profile = browser.get("/accounts/me/").content.decode()
    assert "县医保系统" in profile
    consent_id = OidcConsent.objects.get(user=person, client=rp).pk
    assert browser.post("/accounts/me/", {"withdraw_consent": consent_id}).status_code == 302
    assert Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").status_code == 401
    assert AuditEntry.objects.filter(action="accounts.oidc_consent_withdraw").exists()
    verifier, challenge = pkce()
    assert 'id="consent"' in authorize(browser, rp, scope=scope, challenge=challenge).content.decode()


def test_consent_already_given_is_not_asked_again(browser, rp):
    verifier, challenge = pkce()
    consent_and_code(browser, rp, (verifier, challenge))
    verifier, challenge = pkce()
    page = authorize(browser, rp, challenge=challenge)
    assert "code" in parse_qs(urlparse(followed(page)).query)


def test_another_persons_consent_cannot_be_withdrawn(browser, rp, make_user):
    verifier, challenge = pkce()
    consent_and_code(browser, rp, (verifier, challenge))
    other = Client()
    other.force_login(make_user("li.lei"))
    consent_id = OidcConsent.objects.get(client=rp).pk
    assert other.post("/accounts/me/", {"withdraw_consent": consent_id}).status_code == 404
    assert OidcConsent.objects.get(pk=consent_id).revoked_at is None


def test_client_credentials_cannot_read_a_persons_userinfo(machine):
    c = Client()
    creds = {"grant_type": "client_credentials", "client_id": machine.client_id, "client_secret": SECRET}
    token = c.post("/o/token/", creds).json()
    assert token["scope"] == "sensing" and "refresh_token" not in token and "id_token" not in token
    assert c.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {token['access_token']}").status_code in (401, 403)
    refused = c.post("/o/token/", {**creds, "scope": "openid profile"})
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"
    assert c.post("/o/token/", {**creds, "client_secret": "wrong"}).status_code == 401
    assert AuditEntry.objects.filter(action="accounts.oidc_token", detail__grant_type="client_credentials").count() == 1


def test_a_machine_client_cannot_be_given_person_scopes(db):
    from django.core.exceptions import ValidationError

    bad = OidcClient(name="x", client_type=OidcClient.CLIENT_CONFIDENTIAL, allowed_scopes=["openid", "phone"],
                     authorization_grant_type=OidcClient.GRANT_CLIENT_CREDENTIALS)
    with pytest.raises(ValidationError):
        bad.full_clean()


def test_key_rotation_keeps_old_tokens_verifiable_until_retired(browser, rp):
    verifier, challenge = pkce()
    first = exchange(consent_and_code(browser, rp, (verifier, challenge))["code"][0], verifier, rp).json()
    old_kid = json.loads(base64.urlsafe_b64decode(first["id_token"].split(".")[0] + "==="))["kid"]
    new = keys.rotate()
    verifier, challenge = pkce()
    code = parse_qs(urlparse(followed(authorize(browser, rp, challenge=challenge))).query)["code"][0]
    second = exchange(code, verifier, rp).json()
    assert json.loads(base64.urlsafe_b64decode(second["id_token"].split(".")[0] + "==="))["kid"] == new.kid
    published = {k["kid"] for k in Client().get("/.well-known/jwks.json").json()["keys"]}
    assert published == {old_kid, new.kid}
    assert not keys.retire(new.kid)  # the signing key cannot be retired
    assert keys.retire(old_kid)
    assert {k["kid"] for k in Client().get("/.well-known/jwks.json").json()["keys"]} == {new.kid}
    assert AuditEntry.objects.filter(action="accounts.oidc_key_retire").count() == 1


def test_rp_initiated_logout_ends_the_session(browser, rp, person):
    verifier, challenge = pkce()
    tokens = exchange(consent_and_code(browser, rp, (verifier, challenge))["code"][0], verifier, rp).json()
    out = browser.get("/o/logout/?" + urlencode({"id_token_hint": tokens["id_token"], "state": "s2",
                                                 "post_logout_redirect_uri": "https://rp.example.cn/bye"}))
    assert followed(out) == "https://rp.example.cn/bye?state=s2"
    assert browser.get("/accounts/me/").status_code == 302  # signed out of the platform
    assert AuditEntry.objects.filter(action="accounts.signout", actor_id=person.pk).exists()
    bad = browser.get("/o/logout/?" + urlencode({"client_id": rp.client_id,
                                                 "post_logout_redirect_uri": "https://evil.example.cn/"}))
    assert bad.status_code == 400


def test_admin_client_pages_are_for_platform_admins(make_user, orgs, rp):
    c = Client()
    org_admin = make_user("org-admin", Role.ORG_ADMIN, orgs["gov-office"])
    org_admin.is_staff = True
    org_admin.save()
    c.force_login(org_admin)
    assert c.get("/admin/accounts/oidcclient/").status_code in (302, 403)
    c.force_login(make_user("root", Role.PLATFORM_ADMIN))
    assert c.get("/admin/accounts/oidcclient/").status_code == 200
    assert c.get(f"/admin/accounts/oidcclient/{rp.pk}/change/").status_code == 200


def test_client_secrets_are_stored_hashed_and_must_be_long(rp, db):
    from django.core.exceptions import ValidationError

    assert rp.client_secret.startswith("sc_client_secret$") and SECRET not in rp.client_secret
    short = OidcClient(name="y", client_type=OidcClient.CLIENT_CONFIDENTIAL, client_secret="short-secret",
                       authorization_grant_type=OidcClient.GRANT_AUTHORIZATION_CODE, redirect_uris=REDIRECT,
                       allowed_scopes=["openid"])
    with pytest.raises(ValidationError):
        short.full_clean()
