"""Notifications: signed webhooks and e-mail, each subscription on its own worker thread and queue.

A handler of ``alerts.*`` events writes one ``Delivery`` row per matching subscription (the delivery
log) and hands its id to that subscription's worker. The worker POSTs the JSON (webhook) or sends the
mail (Django's e-mail backend), and on failure retries with exponential back-off
(``SMARTCOUNTY_WEBHOOK_BACKOFF`` × 2^(attempt-1) seconds, ``SMARTCOUNTY_WEBHOOK_ATTEMPTS`` attempts).
A slow or dead endpoint only ever holds up its own queue. Pending deliveries are resumed when the
``alerts_webhooks`` background service starts.

The JSON body is ``{"type": "alerts.raised" | "alerts.changed" | "alerts.resolved", **AlertFact}``.
Webhook requests carry ``X-Smartcounty-Event``, ``X-Smartcounty-Delivery``, ``X-Smartcounty-Timestamp`` and
``X-Smartcounty-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>``.
"""

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from smartcounty.foundation.alerts.models import LEVEL_COLOURS, Delivery, Level, Subscription
from smartcounty.kernel import outbound

log = logging.getLogger("smartcounty.alerts.notify")

_workers: dict[int, "Worker"] = {}
_workers_lock = threading.Lock()
_stop = threading.Event()


def _setting(name: str, default):
    return type(default)(getattr(settings, name, default))


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


#: Active subscriptions, cached for this many seconds (and dropped at once when changed in this process).
SUBSCRIPTION_CACHE_SECONDS = 2.0
_subs_cache: tuple[float, list] | None = None


def invalidate() -> None:
    global _subs_cache
    _subs_cache = None


def active_subscriptions() -> list[Subscription]:
    global _subs_cache
    cached = _subs_cache
    if cached is not None and time.monotonic() - cached[0] < SUBSCRIPTION_CACHE_SECONDS:
        return cached[1]
    subs = list(Subscription.objects.filter(active=True))
    _subs_cache = (time.monotonic(), subs)
    return subs


def on_alert_event(event: str, f) -> None:
    """Handler of alerts.raised / changed / resolved: log a delivery per matching subscription and queue it."""
    subs = [s for s in active_subscriptions()
            if s.min_level <= f.level and (s.organisation_id is None or s.organisation_id == f.organisation_id)
            and (not s.events or event in s.events)]
    if not subs:
        return
    payload = {"type": event, **f.as_json()}
    rows = Delivery.objects.bulk_create([Delivery(subscription=s, event=event, alert_event_id=f.event_id,
                                                  payload=payload) for s in subs])
    if connection.in_atomic_block:
        from django.db import transaction

        transaction.on_commit(lambda: [enqueue(d.subscription_id, d.id) for d in rows])
    else:
        for d in rows:
            enqueue(d.subscription_id, d.id)


def enqueue(subscription_id: int, delivery_id: int) -> None:
    with _workers_lock:
        worker = _workers.get(subscription_id)
        if worker is None or not worker.is_alive():
            _stop.clear()
            worker = _workers[subscription_id] = Worker(subscription_id)
            worker.start()
    worker.queue.put(delivery_id)


def shutdown(timeout: float = 5.0) -> None:
    """Stop every worker (after its current attempt) and wait for them."""
    _stop.set()
    with _workers_lock:
        workers = list(_workers.values())
        _workers.clear()
    for w in workers:
        w.queue.put(None)
    for w in workers:
        w.join(timeout)


def resume_pending() -> int:
    pending = list(Delivery.objects.filter(status=Delivery.Status.PENDING).order_by("id")
                   .values_list("subscription_id", "id"))
    for sub_id, delivery_id in pending:
        enqueue(sub_id, delivery_id)
    return len(pending)


def run_background(stop: threading.Event) -> None:
    """The ``alerts_webhooks`` background service: resume what a previous run left pending, then idle."""
    try:
        resume_pending()
    finally:
        connection.close()
    stop.wait()
    shutdown()


