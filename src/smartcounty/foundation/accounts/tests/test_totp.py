"""Two-step verification (TOTP, RFC 6238): enrolment, sign-in step, wrong codes, replay, recovery codes,
the role setting, token issuing, the admin login; every step audited."""

import re
import time

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from smartcounty.foundation.accounts import totp
from smartcounty.foundation.accounts.models import ApiToken, RecoveryCode, TotpDevice
from smartcounty.foundation.accounts.tests.conftest import problem
from smartcounty.kernel.models import AuditEntry
from smartcounty.kernel.problems import ApiError

PASSWORD = "Correct-Horse-42"
LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:verify")
TWO_STEP = reverse("accounts:two_step")


@pytest.fixture
def alice(orgs, make_user):
    return make_user("alice", "staff", orgs["gov-office"], password=PASSWORD)


def actions():
    return list(AuditEntry.objects.values_list("action", flat=True))


def code_at(secret, step_offset=0):
    return pyotp.TOTP(secret).at(time.time() + step_offset * 30)


def enrol(client, user) -> tuple[str, list[str]]:
    """Set up two-step verification through the page, as the user would; return (secret, recovery codes)."""
    client.force_login(user)
    assert client.post(TWO_STEP, {"action": "begin"}).status_code == 302
    page = client.get(TWO_STEP).content.decode()
    assert "<svg" in page  # the QR code
    uri = re.search(r'id="otpauth-uri">([^<]+)<', page).group(1).replace("&amp;", "&")
    assert uri.startswith("otpauth://totp/smartcounty:alice?") and "issuer=smartcounty" in uri
    secret = pyotp.parse_uri(uri).secret
    page = client.post(TWO_STEP, {"action": "confirm", "code": code_at(secret, -1)}).content.decode()
    codes = re.findall(r"<li>([0-9a-f]{6}-[0-9a-f]{6})</li>", page)
    assert len(codes) == 10
    client.logout()
    return secret, codes


def password_step(client, username="alice", password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="10.0.0.1")


def test_enrolment_with_a_qr_code_and_recovery_codes_hashed(client, alice):
    secret, codes = enrol(client, alice)
    dev = TotpDevice.objects.get(user=alice)
    assert dev.confirmed_at is not None and dev.secret == secret
    stored = set(RecoveryCode.objects.filter(user=alice).values_list("digest", flat=True))
    assert len(stored) == 10 and not set(codes) & stored  # only digests are stored
    assert "accounts.totp_enrolled" in actions()


def test_a_wrong_code_does_not_finish_enrolment(client, alice):
    client.force_login(alice)
    client.post(TWO_STEP, {"action": "begin"})
    page = client.post(TWO_STEP, {"action": "confirm", "code": "000000"})
    assert page.context["form"].errors.get("code")
    assert not totp.enabled(alice) and "accounts.totp_failed" in actions()


def test_sign_in_asks_for_the_code_after_the_password(client, alice):
    secret, _codes = enrol(Client(), alice)
    response = password_step(client)
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert "_auth_user_id" not in client.session  # the password alone does not sign in
    assert client.get(reverse("accounts:profile")).status_code == 302
    response = client.post(VERIFY, {"code": code_at(secret)})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(alice.pk)
    row = AuditEntry.objects.filter(action="accounts.signin").get()
    assert row.detail["via"] == "password+totp"
    assert "accounts.totp_verified" in actions()


