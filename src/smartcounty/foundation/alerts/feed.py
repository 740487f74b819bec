"""The live alert feed: server-sent events at ``/alerts/feed``.

An in-process broadcaster is fed by this module's own handlers of ``alerts.*`` events; each open
stream has a small bounded queue and holds no database connection while it waits. A client that
reconnects sends ``Last-Event-ID`` (the history row id) and gets what it missed from the database
first. Alerts raised by another process (e.g. a separate MQTT ingester) reach the stream through a
light periodic catch-up query (``SMARTCOUNTY_ALERTS_FEED_POLL`` seconds, 0 to switch off).
"""

import json
import queue
import threading
import time
from collections import deque

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse

from smartcounty.foundation.alerts.models import AlertEvent
from smartcounty.foundation.alerts.services import fact
from smartcounty.kernel.authz import user_has_perm

CATCH_UP_LIMIT = 500
QUEUE_SIZE = 1000


def message(f) -> dict:
    """The small JSON each feed event carries."""
    return {"id": f.event_id, "event": f.event, "alert": f.alert_id, "state": f.state, "level": f.level,
            "title": f.title, "property": f.property, "thing": f.thing_id, "town": f.town,
            "org": f.organisation_id, "value": f.value, "at": f.at.isoformat()}


class Broadcaster:
    def __init__(self):
        self._lock = threading.Lock()
        self._queues: set[queue.Queue] = set()

    def subscribe(self) -> queue.Queue:
        q = queue.Queue(maxsize=QUEUE_SIZE)
        with self._lock:
            self._queues.add(q)
        return q

    def unsubscribe(self, q: queue.Queue) -> None:
        with self._lock:
            self._queues.discard(q)

    def publish(self, msg: dict) -> None:
        with self._lock:
            targets = list(self._queues)
        for q in targets:
            try:
                q.put_nowait(msg)
            except queue.Full:  # a stalled client: it will catch up from the database on reconnect
                pass

    @property
    def listeners(self) -> int:
        with self._lock:
            return len(self._queues)


broadcaster = Broadcaster()


def on_alert_event(event: str, f) -> None:
    broadcaster.publish(message(f))


def _release_connection() -> None:
    """Give the database connection back while the stream idles (not inside a transaction, e.g. a test's)."""
    if not connection.in_atomic_block:
        connection.close()


def messages_after(last_id: int, limit: int = CATCH_UP_LIMIT) -> list[dict]:
    rows = AlertEvent.objects.filter(id__gt=last_id).select_related("alert").order_by("id")[:limit]
    out = []
    for ev in rows:
        a = ev.alert
        state = ev.to_state or a.state
        level = ev.to_level or a.level
        out.append(message(fact(a, ev)._replace(state=state, level=level)))
    return out


def sse(msg: dict) -> bytes:
    return f"id: {msg['id']}\nevent: alert\ndata: {json.dumps(msg, ensure_ascii=False)}\n\n".encode()


class Stream:
    """One client's stream: catch-up, then live messages, heartbeats, and an occasional database catch-up."""

    def __init__(self, user, last_id: int, *, heartbeat: float, poll: float, max_seconds: float):
        self.user = user
        self.heartbeat = heartbeat
        self.poll = poll
        self.max_seconds = max_seconds
        self.queue = None
        self.cursor = last_id
        self.sent_ids: deque[int] = deque(maxlen=2048)
        self.sent: set[int] = set()

    def visible(self, msg: dict) -> bool:
        return user_has_perm(self.user, "alerts.view", msg.get("org"))

    def _emit(self, msg: dict):
        if msg["id"] in self.sent:
            return None
        if len(self.sent_ids) == self.sent_ids.maxlen:
            self.sent.discard(self.sent_ids[0])
        self.sent_ids.append(msg["id"])
        self.sent.add(msg["id"])
        self.cursor = max(self.cursor, msg["id"])
        return sse(msg) if self.visible(msg) else None

    def _catch_up(self):
        try:
            batch = messages_after(self.cursor)
        finally:
            _release_connection()
        for msg in batch:
            chunk = self._emit(msg)
            if chunk:
                yield chunk

    def __iter__(self):
        self.queue = broadcaster.subscribe()  # before the catch-up query: nothing falls in between
        try:
            yield b"retry: 3000\n\n"
            yield from self._catch_up()
            started = last_poll = time.monotonic()
            while time.monotonic() - started < self.max_seconds:
                wait = self.heartbeat if not self.poll else max(0.05, min(self.heartbeat, self.poll))
                try:
                    msg = self.queue.get(timeout=wait)
                except queue.Empty:
                    msg = None
                if msg is not None:
                    chunk = self._emit(msg)
                    if chunk:
                        yield chunk
                    continue
                if self.poll and time.monotonic() - last_poll >= self.poll:
                    last_poll = time.monotonic()
                    yield from self._catch_up()
                yield b": keepalive\n\n"
        finally:
            broadcaster.unsubscribe(self.queue)


def feed(request):
    """GET /alerts/feed: ``text/event-stream`` for staff holding ``alerts.view``."""
    user = request.user
    if not user.is_authenticated:
        return HttpResponse("sign in first", status=401, content_type="text/plain")
    if not user_has_perm(user, "alerts.view"):
        return HttpResponse("forbidden", status=403, content_type="text/plain")
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_id") or ""
    if raw and not raw.isdigit():
        return HttpResponse("Last-Event-ID must be a number", status=400, content_type="text/plain")
    if raw:
        last_id = int(raw)
    else:  # a new client starts from now
        last_id = AlertEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    stream = Stream(user, last_id,
                    heartbeat=float(getattr(settings, "SMARTCOUNTY_ALERTS_FEED_HEARTBEAT", 15)),
                    poll=float(getattr(settings, "SMARTCOUNTY_ALERTS_FEED_POLL", 2)),
                    max_seconds=float(getattr(settings, "SMARTCOUNTY_ALERTS_FEED_MAX_SECONDS", 1800)))
    response = StreamingHttpResponse(iter(stream), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
