"""Sign-in, sign-out and sign-up pages: audited, lock-out after repeated failures, argon2."""


import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from smartcounty.foundation.accounts import services
from smartcounty.foundation.accounts.models import User
from smartcounty.kernel.models import AuditEntry

PASSWORD = "Correct-Horse-42"
LOGIN = reverse("accounts:login")


@pytest.fixture
def alice(orgs, make_user):
    return make_user("alice", "staff", orgs["gov-office"], password=PASSWORD)


def sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def actions():
    return list(AuditEntry.objects.values_list("action", flat=True))


def test_passwords_are_hashed_with_argon2(real_hashers, make_user, settings):
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user = make_user("bob", password=PASSWORD)
    assert user.password.startswith("argon2$argon2id$")
    assert "m=102400" in user.password  # production memory cost, not the tests' cheap one
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    assert not User.objects.get(pk=user.pk).check_password(PASSWORD + "x")


def test_the_sign_in_page_speaks_chinese_first(client, db):
    page = client.get(LOGIN).content.decode()
    assert "登录" in page and "注册" in page
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign in" in page


def test_a_sign_in_is_audited_and_signs_in(client, alice):
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)
    row = AuditEntry.objects.get(action="accounts.signin")
    assert row.actor_id == alice.pk and row.ip == "10.0.0.1" and row.organisation_id == alice.organisation_id


def test_a_failed_sign_in_is_audited(client, alice):
    response = sign_in(client, "alice", "wrong-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    row = AuditEntry.objects.get(action="accounts.signin_failed")
    assert row.detail == {"username": "alice"} and row.object_id == str(alice.pk) and row.ip == "10.0.0.1"
    sign_in(client, "nobody", "whatever")
    assert AuditEntry.objects.filter(action="accounts.signin_failed").count() == 2


def test_sign_out_is_audited(client, alice):
    sign_in(client, "alice", PASSWORD)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="accounts.signout", actor_id=alice.pk).count() == 1


def test_the_client_address_walks_forwarded_for_from_the_right(settings):
    address = services.client_address
    assert address("10.0.0.1", "198.51.100.1") == "10.0.0.1"  # default: no proxy is trusted
    settings.SMARTCOUNTY_TRUSTED_PROXIES = ["10.9.0.0/16", "2001:db8::/64"]
    assert address("203.0.113.7", "198.51.100.1") == "203.0.113.7"  # an untrusted peer
    assert address("10.9.0.5", None) == "10.9.0.5"  # a trusted peer that forwards nothing
    assert address("10.9.0.5", "1.2.3.4, 198.51.100.1, 10.9.0.7") == "198.51.100.1"  # two proxies
    assert address("2001:db8::5", "[2001:db8:1::9]:4711") == "2001:db8:1::9"
    assert address("10.9.0.5", "::ffff:198.51.100.1") == "198.51.100.1"
    assert address("10.9.0.5", "198.51.100.1:51000") == "198.51.100.1"
    assert address("10.9.0.5", "10.9.0.8, 10.9.0.7") == "10.9.0.8"  # all proxies: the farthest one
    assert address("10.9.0.5", "198.51.100.1, unknown") == "10.9.0.5"  # unreadable: stop at the proxy
    settings.SMARTCOUNTY_TRUSTED_PROXIES = ["not-an-address"]
    with pytest.raises(ImproperlyConfigured):
        address("10.9.0.5", "198.51.100.1")


# -- sign-up -------------------------------------------------------------------------------

SIGNUP = reverse("accounts:signup")
VERIFY = reverse("accounts:signup_verify")


@pytest.fixture(autouse=True)
def texts(settings):
    """Text messages are kept in ``sms.outbox`` (the locmem backend)."""
    from smartcounty.foundation.accounts import sms

    settings.SMARTCOUNTY_SMS_BACKEND = "locmem"
    sms.outbox.clear()
    return sms.outbox


def signup(client, **over):
    data = {"username": "wangfang", "display_name": "王芳", "phone": "13912345678",
            "password1": "Guanxian-Resident-9", "password2": "Guanxian-Resident-9", **over}
    return client.post(SIGNUP, data)