def test_a_wrong_code_is_refused_counted_and_audited(client, alice):
    enrol(Client(), alice)
    password_step(client)
    response = client.post(VERIFY, {"code": "123456"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert response.context["form"].errors.get("code")
    assert actions().count("accounts.totp_failed") == 1 and actions().count("accounts.signin_failed") == 1


def test_wrong_codes_are_slowed_like_wrong_passwords(client, alice):
    secret, _codes = enrol(Client(), alice)
    password_step(client)
    for _ in range(5):
        client.post(VERIFY, {"code": "123456"})
    response = client.post(VERIFY, {"code": code_at(secret)})  # even the right code waits now
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert "_auth_user_id" not in client.session


def test_a_code_is_never_accepted_twice(client, alice):
    secret, _codes = enrol(Client(), alice)
    code = code_at(secret)
    password_step(client)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.logout()
    other = Client()
    password_step(other)
    response = other.post(VERIFY, {"code": code})  # replayed within its 30 s
    assert response.status_code == 200 and "_auth_user_id" not in other.session


def test_a_recovery_code_works_once(client, alice):
    _secret, codes = enrol(Client(), alice)
    password_step(client)
    assert client.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert AuditEntry.objects.filter(action="accounts.signin").get().detail["via"] == "password+recovery"
    client.logout()
    password_step(client)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert totp.recovery_codes_left(alice) == 9


def test_the_pending_step_expires(client, alice):
    secret, _codes = enrol(Client(), alice)
    password_step(client)
    session = client.session
    session["accounts_pending_signin"]["at"] -= 301
    session.save()
    response = client.post(VERIFY, {"code": code_at(secret)})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_the_role_setting_requires_enrolment_at_sign_in(client, alice, settings):
    settings.SMARTCOUNTY_TOTP_REQUIRED_ROLES = ["staff", "org_admin", "platform_admin"]
    response = password_step(client)
    assert response["Location"] == reverse("accounts:enrol") and "_auth_user_id" not in client.session
    page = client.get(reverse("accounts:enrol")).content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    page = client.post(reverse("accounts:enrol"), {"code": code_at(secret)})
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert len(re.findall(r"<li>[0-9a-f]{6}-[0-9a-f]{6}</li>", page.content.decode())) == 10
    # A required second factor cannot be turned off.
    with pytest.raises(ApiError):
        totp.disable(alice, code_at(secret, 1))
    assert totp.enabled(alice)


def test_tokens_need_a_fresh_code(client, alice):
    secret, _codes = enrol(Client(), alice)
    client.force_login(alice)
    url = "/api/v1/accounts/tokens"
    problem(client.post(url, {"name": "t", "scopes": ["*"]}, content_type="application/json"), 403,
            "second-factor-required")
    problem(client.post(url, {"name": "t", "scopes": ["*"], "otp": "000000"}, content_type="application/json"), 403,
            "second-factor-required")
    response = client.post(url, {"name": "t", "scopes": ["*"], "otp": code_at(secret)}, content_type="application/json")
    assert response.status_code == 201
    # The page's token form asks for it too.
    page = client.post(reverse("accounts:profile"), {"name": "p", "scopes": ["*"], "days": 30})
    assert page.context["form"].errors.get("otp") and ApiToken.objects.count() == 1


def test_a_required_but_missing_second_factor_issues_no_token(client, alice, settings):
    settings.SMARTCOUNTY_TOTP_REQUIRED_ROLES = ["staff"]
    client.force_login(alice)
    problem(client.post("/api/v1/accounts/tokens", {"name": "t", "scopes": ["*"]}, content_type="application/json"),
            403, "second-factor-required")


def test_the_admin_login_does_not_skip_the_second_factor(client, make_user):
    boss = make_user("boss", "platform_admin", password=PASSWORD, is_superuser=True)
    TotpDevice.objects.create(user=boss, secret=pyotp.random_base32(), confirmed_at="2026-01-01T00:00:00Z")
    client.post(reverse("admin:login"), {"username": "boss", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3")
    assert "_auth_user_id" not in client.session


def test_turning_it_off_needs_a_code(client, alice):
    secret, _codes = enrol(Client(), alice)
    client.force_login(alice)
    client.post(TWO_STEP, {"action": "disable", "code": "000000"})
    assert totp.enabled(alice)
    client.post(TWO_STEP, {"action": "disable", "code": code_at(secret)})
    assert not totp.enabled(alice) and not RecoveryCode.objects.filter(user=alice).exists()
    assert "accounts.totp_disabled" in actions()
