"""Lock-out after repeated failed sign-ins (callers use it through ``services``).

A username is locked for ``LOCK_MINUTES`` once it has ``USERNAME_FAILURES`` failed sign-ins within
``WINDOW_MINUTES``; an IP address likewise after ``IP_FAILURES`` (it may be guessing many
usernames). While locked, a sign-in is refused before the password is even checked, and the
refusal is audited. Failures before a lock do not count again after it, and a successful sign-in
clears the username's failures. The limits can be set with ``SMARTCOUNTY_LOCKOUT`` in settings.

The address is the client's as ``kernel.net.client_address`` resolves it: the peer's
(REMOTE_ADDR), or behind a proxy listed in ``SMARTCOUNTY_TRUSTED_PROXIES`` the one it forwarded in
``X-Forwarded-For``. From any other peer the header is ignored, so it cannot be used to dodge a lock.

Our own two small tables rather than django-axes: axes works through auth signals and its own
backend and middleware (settings we do not own here), while the platform wants each sign-in
event written to its hash-chained audit log explicitly, in the same transaction as the act.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from smartcounty.foundation.accounts.models import FailedSignIn, SignInLock
from smartcounty.kernel import audit


@dataclass(frozen=True)
class Limits:
    username_failures: int = 5
    ip_failures: int = 20
    window_minutes: int = 15
    lock_minutes: int = 15


def limits() -> Limits:
    return Limits(**getattr(settings, "SMARTCOUNTY_LOCKOUT", {}))


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def active_lock(username: str, ip: str | None, *, now: datetime | None = None) -> SignInLock | None:
    """The lock (username first, then IP) in force now, if any."""
    now = now or timezone.now()
    qs = SignInLock.objects.filter(until__gt=now)
    lock = qs.filter(scope=SignInLock.Scope.USERNAME, key=_key(username)).order_by("-until").first()
    if lock is None and ip:
        lock = qs.filter(scope=SignInLock.Scope.IP, key=ip).order_by("-until").first()
    return lock


def _count_since_last_lock(scope: str, key: str, failures, since: datetime) -> int:
    last = SignInLock.objects.filter(scope=scope, key=key).order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and last > since:
        failures = failures.filter(at__gt=last)
    else:
        failures = failures.filter(at__gt=since)
    return failures.count()


def record_failure(username: str, ip: str | None, *, user_id: int | None = None,
                   now: datetime | None = None) -> SignInLock | None:
    """Record one failed sign-in (and audit it); lock the username or IP when over the limit.

    Returns the lock created by this failure, if any.
    """
    now = now or timezone.now()
    lim = limits()
    key = _key(username)
    since = now - timedelta(minutes=lim.window_minutes)
    created = None
    with transaction.atomic():
        failure = FailedSignIn.objects.create(username=key, ip=ip, at=now)
        if failure.pk % PRUNE_EVERY == 0:
            prune(now=now)
        audit.record("accounts.signin_failed", actor=None, object_type="accounts.user" if user_id else "",
                     object_id=user_id or "", ip=ip, detail={"username": username[:150]})
        checks = [(SignInLock.Scope.USERNAME, key, FailedSignIn.objects.filter(username=key), lim.username_failures)]
        if ip:
            checks.append((SignInLock.Scope.IP, ip, FailedSignIn.objects.filter(ip=ip), lim.ip_failures))
        for scope, value, failures, limit in checks:
            if SignInLock.objects.filter(scope=scope, key=value, until__gt=now).exists():
                continue
            count = _count_since_last_lock(scope, value, failures, since)
            if count >= limit:
                lock = SignInLock.objects.create(scope=scope, key=value, created_at=now, failures=count,
                                                 until=now + timedelta(minutes=lim.lock_minutes))
                audit.record("accounts.signin_locked", actor=None, obj=lock, ip=ip,
                             detail={"scope": scope, "key": value, "failures": count, "until": lock.until.isoformat()})
                created = created or lock
    return created


def record_refused(username: str, ip: str | None, lock: SignInLock) -> None:
    """A sign-in refused because of ``lock``: audited, not counted as a failure."""
    audit.record("accounts.signin_refused", actor=None, obj=lock, ip=ip,
                 detail={"username": username[:150], "scope": lock.scope, "until": lock.until.isoformat()})


#: Every this many failures, rows no longer needed for any decision are removed (the audit log keeps them).
PRUNE_EVERY = 200


def prune(*, now: datetime | None = None) -> int:
    """Delete failures older than a day and locks that ended more than a day ago; return how many."""
    cutoff = (now or timezone.now()) - timedelta(days=1)
    failures, _ = FailedSignIn.objects.filter(at__lt=cutoff).delete()
    locks, _ = SignInLock.objects.filter(until__lt=cutoff).delete()
    return failures + locks


def clear_failures(username: str) -> None:
    FailedSignIn.objects.filter(username=_key(username)).delete()