def sent_code(texts) -> str:
    import re

    return re.search(r"\b(\d{6})\b", texts[-1]["text"]).group(1)


def test_a_resident_signs_up_once_for_every_service(client, db, texts):
    assert "注册" in client.get(SIGNUP).content.decode()
    response = signup(client)
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert not User.objects.exists() and "_auth_user_id" not in client.session
    assert texts[-1]["phone"] == "13912345678"
    assert "139****5678" in client.get(VERIFY).content.decode()
    response = client.post(VERIFY, {"code": sent_code(texts)})
    # a new resident lands on his own start page (my reports), not on permission codes and API tokens
    assert response.status_code == 302 and response["Location"] == services.start_page(User.objects.get(username="wangfang"))
    assert response["Location"] != reverse("accounts:profile")
    user = User.objects.get(username="wangfang")
    assert (user.role, user.kind, user.organisation_id, user.phone) == ("resident", "resident", None, "13912345678")
    assert user.password.startswith("argon2") and user.check_password("Guanxian-Resident-9")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert {"accounts.signup_code_sent", "accounts.signup", "accounts.signin"} <= set(actions())
    assert "王芳" in client.get(reverse("accounts:profile")).content.decode()


def test_a_wrong_code_creates_nothing_and_the_tries_run_out(client, db, texts):
    signup(client)
    code = sent_code(texts)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = client.post(VERIFY, {"code": wrong})
        assert response.status_code == 200 and response.context["form"].errors.get("code")
    response = client.post(VERIFY, {"code": code})  # out of tries: the right code no longer works
    assert response.status_code == 302 and response["Location"] == SIGNUP
    assert not User.objects.exists()


def same_page(html: str, phone: str) -> str:
    """The page without what differs by design: the masked number and the CSRF token."""
    html = html.replace(services.mask_phone(phone), "PHONE")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_sign_up_does_not_tell_whether_a_number_is_registered(client, make_user, texts):
    make_user("someone", phone="13912345678")
    replies = []
    for n, phone in enumerate(("13912345678", "13512345678")):  # registered, then new
        browser = Client()
        response = signup(browser, username=f"newcomer{n}", phone=phone)
        page = browser.get(VERIFY)
        wrong = browser.post(VERIFY, {"code": "000000"})
        replies.append((response.status_code, response["Location"], page.status_code,
                        same_page(page.content.decode(), phone),
                        wrong.status_code, [str(e) for e in wrong.context["form"].errors["code"]]))
    assert replies[0] == replies[1]
    # The owner of the registered number is told, and given no code; no code finishes that sign-up.
    assert texts[0]["phone"] == "13912345678" and not re.search(r"\d{6}", texts[0]["text"])
    assert User.objects.filter(phone="13912345678").count() == 1 and User.objects.count() == 1


def test_sign_up_codes_are_limited_per_client(client, db, settings, texts):
    from django.core.cache import cache

    cache.clear()
    settings.SMARTCOUNTY_RATE_SIGNUP = "2/h"
    for n in range(2):
        assert signup(Client(), username=f"u{n}", phone=f"1391234567{n}").status_code == 302
    response = signup(client, username="u9", phone="13912345679")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert len(texts) == 2


@pytest.mark.parametrize("over,field", [
    ({"phone": "12345678901"}, "phone"),
    ({"phone": "1391234567x"}, "phone"),
    ({"username": "bad name!"}, "username"),
    ({"password1": "12345678901", "password2": "12345678901"}, "password1"),
    ({"password1": "short", "password2": "short"}, "password1"),
    ({"password2": "Something-Else-1"}, "password2"),
    ({"display_name": ""}, "display_name"),
])
def test_bad_sign_up_input_creates_nothing(client, db, over, field):
    response = signup(client, **over)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not User.objects.exists() and not AuditEntry.objects.exists()


