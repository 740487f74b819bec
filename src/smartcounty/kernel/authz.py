"""Authorisation helpers. The rules themselves live on the user model (accounts): the kernel
asks ``user.has_scoped_perm(code, organisation_id)`` and never imports accounts.

Permission codes are ``<module label>.<verb>`` (e.g. ``places.manage``). An API token narrows
what its user may do to the token's scopes: a scope ``places`` allows every ``places.*`` code,
``*`` allows all.
"""

from smartcounty.kernel.problems import ApiError


def user_has_perm(user, code: str, organisation_id: int | None = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    check = getattr(user, "has_scoped_perm", None)
    return bool(check and check(code, organisation_id))


def scope_allows(scopes, code: str) -> bool:
    for scope in scopes or ():
        if scope == "*" or scope == code or code.startswith(scope + "."):
            return True
    return False


def request_user(request):
    user = getattr(request, "auth", None)
    if user is None or not getattr(user, "is_authenticated", False):
        user = getattr(request, "user", None)
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def has_perm(request, code: str, organisation_id: int | None = None) -> bool:
    user = request_user(request)
    if user is None or not user_has_perm(user, code, organisation_id):
        return False
    token = getattr(request, "api_token", None)
    return token is None or scope_allows(token.scopes, code)


def require(request, code: str, organisation_id: int | None = None):
    """Return the user if allowed; else raise 401 (nobody signed in) or 403."""
    user = request_user(request)
    if user is None:
        raise ApiError(401, "not-authenticated")
    if not has_perm(request, code, organisation_id):
        raise ApiError(403, "forbidden", field=None)
    return user
