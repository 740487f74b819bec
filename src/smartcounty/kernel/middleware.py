"""Kernel middleware: remembers the request for audit, and refuses oversized API bodies early."""

from django.conf import settings

from smartcounty.kernel.context_vars import current_request
from smartcounty.kernel.problems import problem


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
            if limit and length > limit:
                return problem(request, 413, "body-too-large", detail_args={"limit": limit})
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
