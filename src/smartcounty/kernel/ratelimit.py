"""Rate limits on every API: per client, per token, and a tight one on failed authentication.

``RateLimitMiddleware`` covers the paths matched by ``SMARTCOUNTY_RATE_LIMIT_PATHS`` (``/api/v1/``, the
CKAN Action API, Open311, open-data downloads by default). Each request counts against one bucket:

- with credentials (an ``Authorization``, ``X-CKAN-API-Key`` or ``X-App-Key`` header): the credential's own bucket,
  ``SMARTCOUNTY_RATE_TOKEN`` (keyed by a hash of the credential, so every token has its own; an invalid
  one is refused by authentication and counted as a failure below);
- signed in by session: the user's bucket, the same rate;
- anonymous: the client address's bucket (``kernel.net.request_address``), ``SMARTCOUNTY_RATE_ANON``;
- device ingest (``SMARTCOUNTY_RATE_INGEST_PATHS``, POST): the credential's ingest bucket,
  ``SMARTCOUNTY_RATE_INGEST``, counted per request, not per observation, and high by default.

Failed authentication (a bad bearer token, an unknown CKAN key) is counted per client address by
``auth_failed(request)``, which the authenticators call; once over ``SMARTCOUNTY_RATE_AUTH_FAILURES``
every request from that address that carries credentials is refused until the window ends, before its
credential is even looked up, so a guesser learns nothing more. A refusal is 429 problem+json
(``rate-limited``) with ``Retry-After``: the whole seconds until the window ends (RFC 6585 §4).

The counting is django-ratelimit's (fixed windows over Django's cache): the default cache is in-process
(each server process counts for itself), Redis when ``SMARTCOUNTY_CACHE_URL`` is set (shared by every
worker). Rates are django-ratelimit's ``"count/period"`` strings, e.g. ``600/m``, ``20/5m``; an empty
rate turns that limit off.
"""

import hashlib
import re
from functools import cache

from django.conf import settings
from django_ratelimit.core import get_usage

from smartcounty.kernel.net import request_address
from smartcounty.kernel.problems import problem

AUTH_HEADERS = ("HTTP_AUTHORIZATION", "HTTP_X_CKAN_API_KEY", "HTTP_X_APP_KEY")


@cache
def _compiled(patterns: tuple[str, ...]) -> re.Pattern | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _matches(setting: str, path: str) -> bool:
    pattern = _compiled(tuple(getattr(settings, setting, ()) or ()))
    return bool(pattern and pattern.search(path))


def credential(request) -> str:
    """The credential a request carries (bearer token, CKAN key), or ''."""
    for header in AUTH_HEADERS:
        value = (request.META.get(header) or "").strip()
        if value:
            return value
    return ""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _usage(request, group: str, key: str, rate: str, *, increment: bool):
    if not rate:
        return None
    return get_usage(request, group=f"smartcounty.{group}", key=lambda _g, _r: key, rate=rate,
                     increment=increment)


def _refused(request, usage, what: str):
    retry_after = max(1, int(usage["time_left"]))
    return problem(request, 429, "rate-limited", f"{what}: {usage['limit']} requests in the window",
                   headers={"Retry-After": str(retry_after)})


def _client(request) -> str:
    return request_address(request) or "unknown"


def auth_failed(request) -> None:
    """Count one failed authentication from the request's client (called by authenticators)."""
    if request is None or getattr(request, "_smartcounty_auth_failed", False):
        return
    request._smartcounty_auth_failed = True  # one request counts once, however many authenticators try it
    _usage(request, "auth_failures", _client(request), settings.SMARTCOUNTY_RATE_AUTH_FAILURES, increment=True)


def limited(request, group: str, rate: str) -> int | None:
    """Count one ``group`` act (e.g. texting a sign-up code) of the request's client; when that is over
    ``rate``, the seconds until it may act again, else None. For pages and services outside the API paths."""
    usage = _usage(request, group, _client(request), rate, increment=True)
    if usage and usage["should_limit"]:
        return max(1, int(usage["time_left"]))
    return None


def check(request):
    """The 429 response for ``request`` if it is over a limit (counting it), else None."""
    secret = credential(request)
    client = _client(request)
    if secret:
        failures = _usage(request, "auth_failures", client, settings.SMARTCOUNTY_RATE_AUTH_FAILURES,
                          increment=False)
        if failures and failures["count"] >= failures["limit"]:
            return _refused(request, failures, "failed authentications from this client")
        if request.method == "POST" and _matches("SMARTCOUNTY_RATE_INGEST_PATHS", request.path):
            group, key, rate, what = "ingest", _digest(secret), settings.SMARTCOUNTY_RATE_INGEST, "ingest"
        else:
            group, key, rate, what = "token", _digest(secret), settings.SMARTCOUNTY_RATE_TOKEN, "this credential"
    else:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            group, key, rate, what = "user", str(user.pk), settings.SMARTCOUNTY_RATE_TOKEN, "this user"
        else:
            group, key, rate, what = "anon", client, settings.SMARTCOUNTY_RATE_ANON, "this client"
    usage = _usage(request, group, key, rate, increment=True)
    if usage and usage["should_limit"]:
        return _refused(request, usage, what)
    return None


class RateLimitMiddleware:
    """Apply ``check`` to the API paths (after authentication middleware, so sessions are known)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _matches("SMARTCOUNTY_RATE_LIMIT_PATHS", request.path):
            refused = check(request)
            if refused is not None:
                return refused
            response = self.get_response(request)
            if response.status_code == 401 and credential(request):
                auth_failed(request)  # a credential no authenticator took (e.g. not a Bearer one)
            return response
        return self.get_response(request)