def test_one_account_per_username_and_mobile_number(client, make_user, texts):
    make_user("wangfang", phone="13700000000")
    make_user("someone", phone="13912345678")
    response = signup(client, username="WangFang", phone="13611111111")
    assert response.context["form"].errors.get("username")
    assert signup(client, username="wang2").status_code == 302  # the number is not said to be taken ...
    assert client.post(VERIFY, {"code": "123456"}).status_code == 200  # ... but no code finishes it
    assert User.objects.count() == 2


def test_create_resident_service_validates(db):
    from smartcounty.kernel.problems import ApiError

    with pytest.raises(ApiError) as err:
        services.create_resident("li", "Guanxian-Resident-9", phone="110", display_name="李")
    assert err.value.field == "phone"
    user = services.create_resident("li", "Guanxian-Resident-9", phone="13500000000", display_name="李")
    assert user.role == "resident" and user.has_usable_password()


def test_changing_ones_password(client, alice):
    url = reverse("accounts:password")
    assert client.get(url).status_code == 302  # sign-in first
    sign_in(client, "alice", PASSWORD)
    response = client.post(url, {"old_password": "wrong", "new_password": "Brand-New-Pass-77",
                                 "new_password2": "Brand-New-Pass-77"})
    assert response.context["form"].errors.get("old_password")
    response = client.post(url, {"old_password": PASSWORD, "new_password": "1234567890",
                                 "new_password2": "1234567890"})
    assert response.context["form"].errors.get("new_password")
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD) and not AuditEntry.objects.filter(action="accounts.password_change").exists()
    response = client.post(url, {"old_password": PASSWORD, "new_password": "Brand-New-Pass-77",
                                 "new_password2": "Brand-New-Pass-77"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("Brand-New-Pass-77") and alice.password.startswith("argon2")
    assert client.get(reverse("accounts:profile")).status_code == 200  # still signed in
    assert AuditEntry.objects.filter(action="accounts.password_change", actor_id=alice.pk).count() == 1


def test_the_audit_chain_holds_after_sign_ins_failures_locks_and_sign_outs(client, alice):
    from smartcounty.kernel import audit

    sign_in(client, "alice", PASSWORD)
    client.post(reverse("accounts:logout"))
    for _ in range(6):
        sign_in(client, "alice", "wrong")
    result = audit.verify()
    assert result.ok and result.checked == AuditEntry.objects.count() >= 9
    assert set(actions()) - {"accounts.organisations_loaded"} == {
        "accounts.signin", "accounts.signout", "accounts.signin_failed",
        "accounts.signin_delayed", "accounts.signin_refused"}


def test_every_audit_row_of_a_proxied_session_names_the_forwarded_client(client, alice, settings):
    settings.SMARTCOUNTY_TRUSTED_PROXIES = ["10.9.0.0/16"]
    proxy = {"REMOTE_ADDR": "10.9.0.5", "HTTP_X_FORWARDED_FOR": "192.0.2.1, 198.51.100.23"}
    assert client.post(LOGIN, {"username": "alice", "password": PASSWORD}, **proxy).status_code == 302
    new = "Another-Horse-43"
    response = client.post(reverse("accounts:password"),  # audited without an address from the caller
                           {"old_password": PASSWORD, "new_password": new, "new_password2": new}, **proxy)
    assert response.status_code == 302
    rows = dict(AuditEntry.objects.filter(actor_id=alice.pk).values_list("action", "ip"))
    assert rows == {"accounts.signin": "198.51.100.23", "accounts.password_change": "198.51.100.23"}


def test_a_forged_forwarded_for_from_an_untrusted_peer_is_not_audited(client, alice, settings):
    settings.SMARTCOUNTY_TRUSTED_PROXIES = ["10.9.0.0/16"]
    forged = {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "198.51.100.23"}
    assert client.post(LOGIN, {"username": "alice", "password": PASSWORD}, **forged).status_code == 302
    new = "Another-Horse-43"
    client.post(reverse("accounts:password"), {"old_password": PASSWORD, "new_password": new, "new_password2": new},
                **forged)
    rows = dict(AuditEntry.objects.filter(actor_id=alice.pk).values_list("action", "ip"))
    assert rows == {"accounts.signin": "203.0.113.7", "accounts.password_change": "203.0.113.7"}
