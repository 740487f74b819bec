"""Durable events: what a process acknowledged is handled by its subscribers even if it dies before they ran.

An event declared durable (``events.declare(name, background=..., durable=Codec(encode, decode))``) is written to
the outbox (``kernel_outboxevent``) inside the publisher's own transaction: one row per published payload (an
ingest batch, not an observation), encoded by the event's codec. Subscribers still get the payload in memory
after commit, with its outbox id (its *position*). Each subscriber has a cursor per lane (``kernel_eventcursor``):
every outbox id of the lane up to the cursor is handled. A subscriber that writes what it derives can also mark
its position handled inside that same transaction (``events.mark_handled()``, ``kernel_eventhandled``): the
derived rows and the mark then commit together, and a replay never runs it twice.

Lanes: each long-running process that publishes has its own (``smartcounty serve``: ``SMARTCOUNTY_EVENTS_LANE``,
default "serve"; ``smartcounty ingest_mqtt``: "mqtt:<client id>", one per ingesting process). At start-up
(``start(lane)``) the process hands each subscriber the lane's outbox rows past its cursor that it did not mark,
and waits until they are handled before it takes new work. Then a flusher thread moves the cursors once a second
over the positions handled in memory, in id order (a position still queued stops its subscriber's cursor there),
and deletes the rows every subscriber has passed: the outbox holds about a second of batches. A crash loses at most
that second of progress: those batches are handled again after the restart (handlers are idempotent: the rule
engine skips what its saved states have seen and alerts are deduplicated per rule and thing, or per key), and
none that was marked.

A process without a lane (tests, one-off commands) writes no outbox: delivery is as it always was. Issue 19's
brokers fit here: a relay publishing the outbox past its cursor to NATS or RabbitMQ is one more subscriber.
"""

import atexit
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections, connection, transaction

log = logging.getLogger("smartcounty.events")

#: How often (seconds) the flusher saves the cursors and deletes the outbox rows every subscriber has passed.
FLUSH_SECONDS = 1.0
#: An outbox row written by a transaction of this process that has neither committed nor been forgotten for this
#: long is taken as rolled back (PostgreSQL hands out ids before commit: a lower id may commit after a higher one).
INFLIGHT_SECONDS = 60.0
PAGE = 200
OUTBOX, CURSORS, HANDLED = "kernel_outboxevent", "kernel_eventcursor", "kernel_eventhandled"


@dataclass(frozen=True)
class Codec:
    """How a durable event's payload is kept in the outbox: ``encode(payload) -> bytes``, ``decode(bytes)``."""

    encode: Callable[[Any], bytes]
    decode: Callable[[bytes], Any]


_codecs: dict[str, Codec] = {}
_lane: str | None = None
_lock = threading.Lock()
_flush_lock = threading.Lock()
_cursors: dict[str, int] = {}  # subscriber -> position saved
_handled: dict[str, set[int]] = defaultdict(set)  # subscriber -> positions handled past its saved cursor
_inflight: dict[int, float] = {}  # positions written by open transactions of this process -> monotonic time
_ctx = threading.local()
_stop = threading.Event()
_flusher: threading.Thread | None = None
_exit_hook: list = []


def register(event: str, codec: Codec) -> None:
    _codecs[event] = codec


def lane() -> str | None:
    return _lane


def active(event: str) -> bool:
    """Whether ``event`` is written to the outbox in this process."""
    return _lane is not None and event in _codecs


def durable_events() -> list[str]:
    return list(_codecs)


def record(event: str, payload: Any) -> int:
    """Write ``payload`` to the outbox in the current transaction; its position."""
    data = _codecs[event].encode(payload)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {OUTBOX} (lane, event, payload, created_ms) VALUES (%s, %s, %s, %s) RETURNING id",
                    [_lane, event, data, int(time.time() * 1000)])
        position = cur.fetchone()[0]
    _inflight[position] = time.monotonic()
    transaction.on_commit(lambda: _inflight.pop(position, None))
    return position


