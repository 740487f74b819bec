"""Log records carry the id of the request being served (``request_id``; "-" outside a request).

Kept apart from ``kernel.telemetry``: logging is configured at start-up, before the production server sets up
prometheus_client's multiprocess mode, which must happen before that library is first imported."""

import logging
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("smartcounty_request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True
