"""Kernel middleware: remembers the request for audit, refuses oversized API bodies early, and reads a
reverse proxy's ``X-Forwarded-Proto`` only from a trusted proxy."""

from django.conf import settings

from smartcounty.kernel import net
from smartcounty.kernel.context_vars import current_request
from smartcounty.kernel.problems import problem


class ForwardedProtoMiddleware:
    """Drop ``X-Forwarded-Proto`` unless the peer is in ``SMARTCOUNTY_TRUSTED_PROXIES``.

    With ``SMARTCOUNTY_HTTPS`` Django takes the header as the client's scheme (``SECURE_PROXY_SSL_HEADER``):
    only the proxy that terminates TLS may say so, never a client talking to the server directly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_X_FORWARDED_PROTO" in request.META and not net.is_trusted_proxy(request.META.get("REMOTE_ADDR")):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
                # File uploads: Django spools file parts to disk and still caps the other fields at
                # DATA_UPLOAD_MAX_MEMORY_SIZE; the file itself may be as large as page uploads.
                limit = max(limit, int(getattr(settings, "SMARTCOUNTY_UPLOAD_MAX_BYTES", 0)) + 64 * 1024)
            if limit and length > limit:
                return problem(request, 413, "body-too-large", detail_args={"limit": limit})
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
