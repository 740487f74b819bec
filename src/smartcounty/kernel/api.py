"""API helpers every module's ``api.py`` uses: input schemas, bounded integers, errors, pagination.

Integers that reach the database are bounded in the schema (so the OpenAPI document says so and a
client gets 422, never a 500 from an int64 overflow): ``Id`` for every object id (path, query or body),
``Offset`` for offsets, ``Int64`` for other integers without a tighter bound of their own.
"""

import json
import logging
from typing import Annotated

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import Field, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.pagination import LimitOffsetPagination
from pydantic import ConfigDict

from smartcounty.kernel.jsonparse import JsonError
from smartcounty.kernel.problems import ApiError, problem

log = logging.getLogger("smartcounty.api")


class InputSchema(Schema):
    """Request bodies: unknown fields are an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


INT64_MAX = 2**63 - 1
#: the largest offset any list accepts (CKAN's ``offset``/``start`` take the same)
MAX_OFFSET = 10**9

Id = Annotated[int, Field(ge=1, le=INT64_MAX)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
Int64 = Annotated[int, Field(ge=-INT64_MAX - 1, le=INT64_MAX)]


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` with a hard ceiling; response is ``{"items": [...], "count": N}``."""

    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
        offset: Offset = 0


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


def _json_problem(request, exc: JsonError):
    if exc.code == "json-too-deep":
        return problem(request, 400, exc.code, detail_args={"limit": exc.limit})
    return problem(request, 400, exc.code, str(exc))


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

    @api.exception_handler(JsonError)
    def _json(request, exc: JsonError):
        return _json_problem(request, exc)

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request, exc):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return problem(request, 413, "body-too-large", detail_args={"limit": limit})

    @api.exception_handler(MultiPartParserError)
    def _multipart(request, exc):
        return problem(request, 400, "bad-request", str(exc))

    @api.exception_handler(SuspiciousOperation)
    def _suspicious(request, exc):
        return problem(request, 400, "bad-request")

    @api.exception_handler(HttpError)
    def _http(request, exc: HttpError):
        cause = exc.__cause__
        if isinstance(cause, JsonError):
            return _json_problem(request, cause)
        if isinstance(cause, (RequestDataTooBig, MultiPartParserError, SuspiciousOperation)):
            return api.on_exception(request, cause)
        if isinstance(cause, (json.JSONDecodeError, UnicodeDecodeError)):
            return problem(request, 400, "malformed-json", str(cause))
        code = {401: "not-authenticated", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
                409: "conflict", 429: "rate-limited"}.get(exc.status_code, "bad-request")
        return problem(request, exc.status_code, code, str(exc))

    @api.exception_handler(Exception)
    def _unexpected(request, exc):
        log.exception("unhandled API error on %s", request.path)
        return problem(request, 500, "server-error")
