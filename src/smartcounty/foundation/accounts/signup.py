"""Resident sign-up with a code sent to the mobile number (callers use it through ``services``).

The page must not tell whether a number is registered. ``start(...)`` checks the details and always
answers the same way, "we sent a code to 139****5678": a new number gets a code; a number that
already has an account gets a message telling its owner so, and no code will ever finish that
sign-up. ``finish(pending, code)`` creates the account when the code is right, and otherwise answers
"wrong or expired" whatever the reason. The pending sign-up (the password already hashed) is kept in
the server-side session; it lasts ``CODE_SECONDS`` and allows ``TRIES`` codes.
"""

import secrets
import time

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from smartcounty.foundation.accounts import sms
from smartcounty.foundation.accounts.models import User
from smartcounty.foundation.accounts.roles import Role
from smartcounty.foundation.accounts.schemas import mask_phone
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError

CODE_SECONDS = 600
TRIES = 5
SALT = "smartcounty.accounts.signup-code"


def _digest(code: str) -> str:
    return salted_hmac(SALT, (code or "").strip()).hexdigest()


def wrong_code() -> ApiError:
    return ApiError(422, "invalid", _("The code is wrong or has expired."), field="code")


def start(username: str, password: str, *, phone: str, display_name: str) -> dict:
    """Validate a sign-up and text the number; return the pending sign-up to keep in the session."""
    from smartcounty.foundation.accounts.services import validate_resident

    username, display_name = (username or "").strip(), (display_name or "").strip()
    validate_resident(username, phone, display_name, phone_taken=False)
    user = User(username=username, phone=phone, display_name=display_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApiError(422, "invalid", " ".join(exc.messages), field="password") from None
    taken = User.objects.filter(phone=phone).exists()
    code = f"{secrets.randbelow(10**6):06d}"
    if taken:
        sms.send(phone, _("Someone tried to sign up on the smart county platform with this number, which already "
                          "has an account. If it was you, sign in instead; otherwise ignore this message."))
    else:
        sms.send(phone, _("Your smart county sign-up code is %(code)s, valid for 10 minutes. Do not share it.")
                 % {"code": code})
    audit.record("accounts.signup_code_sent", actor=None,
                 detail={"username": username, "phone": mask_phone(phone), "existing_account": taken})
    return {"username": username, "display_name": display_name, "phone": phone,
            "password": make_password(password), "digest": "" if taken else _digest(code),
            "at": time.time(), "tries": 0}


def finish(pending: dict, code: str) -> User:
    """Create the account of ``pending`` when ``code`` is its code; the same error for every other case.
    ``pending["tries"]`` counts up (the caller saves it back)."""
    from smartcounty.foundation.accounts.services import save_resident, validate_resident

    if not pending or time.time() - float(pending.get("at", 0)) > CODE_SECONDS or pending.get("tries", 0) >= TRIES:
        raise wrong_code()
    pending["tries"] = pending.get("tries", 0) + 1
    if not pending.get("digest") or not constant_time_compare(_digest(code), pending["digest"]):
        raise wrong_code()
    validate_resident(pending["username"], pending["phone"], pending["display_name"])  # taken meanwhile?
    user = User(username=pending["username"], phone=pending["phone"], display_name=pending["display_name"],
                kind=User.Kind.RESIDENT, role=Role.RESIDENT, password=pending["password"])
    try:
        return save_resident(user)
    except IntegrityError:
        raise ApiError(409, "conflict", _("This username is taken."), field="username") from None


def spent(pending: dict | None) -> bool:
    """No code can finish this sign-up any more (expired or out of tries)."""
    return not pending or time.time() - float(pending.get("at", 0)) > CODE_SECONDS or pending.get("tries", 0) >= TRIES
