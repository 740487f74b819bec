"""The second factor: an authenticator app (TOTP, RFC 6238, through ``pyotp``) and recovery codes.

- Enrolment: ``begin(user)`` makes a secret and its ``otpauth://`` URI (shown as a QR code, ``qr_svg``);
  ``confirm(user, code)`` turns it on once a code from the app matches, and returns ten recovery codes,
  shown once (only their sha256 is stored; each works once).
- ``verify(user, code)`` accepts a code of the current 30-second step or one step either side (clock
  drift), never a step at or before the last one accepted (no replay), or an unused recovery code.
- ``required(user)``: the role is one of ``SMARTCOUNTY_TOTP_REQUIRED_ROLES``; such a user is asked to
  enrol at sign-in and cannot turn it off. ``needed(user)``: enrolled or required.
Every change and every accepted or refused code is audited.
"""

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcounty.foundation.accounts.models import RecoveryCode, TotpDevice
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError

STEP = 30
RECOVERY_CODES = 10


def device(user) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user).first() if user and user.pk else None


def enabled(user) -> bool:
    return bool(user and user.pk and TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists())


def required(user) -> bool:
    roles = set(getattr(settings, "SMARTCOUNTY_TOTP_REQUIRED_ROLES", ()) or ())
    if not roles or not user:
        return False
    return user.role in roles or (user.is_superuser and "platform_admin" in roles)


def needed(user) -> bool:
    return required(user) or enabled(user)


def issuer() -> str:
    return getattr(settings, "SMARTCOUNTY_TOTP_ISSUER", "smartcounty")


def begin(user) -> tuple[str, str]:
    """Start (or restart) enrolment: a new secret and its otpauth URI. Refused while one is on."""
    if enabled(user):
        raise ApiError(409, "conflict", _("Two-step verification is already on."))
    secret = pyotp.random_base32(32)
    with transaction.atomic():
        TotpDevice.objects.update_or_create(user=user, defaults={"secret": secret, "confirmed_at": None, "last_step": 0})
    return secret, uri(user, secret)


def uri(user, secret: str) -> str:
    return pyotp.TOTP(secret, interval=STEP).provisioning_uri(name=user.get_username(), issuer_name=issuer())


def qr_svg(text: str) -> str:
    """An inline SVG QR code of ``text`` (segno; nothing is loaded from anywhere)."""
    return segno.make(text, error="m").svg_inline(scale=4, border=2)


def _normal(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()[:40]


def _digest(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _new_recovery_codes(user) -> list[str]:
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, digest=_digest(c)) for c in codes])
    return codes


def _accept_step(dev: TotpDevice, code: str, *, now: float | None = None) -> bool:
    """True when ``code`` matches a step near now after ``dev.last_step``; that step becomes the last one."""
    code = _normal(code)
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(dev.secret, interval=STEP)
    current = int((time.time() if now is None else now) // STEP)
    for step in (current - 1, current, current + 1):
        if step <= dev.last_step or not hmac.compare_digest(totp.at(step * STEP), code):
            continue
        # Conditional update: of two requests with the same code, only one wins.
        if TotpDevice.objects.filter(pk=dev.pk, last_step__lt=step).update(last_step=step):
            dev.last_step = step
            return True
        return False
    return False


def confirm(user, code: str, *, now: float | None = None) -> list[str]:
    """Finish enrolment with a code from the app; return the recovery codes (shown once)."""
    dev = device(user)
    if dev is None or dev.confirmed_at is not None:
        raise ApiError(409, "conflict", _("Start setting up two-step verification first."))
    if not _accept_step(dev, code, now=now):
        audit.record("accounts.totp_failed", actor=user, obj=user, detail={"user": user.username, "purpose": "enrol"})
        raise ApiError(422, "invalid", _("The code is wrong or has expired."), field="code")
    with transaction.atomic():
        TotpDevice.objects.filter(pk=dev.pk).update(confirmed_at=timezone.now())
        codes = _new_recovery_codes(user)
        audit.record("accounts.totp_enrolled", actor=user, obj=user, detail={"user": user.username})
    return codes


def verify(user, code: str, *, purpose: str = "signin", now: float | None = None) -> str | None:
    """``"totp"`` or ``"recovery"`` when ``code`` is accepted (audited either way), else None."""
    dev = device(user)
    if dev is None or dev.confirmed_at is None:
        return None
    with transaction.atomic():
        how = None
        if _accept_step(dev, code, now=now):
            how = "totp"
        elif RecoveryCode.objects.filter(user=user, digest=_digest(code), used_at__isnull=True).update(
                used_at=timezone.now()):
            how = "recovery"
        action = {"totp": "accounts.totp_verified", "recovery": "accounts.recovery_code_used"}.get(how,
                                                                                                  "accounts.totp_failed")
        audit.record(action, actor=user, obj=user, detail={"user": user.username, "purpose": purpose})
    return how


def require_fresh(user, code: str | None, *, purpose: str) -> None:
    """For an act that issues a credential (an API token): a current code when the user has a second
    factor; refused outright when one is required and not set up. Raise ApiError otherwise."""
    if enabled(user):
        if not code or verify(user, code, purpose=purpose) is None:
            raise ApiError(403, "second-factor-required", _("Enter a current code from your authenticator app."),
                           field="otp")
    elif required(user):
        raise ApiError(403, "second-factor-required", _("Set up two-step verification first."), field="otp")


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def new_recovery_codes(user, code: str) -> list[str]:
    if verify(user, code, purpose="recovery_codes") is None:  # a refusal stays audited
        raise ApiError(422, "invalid", _("The code is wrong or has expired."), field="code")
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record("accounts.recovery_codes_renewed", actor=user, obj=user, detail={"user": user.username})
    return codes


def disable(user, code: str) -> None:
    """Turn the second factor off (with a current code); refused when the role requires it."""
    if required(user):
        raise ApiError(403, "forbidden", _("Your role requires two-step verification."))
    if verify(user, code, purpose="disable") is None:  # a refusal stays audited
        raise ApiError(422, "invalid", _("The code is wrong or has expired."), field="code")
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit.record("accounts.totp_disabled", actor=user, obj=user, detail={"user": user.username})
