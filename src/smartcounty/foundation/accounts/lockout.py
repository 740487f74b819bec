"""Progressive sign-in delays (callers use them through ``services``): slow a guesser, never lock the owner out.

Failed sign-ins are counted within ``window_minutes`` per account (``username_failures``), per client
(``ip_failures``) and, behind a proxy that nobody listed in ``SMARTCOUNTY_TRUSTED_PROXIES``, per peer
(``peer_failures``, looser). Once a count reaches its threshold, each further failure makes the next
attempt of that scope wait ``base_delay_seconds * 2**(count - threshold)``, at most
``max_delay_seconds``: an attempt during the wait is answered 429 with ``Retry-After``, without checking
the password and without counting. Nothing is ever locked for longer than that.

- **Known devices.** A browser where the owner signed in before carries a signed "known device" cookie
  (``devices.py``). For that account it skips the account and client delays; its own failures count
  only against the device (``device`` scope, the account's threshold), so a stolen cookie buys no
  free guesses and five wrong passwords from an attacker never keep the owner out.
- **One proxy for many.** The client is ``kernel.net.request_address``. When an untrusted peer forwards
  ``X-Forwarded-For``, the per-client count is kept per (peer, forwarded address), so one attacker behind a
  shared proxy does not slow everyone else; the peer's own count (``peer_failures``) still slows an
  attacker who forges the header.
- A successful sign-in clears the account's failures, unless a delay is in force on the account (then the
  owner got in from a known device while someone else is guessing: the guesser stays slowed).

Every failure, delay and refusal is written to the audit log in the same transaction. Our own small
tables rather than django-axes: axes works through auth signals and its own backend and middleware,
while the platform writes each sign-in event to its hash-chained audit log explicitly.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from smartcounty.foundation.accounts.models import FailedSignIn, SignInLock
from smartcounty.kernel import audit, net

Scope = SignInLock.Scope


@dataclass(frozen=True)
class Limits:
    username_failures: int = 5
    ip_failures: int = 20
    peer_failures: int = 200
    window_minutes: int = 60
    base_delay_seconds: int = 2
    max_delay_seconds: int = 900


def limits() -> Limits:
    return Limits(**getattr(settings, "SMARTCOUNTY_LOCKOUT", {}))


@dataclass(frozen=True)
class Attempt:
    """Who is trying: the account name, the client's keys, the known device (if any) for this account."""

    username: str
    ip: str | None  # the audited client address
    client: str  # the per-client key
    peer: str  # an untrusted proxy's own address when the client key narrows it, else ''
    device: str = ""  # the known device's id when the cookie names this account

    @property
    def key(self) -> str:
        return _key(self.username)


def attempt(request, username: str, device: str = "") -> Attempt:
    ip = net.request_address(request)
    forwarded = net.untrusted_forwarded_for(request)
    if forwarded and ip:
        return Attempt(username, ip, client=f"{ip}>{forwarded}"[:100], peer=ip, device=device)
    return Attempt(username, ip, client=(ip or "")[:100], peer="", device=device)


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def _scopes(a: Attempt, lim: Limits) -> list[tuple[str, str, dict, int]]:
    """(scope, key, FailedSignIn filter, threshold) that apply to this attempt."""
    if a.device:
        return [(Scope.DEVICE, a.device, {"device": a.device}, lim.username_failures)]
    scopes = [(Scope.USERNAME, a.key, {"username": a.key, "device": ""}, lim.username_failures)]
    if a.client:
        scopes.append((Scope.IP, a.client, {"client": a.client, "device": ""}, lim.ip_failures))
    if a.peer:
        scopes.append((Scope.PEER, a.peer, {"peer": a.peer, "device": ""}, lim.peer_failures))
    return scopes


def active_delay(a: Attempt, *, now: datetime | None = None) -> SignInLock | None:
    """The delay in force for this attempt (the one ending last), if any."""
    now = now or timezone.now()
    found = None
    for scope, key, _f, _t in _scopes(a, limits()):
        lock = SignInLock.objects.filter(scope=scope, key=key, until__gt=now).order_by("-until").first()
        if lock is not None and (found is None or lock.until > found.until):
            found = lock
    return found


def retry_after(lock: SignInLock, *, now: datetime | None = None) -> int:
    """Whole seconds until ``lock`` ends (at least 1)."""
    seconds = (lock.until - (now or timezone.now())).total_seconds()
    return max(1, int(seconds + 0.999))


def delay_seconds(count: int, threshold: int, lim: Limits) -> int:
    """The wait after ``count`` failures of a scope whose threshold is ``threshold`` (0: none)."""
    if count < threshold:
        return 0
    return min(lim.max_delay_seconds, lim.base_delay_seconds * 2 ** min(count - threshold, 30))


def record_failure(a: Attempt, *, user_id: int | None = None, now: datetime | None = None) -> SignInLock | None:
    """Record one failed sign-in (and audit it); start or lengthen the delays it earns.

    Returns the longest delay this failure started, if any.
    """
    now = now or timezone.now()
    lim = limits()
    since = now - timedelta(minutes=lim.window_minutes)
    longest = None
    with transaction.atomic():
        failure = FailedSignIn.objects.create(username=a.key, ip=a.ip, client=a.client, peer=a.peer,
                                              device=a.device, at=now)
        if failure.pk % PRUNE_EVERY == 0:
            prune(now=now)
        audit.record("accounts.signin_failed", actor=None, object_type="accounts.user" if user_id else "",
                     object_id=user_id or "", ip=a.ip,
                     detail={"username": a.username[:150], **({"known_device": True} if a.device else {})})
        for scope, key, where, threshold in _scopes(a, lim):
            count = FailedSignIn.objects.filter(at__gt=since, **where).count()
            seconds = delay_seconds(count, threshold, lim)
            if not seconds:
                continue
            lock = SignInLock.objects.create(scope=scope, key=key, created_at=now, failures=count,
                                             until=now + timedelta(seconds=seconds))
            SignInLock.objects.filter(scope=scope, key=key).exclude(pk=lock.pk).delete()
            audit.record("accounts.signin_delayed", actor=None, obj=lock, ip=a.ip,
                         detail={"scope": scope, "key": key, "failures": count, "seconds": seconds})
            if longest is None or lock.until > longest.until:
                longest = lock
    return longest


def record_refused(a: Attempt, lock: SignInLock) -> None:
    """A sign-in refused because of ``lock``: audited, not counted as a failure."""
    audit.record("accounts.signin_refused", actor=None, obj=lock, ip=a.ip,
                 detail={"username": a.username[:150], "scope": lock.scope, "retry_after": retry_after(lock)})


#: Every this many failures, rows no longer needed for any decision are removed (the audit log keeps them).
PRUNE_EVERY = 200


def prune(*, now: datetime | None = None) -> int:
    """Delete failures older than a day and delays that ended more than a day ago; return how many."""
    cutoff = (now or timezone.now()) - timedelta(days=1)
    failures, _ = FailedSignIn.objects.filter(at__lt=cutoff).delete()
    locks, _ = SignInLock.objects.filter(until__lt=cutoff).delete()
    return failures + locks


def clear_failures(username: str) -> None:
    """After a successful sign-in: forget the account's failures, unless a delay is in force on it."""
    key = _key(username)
    if SignInLock.objects.filter(scope=Scope.USERNAME, key=key, until__gt=timezone.now()).exists():
        FailedSignIn.objects.filter(username=key).exclude(device="").delete()
        return
    FailedSignIn.objects.filter(username=key).delete()
    SignInLock.objects.filter(scope=Scope.USERNAME, key=key).delete()
