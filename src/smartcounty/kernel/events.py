"""The in-process event bus: modules publish facts, other modules subscribe.

``publish()`` delivers after the surrounding transaction commits (immediately when there is none),
so a handler never sees an event whose data was rolled back. Handlers run in the publishing
thread, in subscription order; they must be idempotent and quick (a handler with slow work hands
it to a queue or a thread of its own). A failing handler is logged and never stops the others.

Event names are ``<module label>.<fact>``; each publishing module documents its payloads in its
``schemas.py``.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

log = logging.getLogger("smartcounty.events")

_handlers: dict[str, list[tuple[str, Callable[[str, Any], None]]]] = defaultdict(list)


def subscribe(event: str, handler: Callable[[str, Any], None], *, module: str) -> None:
    """Call ``handler(event, payload)`` for every ``event``; registering the same handler twice is a no-op."""
    if any(h is handler for _, h in _handlers[event]):
        return
    _handlers[event].append((module, handler))


def unsubscribe(event: str, handler: Callable) -> None:
    _handlers[event] = [(m, h) for m, h in _handlers[event] if h is not handler]


def subscribers(event: str) -> list[str]:
    return [m for m, _ in _handlers[event]]


def deliver(event: str, payload: Any) -> None:
    for module, handler in list(_handlers.get(event, ())):
        try:
            handler(event, payload)
        except Exception:
            log.exception("event handler of module %s failed on %s", module, event)


def publish(event: str, payload: Any, *, on_commit: bool = True) -> None:
    if on_commit:
        transaction.on_commit(lambda: deliver(event, payload))
    else:
        deliver(event, payload)
