"""The in-process event bus: modules publish facts, other modules subscribe.

``publish()`` delivers after the surrounding transaction commits (immediately when there is none),
so a handler never sees an event whose data was rolled back. By default handlers run in the
publishing thread, in subscription order. An event the publisher declares ``background`` (a hot
path such as observation ingest) is handed to one worker thread per subscriber instead: the
publisher returns as soon as the batch is queued, one slow subscriber never delays another, and
each subscriber still sees its events in order. Queues are bounded, so a subscriber that falls far
behind slows the publisher rather than losing events. Handlers must be idempotent. A failing
handler is logged and never stops the others.

Tests run every handler inline (``SMARTCOUNTY_EVENTS_INLINE``, set by the test configuration),
so a test's transaction is visible to its handlers; ``wait_idle()`` lets a command or benchmark
wait until background subscribers have caught up (it also runs at interpreter exit).

An event the publisher declares ``durable`` (a codec for its payload) survives a crash: in a process that
has taken a lane (``smartcounty serve``, ``smartcounty ingest_mqtt``) it is also written to the outbox in the
publisher's transaction, and whatever a subscriber had not handled when the process died is handed to it again
when the process starts (``kernel.outbox``). A subscriber may mark its delivery handled in its own transaction
(``mark_handled``) so that a replay never repeats it.

``SMARTCOUNTY_EVENTS_DELAY_S`` (tests only) makes every background subscriber wait that long before each durable
event, so a crash test can kill a server deterministically between an acknowledged ingest and its subscribers.

Event names are ``<module label>.<fact>``; each publishing module documents its payloads in its
``schemas.py``.
"""

import atexit
import logging
import os
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, transaction

from smartcounty.kernel import outbox
from smartcounty.kernel.outbox import Codec

__all__ = ["Codec", "declare", "deliver", "durable", "mark_handled", "pending", "publish", "subscribe",
           "subscriber_name", "subscriber_names", "subscribers", "unsubscribe", "wait_idle"]

log = logging.getLogger("smartcounty.events")

_handlers: dict[str, list[tuple[str, Callable[[str, Any], None]]]] = defaultdict(list)
_background_events: set[str] = set()
_workers: dict[int, "_Worker"] = {}
_workers_lock = threading.Lock()
QUEUE_SIZE = 1000


class _Worker(threading.Thread):
    """Runs one subscriber's handler for background events, in order."""

    def __init__(self, module: str, handler: Callable[[str, Any], None]):
        super().__init__(name=f"events-{module}-{getattr(handler, '__name__', 'handler')}", daemon=True)
        self.module = module
        self.handler = handler
        self.queue: queue.Queue = queue.Queue(maxsize=QUEUE_SIZE)

    def run(self):
        from django.conf import settings

        delay = float(getattr(settings, "SMARTCOUNTY_EVENTS_DELAY_S", 0) or 0)
        while True:
            event, payload, position = self.queue.get()
            try:
                if position is not None and delay:
                    time.sleep(delay)  # tests only: see the module's docstring
                _run(self.module, self.handler, event, payload, position)
            finally:
                close_old_connections()
                self.queue.task_done()


def subscriber_name(module: str, handler) -> str:
    """A subscriber's stable name (its cursor's key): module label and the handler's dotted path."""
    return f"{module}:{getattr(handler, '__module__', '')}.{getattr(handler, '__qualname__', repr(handler))}"


def _run(module: str, handler, event: str, payload, position: int | None) -> None:
    if position is None:
        try:
            handler(event, payload)
        except Exception:
            log.exception("event handler of module %s failed on %s", module, event)
        return
    name = subscriber_name(module, handler)
    try:
        with outbox.delivering(name, position):
            handler(event, payload)
    except Exception:
        log.exception("event handler of module %s failed on %s (outbox %s)", module, event, position)
    finally:
        outbox.done(name, position)  # a failure is logged and not retried, as for every event


def _worker_for(module: str, handler) -> _Worker:
    with _workers_lock:
        worker = _workers.get(id(handler))
        if worker is None or not worker.is_alive():
            worker = _workers[id(handler)] = _Worker(module, handler)
            worker.start()
        return worker


def _inline() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "SMARTCOUNTY_EVENTS_INLINE", False))


def declare(event: str, *, background: bool, durable: Codec | None = None) -> None:
    """The publisher of ``event`` says whether its subscribers run off the publishing thread, and whether (with the
    codec of its payload) it is kept in the outbox until every subscriber has handled it."""
    if background:
        _background_events.add(event)
    else:
        _background_events.discard(event)
    if durable is not None:
        outbox.register(event, durable)


def durable(event: str) -> bool:
    """Whether publishing ``event`` writes an outbox row in this process (a lane is taken, someone subscribes)."""
    return outbox.active(event) and bool(_handlers.get(event))


def mark_handled() -> bool:
    """Call inside the write transaction of a subscriber's derived work: the durable event being handled counts as
    handled exactly when that transaction commits (a replay after a crash skips it)."""
    return outbox.mark_handled()


def wait_idle(timeout: float = 30.0) -> bool:
    """Wait until every background subscriber has handled what was queued; False on time-out."""
    deadline = time.monotonic() + timeout
    for worker in list(_workers.values()):
        while worker.queue.unfinished_tasks:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)
    return True


def pending() -> int:
    """Background event batches queued or being handled, over all subscribers (0: every subscriber has caught up)."""
    return sum(worker.queue.unfinished_tasks for worker in list(_workers.values()))


atexit.register(wait_idle, float(os.environ.get("SMARTCOUNTY_EVENTS_EXIT_WAIT", "60")))


def subscribe(event: str, handler: Callable[[str, Any], None], *, module: str) -> None:
    """Call ``handler(event, payload)`` for every ``event``; registering the same handler twice is a no-op."""
    if any(h is handler for _, h in _handlers[event]):
        return
    _handlers[event].append((module, handler))


def unsubscribe(event: str, handler: Callable) -> None:
    _handlers[event] = [(m, h) for m, h in _handlers[event] if h is not handler]


def subscribers(event: str) -> list[str]:
    return [m for m, _ in _handlers[event]]


def subscriber_names(event: str) -> list[str]:
    return [subscriber_name(m, h) for m, h in _handlers.get(event, ())]


def deliver(event: str, payload: Any, position: int | None = None, only: set[str] | None = None) -> None:
    """Hand ``payload`` to the subscribers of ``event`` (``position``: its outbox id; ``only``: these subscribers)."""
    background = event in _background_events and not _inline()
    for module, handler in list(_handlers.get(event, ())):
        if only is not None and subscriber_name(module, handler) not in only:
            continue
        if background:
            worker = _worker_for(module, handler)
            if threading.current_thread() is not worker:
                worker.queue.put((event, payload, position))
                continue
            # A handler whose own work publishes the event again: run it here (its queue may be full).
        _run(module, handler, event, payload, position)


def publish(event: str, payload: Any, *, on_commit: bool = True) -> None:
    position = outbox.record(event, payload) if outbox.active(event) and _handlers.get(event) else None
    if on_commit:
        transaction.on_commit(lambda: deliver(event, payload, position))
    else:
        deliver(event, payload, position)
