"""Known devices: a signed, long-lived cookie set on a successful sign-in (callers use ``services``).

The cookie holds a random device id and the ids of the accounts that signed in on this browser (at
most ``MAX_ACCOUNTS``), signed with the installation's secret key (``django.core.signing``), so it
cannot be made up or edited. A sign-in attempt for one of those accounts from this browser skips the
account's and the client's delays (``lockout.py``); its failures count against the device instead.
The cookie lives ``SMARTCOUNTY_KNOWN_DEVICE_DAYS`` days (default 180) and is renewed at every sign-in.
"""

import secrets

from django.conf import settings
from django.core import signing

from smartcounty.foundation.accounts.models import User

COOKIE = "smartcounty_device"
SALT = "smartcounty.accounts.known-device"
MAX_ACCOUNTS = 5


def _days() -> int:
    return int(getattr(settings, "SMARTCOUNTY_KNOWN_DEVICE_DAYS", 180))


def read(request) -> tuple[str, list[int]]:
    """(device id, account ids) from the request's cookie; ('', []) without a valid one."""
    raw = request.COOKIES.get(COOKIE, "") if request is not None else ""
    if not raw:
        return "", []
    try:
        data = signing.loads(raw, salt=SALT, max_age=_days() * 86400)
    except signing.BadSignature:
        return "", []
    device, users = data.get("d", ""), data.get("u", [])
    if not isinstance(device, str) or not isinstance(users, list):
        return "", []
    return device[:32], [u for u in users if isinstance(u, int)]


def device_for(request, username: str) -> str:
    """The known device id when this browser's cookie names the account ``username``, else ''."""
    device, users = read(request)
    if not device or not users or not username:
        return ""
    user_id = User.objects.filter(username=username.strip()).values_list("pk", flat=True).first()
    return device if user_id in users else ""


def remember(request, response, user) -> None:
    """Add ``user`` to this browser's known-device cookie (a new device id if it had none)."""
    device, users = read(request)
    device = device or secrets.token_hex(16)
    users = [user.pk, *[u for u in users if u != user.pk]][:MAX_ACCOUNTS]
    response.set_cookie(COOKIE, signing.dumps({"d": device, "u": users}, salt=SALT), max_age=_days() * 86400,
                        httponly=True, samesite="Lax", secure=request.is_secure())