@contextmanager
def delivering(subscriber: str, position: int):
    """The delivery a handler runs for (``current()``), nested deliveries included."""
    stack = getattr(_ctx, "stack", None)
    if stack is None:
        stack = _ctx.stack = []
    stack.append((subscriber, position))
    try:
        yield
    finally:
        stack.pop()


def current() -> tuple[str, int] | None:
    stack = getattr(_ctx, "stack", None)
    return stack[-1] if stack else None


def done(subscriber: str, position: int) -> None:
    """``subscriber`` has handled ``position`` (in memory; the flusher saves it)."""
    with _lock:
        if position > _cursors.get(subscriber, 0):
            _handled[subscriber].add(position)


def mark_handled() -> bool:
    """Inside the running subscriber's own transaction: its delivery is handled once that transaction commits
    (a replay after a crash skips it). False when there is no durable delivery to mark."""
    here = current()
    if here is None or _lane is None:
        return False
    subscriber, position = here
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {HANDLED} (subscriber, lane, position) VALUES (%s, %s, %s) "
                    "ON CONFLICT (subscriber, lane, position) DO NOTHING", [subscriber, _lane, position])
    return True


def _subscribers() -> dict[str, list[str]]:
    from smartcounty.kernel import events

    return {event: events.subscriber_names(event) for event in _codecs}


def start(lane: str) -> int:
    """Take ``lane`` for this process: replay to each subscriber what it has not handled, wait until it has, then
    keep the cursors moving. Call once, after start-up, before the process takes new work. Returns the number of
    outbox rows replayed."""
    from smartcounty.kernel import events, process

    global _lane, _flusher
    _lane = lane
    subs = _subscribers()
    names = {n for names in subs.values() for n in names}
    with connection.cursor() as cur:
        cur.execute(f"SELECT subscriber, position FROM {CURSORS} WHERE lane = %s", [lane])
        saved = dict(cur.fetchall())
        cur.execute(f"SELECT MAX(id) FROM {OUTBOX} WHERE lane = %s", [lane])
        head = cur.fetchone()[0] or 0
    new = sorted(names - saved.keys())  # a subscriber new to the lane starts at its head
    if new:
        with process.write_transaction(), connection.cursor() as cur:
            cur.executemany(f"INSERT INTO {CURSORS} (subscriber, lane, position) VALUES (%s, %s, %s)",
                            [(n, lane, head) for n in new])
    with _lock:
        _cursors.update({n: saved.get(n, head) for n in names})
    replayed = _replay(subs)
    while not events.wait_idle(timeout=60):
        log.info("replaying lane %s: subscribers still catching up", lane)
    flush()
    if not _exit_hook:
        _exit_hook.append(atexit.register(_at_exit))
    if _flusher is None or not _flusher.is_alive():
        _stop.clear()
        _flusher = threading.Thread(target=_flush_loop, name="events-outbox-flusher", daemon=True)
        _flusher.start()
    return replayed


def _replay(subs: dict[str, list[str]]) -> int:
    from smartcounty.kernel import events

    with _lock:
        cursors = dict(_cursors)
    if not cursors:
        return 0
    with connection.cursor() as cur:
        cur.execute(f"SELECT subscriber, position FROM {HANDLED} WHERE lane = %s", [_lane])
        marked = set(cur.fetchall())
    after, replayed = min(cursors.values()), 0
    while True:
        with connection.cursor() as cur:
            cur.execute(f"SELECT id, event, payload FROM {OUTBOX} WHERE lane = %s AND id > %s ORDER BY id LIMIT %s",
                        [_lane, after, PAGE])
            rows = cur.fetchall()
        if not rows:
            return replayed
        for position, event, data in rows:
            after = position
            names = subs.get(event, ())
            todo = {n for n in names if cursors.get(n, 0) < position and (n, position) not in marked}
            for n in names:
                if n not in todo:
                    done(n, position)
            if not todo:
                continue
            codec = _codecs.get(event)
            try:
                payload = codec.decode(bytes(data))
            except Exception:
                log.exception("outbox row %s (%s) cannot be decoded: skipped", position, event)
                for n in todo:
                    done(n, position)
                continue
            replayed += 1
            events.deliver(event, payload, position=position, only=todo)