class Worker(threading.Thread):
    def __init__(self, subscription_id: int):
        super().__init__(name=f"alerts-notify-{subscription_id}", daemon=True)
        self.subscription_id = subscription_id
        self.queue: queue.Queue = queue.Queue()

    def run(self):
        while not _stop.is_set():
            delivery_id = self.queue.get()
            if delivery_id is None:
                break
            try:
                self.deliver(delivery_id)
            except Exception:
                log.exception("delivery %s failed unexpectedly", delivery_id)
            finally:
                connection.close()

    def deliver(self, delivery_id: int) -> None:
        d = Delivery.objects.select_related("subscription").filter(pk=delivery_id).first()
        if d is None or d.status != Delivery.Status.PENDING:
            return
        attempts = _setting("SMARTCOUNTY_WEBHOOK_ATTEMPTS", 6)
        backoff = _setting("SMARTCOUNTY_WEBHOOK_BACKOFF", 2.0)
        while d.attempts < attempts and not _stop.is_set():
            if d.next_attempt_at and d.next_attempt_at > timezone.now():
                connection.close()  # no connection held while waiting
                if _stop.wait((d.next_attempt_at - timezone.now()).total_seconds()):
                    return
            d.attempts += 1
            try:
                d.last_status_code = send(d.subscription, d)
                d.status, d.delivered_at, d.last_error, d.next_attempt_at = \
                    Delivery.Status.DELIVERED, timezone.now(), "", None
                d.save(update_fields=["attempts", "last_status_code", "status", "delivered_at", "last_error",
                                      "next_attempt_at"])
                return
            except DeliveryError as exc:
                d.last_status_code, d.last_error = exc.status, str(exc)[:500]
                if d.attempts >= attempts:
                    d.status, d.next_attempt_at = Delivery.Status.FAILED, None
                else:
                    d.next_attempt_at = timezone.now() + timedelta(seconds=backoff * 2 ** (d.attempts - 1))
                d.save(update_fields=["attempts", "last_status_code", "last_error", "status", "next_attempt_at"])


class DeliveryError(Exception):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def send(sub: Subscription, d: Delivery) -> int | None:
    if sub.channel == Subscription.Channel.EMAIL:
        return send_email(sub, d)
    return send_webhook(sub, d)


SIGNED_HEADERS = ("X-Smartcounty-Signature", "X-Smartcounty-Timestamp", "X-Smartcounty-Delivery", "X-Smartcounty-Event")


def send_webhook(sub: Subscription, d: Delivery) -> int:
    body = json.dumps(d.payload, ensure_ascii=False, separators=(",", ":")).encode()
    ts = str(int(time.time()))
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "smartcounty-alerts/1",
               "X-Smartcounty-Event": d.event, "X-Smartcounty-Delivery": str(d.id), "X-Smartcounty-Timestamp": ts}
    if sub.secret:
        headers["X-Smartcounty-Signature"] = sign(sub.secret, ts, body)
    timeout = _setting("SMARTCOUNTY_WEBHOOK_TIMEOUT", 10.0)
    try:
        # The guarded client: public addresses (or SMARTCOUNTY_OUTBOUND_ALLOW) only, every redirect hop
        # checked, and the signature never sent on to another origin.
        resp = outbound.request("POST", sub.target, body=body, headers=headers, timeout=timeout, read_body=False,
                                sensitive=SIGNED_HEADERS, max_redirects=3,
                                keep_method=True)
    except outbound.OutboundError as exc:
        raise DeliveryError(str(exc), exc.status) from None
    if resp.status >= 300:
        raise DeliveryError(f"HTTP {resp.status}", resp.status)
    return resp.status


def send_email(sub: Subscription, d: Delivery) -> None:
    p = d.payload
    with translation.override(settings.LANGUAGE_CODE):
        level = str(Level(p["level"]).label) if p.get("level") in LEVEL_COLOURS else ""
        what = {"alerts.raised": _("Alert raised"), "alerts.changed": _("Alert changed"),
                "alerts.resolved": _("Alert resolved")}.get(d.event, d.event)
        subject = f"[{what}] {level} {p.get('title', '')}"
        lines = [f"{_('Alert')}: #{p.get('alert_id')} {p.get('title', '')}", f"{_('Level')}: {level}",
                 f"{_('State')}: {p.get('state')}", f"{_('Value')}: {p.get('value')}",
                 f"{_('Town')}: {p.get('town') or '-'}", f"{_('Time')}: {p.get('at')}"]
    try:
        send_mail(subject, "\n".join(lines), None, [sub.target], fail_silently=False)
    except Exception as exc:
        raise DeliveryError(f"e-mail: {exc}") from None
    return None
