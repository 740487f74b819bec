"""The API object's shared behaviour: one JSON parser, authentication rules, documented error statuses.

- Bodies are read by ``kernel.jsonparse`` (strict, depth-limited): a bad one is a 400 problem.
- ``auth=None`` on an operation means *public*: anonymous callers are served, and a caller who sends a
  token or has a session is still recognised as that user (a public cockpit shows a signed-in member
  more). A Bearer header that is not a valid token is refused with 401, never silently downgraded.
- A session-authenticated unsafe request needs the CSRF token (403 without it); an anonymous one is
  simply not authenticated (401): CSRF protects a session, and there is none.
- Every operation documents the problem+json statuses it can answer, from one rule (``error_statuses``),
  with one ``Problem`` schema: no endpoint repeats them.
"""

import logging

from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.parser import Parser
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from smartcounty.kernel import jsonparse, registry

log = logging.getLogger("smartcounty.api")

UNSAFE = {"post", "put", "patch", "delete"}
DESCRIPTIONS = {
    400: "The request cannot be read (malformed JSON or form data, a body nested too deep).",
    401: "Not authenticated: sign in, or send a valid API token (`Authorization: Bearer ...`).",
    403: "Authenticated, but not permitted (or the CSRF token of a session is missing).",
    404: "Something the request names does not exist, or is not visible to the caller.",
    409: "The request conflicts with the current state.",
    413: "The request body is larger than the server's limit.",
    422: "The request has invalid fields (`errors` names each one).",
    429: "Too many requests: wait the `Retry-After` seconds.",
}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details; `code` is stable and never translated.",
    "required": ["type", "code", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "code": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "in": {"type": "string"}, "type": {"type": "string"},
            "message": {"type": "string"}}}},
    },
}


class JsonParser(Parser):
    """Ninja's body parser through ``kernel.jsonparse`` (Ninja wraps the error; the handler reads its cause)."""

    def parse_body(self, request):
        return jsonparse.loads(request.body)


class SessionAuth(NinjaSessionAuth):
    """Django's session: the CSRF check applies to a signed-in session only (anonymous: 401, not 403)."""

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check Failed")
        return user


class Anonymous:
    """The last authenticator of a public operation: lets an anonymous caller through, unless the request
    carried a Bearer token that the authenticators before it did not accept (then 401)."""

    def __call__(self, request):
        if request.headers.get("Authorization", "").lower().startswith("bearer"):
            return None
        return self

    is_authenticated = False


def error_statuses(method: str, operation: dict) -> list[int]:
    """The problem statuses an operation can answer: every one can be refused (401/403 — public ones too,
    for a bad token), rate-limited (429), fed a malformed request (400) or invalid fields (422), and find
    something missing (404); unsafe methods can conflict (409); a body can be too large (413)."""
    statuses = [400, 401, 403, 404, 422, 429]
    if method in UNSAFE:
        statuses.append(409)
    if "requestBody" in operation:
        statuses.append(413)
    return sorted(statuses)


class SmartcountyAPI(NinjaAPI):
    """``NinjaAPI`` with the rules above; ``auth`` is the list of authenticators of private operations."""

    def __init__(self, *, auth: list, **kwargs):
        kwargs.setdefault("parser", JsonParser())
        super().__init__(auth=auth, **kwargs)
        self.public_auth = [*auth, Anonymous()]
        self._public_security = [{type(a).__name__: []} for a in auth if hasattr(a, "openapi_security_schema")]

    def _get_bound_routers(self):
        fresh = self._bound_routers_cache is None
        bound = super()._get_bound_routers()
        if fresh:
            for router in bound:
                for view in router.path_operations.values():
                    for operation in view.operations:
                        if operation.auth_param is None:  # ``auth=None``: public, with optional authentication
                            operation.auth_callbacks = self.public_auth
                            operation.openapi_extra = {**(operation.openapi_extra or {}),
                                                       "security": [*self._public_security, {}]}
        return bound

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for key, extra in registry.openapi_schemas.items():
            try:
                components["schemas"].update(extra())
            except Exception:  # one module's data must not take the whole document down
                log.exception("openapi schemas of %s failed", key)
        shared = components.setdefault("responses", {})
        for status, description in DESCRIPTIONS.items():
            content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
            shared[f"Problem{status}"] = {"description": description, "content": content}
            if status == 429:
                shared["Problem429"]["headers"] = {"Retry-After": {
                    "description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}}
        for methods in schema["paths"].values():
            for method, operation in methods.items():
                responses = operation.setdefault("responses", {})
                for status in error_statuses(method, operation):
                    if status not in responses and str(status) not in responses:
                        responses[status] = {"$ref": f"#/components/responses/Problem{status}"}
        return schema