def flush() -> None:
    """Save the cursors past what is handled (in id order) and delete the outbox rows every subscriber passed."""
    from smartcounty.kernel import process

    if _lane is None:
        return
    with _flush_lock:
        with _lock:
            todo = {s: set(p) for s, p in _handled.items() if p}
            cursors = dict(_cursors)
        if not todo:
            return
        now = time.monotonic()
        blocked = min((p for p, t in list(_inflight.items()) if now - t < INFLIGHT_SECONDS), default=None)
        floor = min(cursors.get(s, 0) for s in todo)
        subs = _subscribers()
        wants = defaultdict(set)  # subscriber -> the durable events it takes
        for event, names in subs.items():
            for n in names:
                wants[n].add(event)
        with connection.cursor() as cur:
            cur.execute(f"SELECT id, event FROM {OUTBOX} WHERE lane = %s AND id > %s ORDER BY id LIMIT 100000",
                        [_lane, floor])
            rows = cur.fetchall()
        moved = {}
        for s, handled in todo.items():
            pos = start = cursors.get(s, 0)
            mine = wants.get(s, ())
            for i, event in rows:
                if i <= start or event not in mine:
                    continue
                if i not in handled or (blocked is not None and i >= blocked):
                    break
                pos = i
            if pos > start:
                moved[s] = pos
        if not moved:
            return
        cursors.update(moved)
        top = "GREATEST" if connection.vendor == "postgresql" else "max"
        with process.write_transaction(), connection.cursor() as cur:
            cur.executemany(f"INSERT INTO {CURSORS} (subscriber, lane, position) VALUES (%s, %s, %s) "
                            "ON CONFLICT (subscriber, lane) DO UPDATE SET "
                            f"position = {top}({CURSORS}.position, excluded.position)",
                            [(s, _lane, p) for s, p in moved.items()])
            cur.executemany(f"DELETE FROM {HANDLED} WHERE subscriber = %s AND lane = %s AND position <= %s",
                            [(s, _lane, p) for s, p in moved.items()])
            for event, names in subs.items():  # the rows every subscriber of their event has passed
                if names:
                    cur.execute(f"DELETE FROM {OUTBOX} WHERE lane = %s AND event = %s AND id <= %s",
                                [_lane, event, min(cursors.get(n, 0) for n in names)])
        with _lock:
            for s, p in moved.items():
                _cursors[s] = max(_cursors.get(s, 0), p)
                _handled[s] = {x for x in _handled[s] if x > p}


def _flush_loop() -> None:
    try:
        while not _stop.wait(FLUSH_SECONDS):
            try:
                flush()
            except Exception:
                log.exception("saving the event cursors failed")
            finally:
                close_old_connections()
    finally:
        connection.close()  # this thread's own connection


def _at_exit() -> None:
    from smartcounty.kernel import events

    if _lane is None:
        return
    events.wait_idle()
    try:
        flush()
    except Exception:
        log.exception("saving the event cursors at exit failed")


def stop() -> None:
    """Leave the lane (tests): flush, stop the flusher, forget the in-memory progress."""
    global _lane, _flusher
    if _lane is not None:
        flush()
    forget()
    _stop.set()
    if _flusher is not None:
        _flusher.join(timeout=5)
    _flusher = None


def forget() -> None:
    """Drop the in-memory progress without saving it, as a crash would (tests)."""
    global _lane
    with _lock:
        _lane = None
        _cursors.clear()
        _handled.clear()
        _inflight.clear()
