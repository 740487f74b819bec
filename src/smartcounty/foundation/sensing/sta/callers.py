"""Who calls the SensorThings API and what they may see.

A platform API token in ``Authorization: Bearer sc_...`` (or as the password of HTTP Basic, which is how
``frost_sta_client``'s auth handler sends credentials) is authenticated exactly as the Ninja API does
(``accounts.TokenAuth``: the token's user, narrowed to its scopes); a signed-in session works for reads.
Reads follow ``sensing.reader`` (the one scoping rule of sensing) narrowed by the token's scopes; writes
need a token (a session's browser request has no CSRF check here) with the sensing scope.
"""

import base64
import binascii

from smartcounty.foundation.sensing import services
from smartcounty.kernel.authz import has_perm, scope_allows


class StaError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class Caller:
    def __init__(self, request, user=None, token=None):
        self.request, self.user, self.token = request, user, token

    @property
    def who(self):
        """sensing's ``Reader`` for this caller (None: sees nothing)."""
        if self.user is None:
            return None
        if self.token is not None and not scope_allows(self.token.scopes, "sensing.view"):
            return None
        return services.reader(self.user)

    def can(self, code: str, organisation_id=None) -> bool:
        return self.user is not None and has_perm(self.request, code, organisation_id)

    def need_reader(self):
        who = self.who
        if who is None:
            raise StaError(401 if self.user is None else 403,
                           "sign in, or send an API token with the sensing scope" if self.user is None
                           else "this account or token may not read sensing data")
        return who

    def need_writer(self):
        if self.user is None or self.token is None:
            raise StaError(401, "writes need an API token with the sensing scope (Authorization: Bearer sc_...)")
        if not scope_allows(self.token.scopes, "sensing.ingest") and not scope_allows(self.token.scopes,
                                                                                         "sensing.manage"):
            raise StaError(403, "this token's scopes do not include sensing")
        return self.user


def _key(request) -> str:
    header = request.headers.get("Authorization", "").strip()
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise StaError(401, "malformed Basic credentials") from None
        return decoded.partition(":")[2]
    return ""


def caller_for(request) -> Caller:
    key = _key(request)
    if key:
        from smartcounty.foundation.accounts import services as accounts

        user = accounts.TokenAuth().authenticate(request, key)
        if user is None:
            raise StaError(401, "invalid API token")
        return Caller(request, user, getattr(request, "api_token", None))
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return Caller(request, user)
    return Caller(request)
