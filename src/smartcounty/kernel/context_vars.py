"""The request being served, for code far from the view (audit needs the IP and the user)."""

from contextvars import ContextVar

current_request: ContextVar = ContextVar("smartcounty_current_request", default=None)
