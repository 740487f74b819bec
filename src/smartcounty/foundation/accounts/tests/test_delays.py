"""Sign-in delays (lockout.py) and known devices (devices.py): slow a guesser, never lock the owner out."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartcounty.foundation.accounts import devices, lockout
from smartcounty.foundation.accounts.models import FailedSignIn, SignInLock
from smartcounty.kernel.models import AuditEntry

PASSWORD = "Correct-Horse-42"
LOGIN = reverse("accounts:login")


@pytest.fixture(autouse=True)
def lockout_limits(settings):
    """A first wait of a minute, so no wait ends by itself while a test runs on a slow machine."""
    settings.SMARTCOUNTY_LOCKOUT = {**settings.SMARTCOUNTY_LOCKOUT, "base_delay_seconds": 60, "max_delay_seconds": 3600}


def limits(settings, **over):
    settings.SMARTCOUNTY_LOCKOUT = {**settings.SMARTCOUNTY_LOCKOUT, **over}


@pytest.fixture
def alice(orgs, make_user):
    return make_user("alice", "staff", orgs["gov-office"], password=PASSWORD)


def sign_in(client, username, password, **meta):
    meta.setdefault("REMOTE_ADDR", "10.0.0.1")
    return client.post(LOGIN, {"username": username, "password": password}, **meta)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def delayed(response) -> int:
    assert response.status_code == 429, response.status_code
    assert "请等待" in response.content.decode() or "Wait" in response.content.decode()
    return int(response["Retry-After"])


def time_passes():
    """Every delay in force ends (as if its Retry-After had been waited out)."""
    SignInLock.objects.update(until=timezone.now() - timedelta(milliseconds=1))


def known_browser(alice):
    """A browser where alice signed in (and out) before: it carries her known-device cookie."""
    browser = Client()
    assert sign_in(browser, "alice", PASSWORD, REMOTE_ADDR="10.0.0.50").status_code == 302
    assert devices.COOKIE in browser.cookies
    browser.post(reverse("accounts:logout"))
    return browser


def test_five_wrong_passwords_from_an_attacker_do_not_stop_the_owner_on_a_known_device(client, alice):
    owner = known_browser(alice)
    for _ in range(5):
        assert sign_in(client, "alice", "wrong", REMOTE_ADDR="198.51.100.66").status_code == 200
    # The attacker (and anyone on a new browser) now waits, even with the right password.
    assert delayed(sign_in(client, "alice", PASSWORD, REMOTE_ADDR="198.51.100.66")) >= 1
    assert not signed_in(client)
    assert delayed(sign_in(Client(), "alice", PASSWORD, REMOTE_ADDR="10.0.0.50")) >= 1
    # The owner's known browser is let in at once, from any address.
    assert sign_in(owner, "alice", PASSWORD, REMOTE_ADDR="10.0.0.51").status_code == 302 and signed_in(owner)
    row = AuditEntry.objects.filter(action="accounts.signin").order_by("-id").first()
    assert row.detail["known_device"] is True
    # The guesser stays slowed: the owner's success did not wipe the attacker's failures.
    delayed(sign_in(client, "alice", "wrong", REMOTE_ADDR="198.51.100.66"))


def test_delays_grow_and_a_refused_attempt_is_not_checked_or_counted(client, alice):
    for _ in range(4):
        sign_in(client, "alice", "wrong")
    assert not SignInLock.objects.exists()
    sign_in(client, "alice", "wrong")  # the 5th failure: the next attempt waits a minute
    waits = [delayed(sign_in(client, "alice", "wrong"))]
    assert FailedSignIn.objects.count() == 5  # the refused attempt was not counted
    for _ in range(3):
        time_passes()
        assert sign_in(client, "alice", "wrong").status_code == 200  # checked again after the wait
        waits.append(delayed(sign_in(client, "alice", PASSWORD)))
    # Retry-After is what is left of the wait when the next attempt comes: a loaded machine takes a second or two
    # between the failure that set a delay and that attempt.
    assert all(expected - 5 < wait <= expected for wait, expected in zip(waits, [60, 120, 240, 480], strict=True)), waits
    assert AuditEntry.objects.filter(action="accounts.signin_delayed").count() == 4
    assert AuditEntry.objects.filter(action="accounts.signin_refused").count() == 4
    # Never a hard lock: once the wait is over the right password signs in and clears the count.
    time_passes()
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    assert not FailedSignIn.objects.filter(username="alice").exists()
    assert not SignInLock.objects.filter(scope="username").exists()


def test_the_delay_is_capped(alice, settings):
    limits(settings, base_delay_seconds=2, max_delay_seconds=60)
    lim = lockout.limits()
    assert [lockout.delay_seconds(n, 5, lim) for n in range(3, 11)] == [0, 0, 2, 4, 8, 16, 32, 60]
    assert lockout.delay_seconds(10_000, 5, lim) == 60


def test_failures_outside_the_window_do_not_count(alice):
    a = lockout.Attempt("alice", "10.0.0.1", client="10.0.0.1", peer="")
    now = timezone.now()
    for n in range(4):
        assert lockout.record_failure(a, now=now - timedelta(minutes=61) + timedelta(seconds=n)) is None
    assert lockout.record_failure(a, now=now) is None
    assert lockout.active_delay(a) is None


def test_the_count_is_case_insensitive(client, alice):
    for name in ("alice", "ALICE", "Alice", "alice", "aLice"):
        sign_in(client, name, "wrong")
    assert SignInLock.objects.get().key == "alice"
    delayed(sign_in(client, "alice", PASSWORD))


def test_a_known_devices_own_failures_slow_only_that_device(client, alice):
    owner = known_browser(alice)
    for _ in range(5):
        sign_in(owner, "alice", "wrong")
    delayed(sign_in(owner, "alice", PASSWORD))  # a stolen cookie buys no free guesses
    assert sign_in(client, "alice", PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302  # the account is not slowed


def test_a_tampered_known_device_cookie_counts_for_nothing(client, alice):
    owner = known_browser(alice)
    owner.cookies[devices.COOKIE] = owner.cookies[devices.COOKIE].value[:-3] + "abc"
    for _ in range(5):
        sign_in(client, "alice", "wrong", REMOTE_ADDR="198.51.100.66")
    delayed(sign_in(owner, "alice", PASSWORD))


def test_many_usernames_from_one_client_slow_that_client_only(client, alice, settings):
    limits(settings, ip_failures=6)
    for n in range(6):
        sign_in(client, f"guess{n}", "wrong", REMOTE_ADDR="10.6.6.6")
    assert list(SignInLock.objects.values_list("scope", "key")) == [("ip", "10.6.6.6")]
    delayed(sign_in(client, "alice", PASSWORD, REMOTE_ADDR="10.6.6.6"))
    assert sign_in(client, "alice", PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 302


def test_behind_one_untrusted_proxy_an_attackers_burst_does_not_keep_others_out(client, alice, make_user):
    # SMARTCOUNTY_TRUSTED_PROXIES is unset: everyone arrives from the proxy's address.
    bob = make_user("bob", password=PASSWORD)
    proxy = {"REMOTE_ADDR": "203.0.113.7"}
    for n in range(30):  # one attacker: five tries at alice, then 25 other usernames
        sign_in(client, "alice" if n < 5 else f"guess{n}", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.66", **proxy)
    delayed(sign_in(client, "guess99", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.66", **proxy))
    # Another person behind the same proxy, with the right password, on a new browser: signed in.
    other = Client()
    assert sign_in(other, "bob", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.70", **proxy).status_code == 302
    assert AuditEntry.objects.filter(action="accounts.signin", actor_id=bob.pk).get().ip == "203.0.113.7"


def test_a_forged_forwarded_for_does_not_escape_the_proxys_own_count(client, alice, settings):
    limits(settings, ip_failures=6, peer_failures=8)
    owner = known_browser(alice)
    for n in range(8):  # a new forged address each time
        sign_in(client, f"guess{n}", "wrong", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert ("peer", "203.0.113.7") in set(SignInLock.objects.values_list("scope", "key"))
    delayed(sign_in(Client(), "alice", PASSWORD, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.99"))
    # The owner's known browser still gets in through that proxy.
    assert sign_in(owner, "alice", PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 302


def test_through_a_trusted_proxy_the_real_client_is_slowed_and_no_other(client, alice, settings):
    limits(settings, ip_failures=6)
    settings.SMARTCOUNTY_TRUSTED_PROXIES = ["10.9.0.0/16"]

    def via_proxy(browser, username, password, forwarded_for):
        return sign_in(browser, username, password, REMOTE_ADDR="10.9.0.5", HTTP_X_FORWARDED_FOR=forwarded_for)

    for n in range(6):  # the client forges the left part; the proxy appends the address it saw
        via_proxy(client, f"guess{n}", "wrong", f"192.0.2.{n}, 198.51.100.23")
    assert list(SignInLock.objects.values_list("scope", "key")) == [("ip", "198.51.100.23")]
    delayed(via_proxy(client, "alice", PASSWORD, "192.0.2.200, 198.51.100.23"))
    assert via_proxy(Client(), "alice", PASSWORD, "198.51.100.24").status_code == 302


def test_the_admin_login_uses_the_same_rules(client, make_user):
    boss = make_user("boss", "platform_admin", password=PASSWORD, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "boss", "password": "wrong"}, REMOTE_ADDR="10.0.0.3")
    delayed(client.post(url, {"username": "boss", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3"))
    assert not signed_in(client)
    time_passes()
    assert client.post(url, {"username": "boss", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3").status_code == 302
    assert AuditEntry.objects.filter(action="accounts.signin", actor_id=boss.pk, detail__via="admin").exists()


def test_old_failures_and_delays_are_pruned(db, monkeypatch):
    a = lockout.Attempt("mallory", "10.9.9.9", client="10.9.9.9", peer="")
    long_ago = timezone.now() - timedelta(days=3)
    for n in range(5):
        lockout.record_failure(a, now=long_ago + timedelta(seconds=n))
    assert FailedSignIn.objects.count() == 5 and SignInLock.objects.count() == 1
    monkeypatch.setattr(lockout, "PRUNE_EVERY", 1)
    lockout.record_failure(a)
    assert FailedSignIn.objects.count() == 1 and not SignInLock.objects.exists()
    assert AuditEntry.objects.filter(action="accounts.signin_failed").count() == 6
