"""API errors as RFC 9457 ``application/problem+json``.

Every error has a stable ``code`` (machine-readable, never translated), a ``title`` in the
request's language, an optional ``detail`` and, for input errors, ``errors``: one entry per
field at fault with its location. ``headers`` adds HTTP headers to the response, e.g.
``ApiError(429, "rate-limited", headers={"Retry-After": "12"})`` (RFC 9110 §10.2.3, RFC 6585 §4).
"""

import json

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

CONTENT_TYPE = "application/problem+json"

TITLES = {
    "invalid": _("The request has invalid fields."),
    "malformed-json": _("The request body is not valid JSON."),
    "json-too-deep": _("The JSON is nested deeper than %(limit)s levels."),
    "body-too-large": _("The request body is larger than the limit of %(limit)s bytes."),
    "not-authenticated": _("Sign in or send a valid API token."),
    "forbidden": _("You do not have permission for this."),
    "not-found": _("Not found."),
    "conflict": _("This conflicts with the current state."),
    "method-not-allowed": _("This method is not allowed here."),
    "rate-limited": _("Too many requests; try again later."),
    "second-factor-required": _("A current code from your authenticator app is needed for this."),
    "server-error": _("Something went wrong on the server; it has been logged."),
    "bad-request": _("The request cannot be processed."),
}


class ApiError(Exception):
    """Raised by services and API code; turned into a problem response by the API's handler."""

    def __init__(self, status: int, code: str, detail: str | None = None, *, field: str | None = None,
                 errors: list | None = None, headers: dict[str, str] | None = None, **detail_args):
        super().__init__(detail or code)
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field
        self.errors = errors
        self.headers = dict(headers or {})
        self.detail_args = detail_args


def problem(request, status: int, code: str, detail: str | None = None, *, errors: list | None = None,
            field: str | None = None, detail_args: dict | None = None,
            headers: dict[str, str] | None = None) -> HttpResponse:
    title = TITLES.get(code, TITLES["bad-request"])
    title = str(title) % (detail_args or {}) if detail_args else str(title)
    body = {"type": f"urn:smartcounty:problem:{code}", "code": code, "title": title, "status": status}
    if detail:
        body["detail"] = str(detail)
    if field:
        body["field"] = field
    if errors:
        body["errors"] = errors
    if request is not None:
        body["instance"] = request.path
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = str(value)
    return response
