"""Who calls the CKAN API: a platform token (authenticated and scope-checked exactly as the Ninja
API does), an open-data app key (rate-limited) or nobody (the public catalog)."""

from django.utils.translation import gettext

from smartcounty.foundation.catalog import services
from smartcounty.kernel import ratelimit
from smartcounty.kernel.authz import has_perm, scope_allows
from smartcounty.kernel.problems import ApiError


class CkanError(Exception):
    def __init__(self, status: int, kind: str, message, *, headers: dict | None = None, **extra):
        super().__init__(message)
        self.status, self.kind, self.message, self.extra = status, kind, message, extra
        self.headers = dict(headers or {})


class Caller:
    def __init__(self, user=None, app=None, request=None):
        self.user, self.app, self.request = user, app, request

    @property
    def internal(self) -> bool:
        """Staff reading the government catalog: the same check as ``/api/v1/catalog/`` (the user's
        permission, narrowed by the token's scopes)."""
        return self.user is not None and has_perm(self.request, "catalog.view")

    @property
    def org_id(self):
        return getattr(self.user, "organisation_id", None)


def api_key(request) -> str:
    key = request.headers.get("X-CKAN-API-Key") or request.headers.get("Authorization") or ""
    key = key.strip()
    if key.lower().startswith("bearer "):
        key = key[7:].strip()
    return key


def caller_for(request) -> Caller:
    """Who is calling, from the key in ``Authorization`` (raw or ``Bearer``) or ``X-CKAN-API-Key``.

    A platform token is authenticated exactly as the Ninja API does (``accounts.TokenAuth``: the
    token's user, ``request.api_token`` set), and a token whose scopes do not cover the catalog is
    refused (403), as ``/api/v1/catalog/`` refuses it: never served as if anonymous. Raises
    ``CkanError``.
    """
    key = api_key(request)
    if not key:
        return Caller()
    if key.startswith(services.opendata.APP_KEY_PREFIX):
        app = services.app_for_key(key)
        if app is None:
            ratelimit.auth_failed(request)
            raise CkanError(403, "Authorization Error", gettext("Invalid app key"))
        try:
            services.check_rate(app)
        except ApiError as exc:
            raise CkanError(429, "Authorization Error", exc.detail or "rate limited", headers=exc.headers) from None
        return Caller(app=app)
    from smartcounty.foundation.accounts import services as accounts

    user = accounts.TokenAuth().authenticate(request, key)
    if user is None:
        ratelimit.auth_failed(request)
        raise CkanError(403, "Authorization Error", gettext("Invalid API key"))
    token = getattr(request, "api_token", None)
    if token is None or not scope_allows(token.scopes, "catalog.view"):
        raise CkanError(403, "Authorization Error",
                        gettext("This API key's scopes do not include the catalog (scope \"catalog\")."))
    return Caller(user=user, request=request)
