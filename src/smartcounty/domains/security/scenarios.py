"""The scenarios: which requests pour into which bucket, keyed by what, and the bucket's size.

Sizes are ``capacity/leak`` strings (``buckets.parse``) from ``SMARTCOUNTY_SECURITY_BUCKETS`` (each also an
environment variable ``SMARTCOUNTY_SECURITY_<NAME>``, e.g. ``SMARTCOUNTY_SECURITY_SQLI=10/1s``). The defaults
follow CrowdSec's hub scenarios where one exists:

| scenario | pours | key | default | CrowdSec |
|---|---|---|---|---|
| sqli | a request with an SQL-injection finding | client | 10/1s | http-sqli-probing (capacity 10, leak 1s) |
| xss | a request with an XSS finding | client | 5/1s | http-xss-probing (capacity 5, leak 1s) |
| traversal | a request with a path-traversal finding | client | 5/1s | http-path-traversal-probing |
| probe | a request for a sensitive file (.env, .git/, wp-login.php) | client, distinct path | 5/10s | http-sensitive-files |
| scanner | a request whose user agent is a scanner's | client | 1/60s | http-bad-user-agent (capacity 1, leak 1m) |
| not_found | an answer 404, 403 or 400 | client, distinct path | 5/10s | http-probing (5 distinct in 10 s) |
| signin_ip | a failed sign-in (page or API) | client | 10/60s | http-bf / credential stuffing |
| signin_user | a failed sign-in | the user name (hashed) | 10/60s | http-bf per user |
| flood | any request | client | 600/50ms | (http-dos-like: 20 requests/s held for 30 s) |
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from smartcounty.domains.security import buckets


@dataclass(frozen=True)
class Scenario:
    name: str
    title: object
    default: str
    distinct: bool = False
    #: Alert level (alerts: 1 blue … 4 red) of its security events.
    level: int = 3


SCENARIOS = {s.name: s for s in (
    Scenario("sqli", _("SQL injection probing"), "10/1s", level=3),
    Scenario("xss", _("Cross-site scripting probing"), "5/1s", level=3),
    Scenario("traversal", _("Path traversal probing"), "5/1s", level=3),
    Scenario("probe", _("Sensitive file probing"), "5/10s", distinct=True, level=2),
    Scenario("scanner", _("Scanner user agent"), "1/60s", level=2),
    Scenario("not_found", _("Path scanning (many missing pages)"), "5/10s", distinct=True, level=2),
    Scenario("signin_ip", _("Credential stuffing from one address"), "10/60s", level=3),
    Scenario("signin_user", _("Password guessing on one account"), "10/60s", level=3),
    Scenario("flood", _("Request flood"), "600/50ms", level=3),
)}

_cache: tuple | None = None


def specs() -> dict[str, buckets.Spec]:
    """The bucket of every scenario, from the settings (parsed once per change)."""
    global _cache
    raw = getattr(settings, "SMARTCOUNTY_SECURITY_BUCKETS", None) or {}
    key = tuple(sorted(raw.items()))
    cached = _cache
    if cached is not None and cached[0] == key:
        return cached[1]
    out = {name: buckets.parse(raw.get(name) or s.default, distinct=s.distinct) for name, s in SCENARIOS.items()}
    _cache = (key, out)
    return out


MANUAL = "manual"


def defaults() -> dict[str, buckets.Spec]:
    """The CrowdSec-like defaults, whatever the settings say (the demo replays its attacks with them)."""
    return {name: buckets.parse(s.default, distinct=s.distinct) for name, s in SCENARIOS.items()}


def title(name: str) -> str:
    if name == MANUAL:
        return str(_("Blocked by a security officer"))
    s = SCENARIOS.get(name)
    return str(s.title) if s else name
