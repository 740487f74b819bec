"""API helpers every module's ``api.py`` uses: input schemas, errors, pagination, auth plumbing."""

import json
import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.pagination import LimitOffsetPagination
from pydantic import ConfigDict

from smartcounty.kernel.problems import ApiError, problem

log = logging.getLogger("smartcounty.api")


class InputSchema(Schema):
    """Request bodies: unknown fields are an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` with a hard ceiling; response is ``{"items": [...], "count": N}``."""


def _field_errors(errors: list) -> list:
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        # Ninja puts the parameter source and the body's variable name first: keep the field path.
        if loc and loc[0] in ("body", "query", "path", "form", "header", "cookie", "file"):
            source = loc[0]
            loc = loc[2:] if len(loc) > 2 and loc[0] == "body" else loc[1:]
        else:
            source = ""
        out.append({"field": ".".join(loc), "in": source, "type": err.get("type", ""), "message": err.get("msg", "")})
    return out


def install_error_handlers(api) -> None:
    """Make every error from ``api`` a problem+json response."""

    @api.exception_handler(ApiError)
    def _api_error(request, exc: ApiError):
        return problem(request, exc.status, exc.code, exc.detail, errors=exc.errors, field=exc.field,
                       detail_args=exc.detail_args or None, headers=exc.headers)

    @api.exception_handler(ValidationError)
    def _validation(request, exc: ValidationError):
        return problem(request, 422, "invalid", errors=_field_errors(exc.errors))

    @api.exception_handler(AuthenticationError)
    def _authn(request, exc):
        return problem(request, 401, "not-authenticated")

    @api.exception_handler(AuthorizationError)
    def _authz(request, exc):
        return problem(request, 403, "forbidden")

    @api.exception_handler(PermissionDenied)
    def _denied(request, exc):
        return problem(request, 403, "forbidden", str(exc) or None)

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return problem(request, 404, "not-found")

    @api.exception_handler(HttpError)
    def _http(request, exc: HttpError):
        if isinstance(exc.__cause__, (json.JSONDecodeError, UnicodeDecodeError)):
            return problem(request, 400, "malformed-json", str(exc.__cause__))
        code = {401: "not-authenticated", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
                409: "conflict", 429: "rate-limited"}.get(exc.status_code, "bad-request")
        return problem(request, exc.status_code, code, str(exc))

    @api.exception_handler(Exception)
    def _unexpected(request, exc):
        log.exception("unhandled API error on %s", request.path)
        return problem(request, 500, "server-error")
