"""Request ids, structured logs and Prometheus metrics.

Every request gets an id (a trusted proxy's ``X-Request-ID`` when it sends a sane one, else a new one), returned
in the ``X-Request-ID`` header and added to every log record written while it is served (``request_id``).
``SMARTCOUNTY_LOG_FORMAT=json`` writes one JSON object per log line (python-json-logger).

``/metrics`` (Prometheus text format; a probe on this machine or a platform administrator) has the request
latency by route and status class, and what modules declare in ``registry.metrics`` (ingest counts, alerts
raised...), plus the kernel's own: events queued in this process, the outbox backlog and its oldest row's age
(event lag) per lane, each process's heartbeat backlog. Under ``smartcounty serve`` the web workers share their
figures through ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode), set by the server.
"""

import re
import time
import uuid

from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from smartcounty.kernel import net, registry
from smartcounty.kernel.logs import request_id

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

REQUEST_SECONDS = Histogram(
    "smartcounty_http_request_duration_seconds", "Time to answer a request, by route and status class",
    ["method", "route", "status"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.route or match.view_name or "unmatched"


class RequestIdMiddleware:
    """First in the chain: the request's id (and its latency for ``/metrics``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = given if given and _SANE_ID.match(given) and net.is_trusted_proxy(request.META.get("REMOTE_ADDR")) \
            else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            if not getattr(response, "streaming", False):  # a live feed's length is its client's, not ours
                REQUEST_SECONDS.labels(request.method if request.method in _METHODS else "other", _route(request),
                                       f"{response.status_code // 100}xx").observe(time.perf_counter() - started)
            return response
        finally:
            request_id.reset(token)


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class ModuleCollector:
    """The figures of ``registry.metrics`` and the kernel's event figures, read at scrape time."""

    def collect(self):
        from django.db import connection

        from smartcounty.kernel import events
        from smartcounty.kernel.models import OutboxEvent, ProcessHeartbeat

        yield GaugeMetricFamily("smartcounty_events_queued", "Event batches queued in the scraped process",
                                value=events.pending())
        backlog = GaugeMetricFamily("smartcounty_outbox_rows", "Durable events not yet handled, by lane", labels=["lane"])
        lag = GaugeMetricFamily("smartcounty_outbox_lag_seconds", "Age of the oldest unhandled durable event, by lane",
                                labels=["lane"])
        now_ms = time.time() * 1000
        with connection.cursor() as cur:
            cur.execute(f"SELECT lane, COUNT(*), MIN(created_ms) FROM {OutboxEvent._meta.db_table} GROUP BY lane")
            for lane, count, oldest in cur.fetchall():
                backlog.add_metric([lane], count)
                lag.add_metric([lane], max(0.0, (now_ms - oldest) / 1000))
        yield backlog
        yield lag
        beats = GaugeMetricFamily("smartcounty_process_backlog", "Event backlog of each live process at its last "
                                  "heartbeat", labels=["process", "role"])
        for key, role, n in ProcessHeartbeat.objects.values_list("key", "role", "backlog"):
            beats.add_metric([key, role], n)
        yield beats
        for metric in registry.metrics.values():
            family = (CounterMetricFamily if metric.kind == "counter" else GaugeMetricFamily)(
                metric.name, metric.help, labels=list(metric.labels))
            value = metric.collect()
            for labels, number in (value.items() if isinstance(value, dict) else [((), value)]):
                family.add_metric([str(x) for x in (labels if isinstance(labels, tuple) else (labels,))], number)
            yield family


def scrape() -> bytes:
    """Every figure, in Prometheus' text format."""
    import os

    from prometheus_client import ProcessCollector, multiprocess

    reg = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(reg)  # every web worker's request figures
    else:
        reg.register(REQUEST_SECONDS)
        ProcessCollector(registry=reg)
    reg.register(ModuleCollector())
    return generate_latest(reg)


def metrics_view(request):
    from smartcounty.kernel.authz import user_has_perm

    local = request.META.get("REMOTE_ADDR") in ("127.0.0.1", "::1") and "HTTP_X_FORWARDED_FOR" not in request.META
    if not (local or user_has_perm(getattr(request, "user", None), "kernel.operate")):
        return HttpResponse("metrics are for this machine's monitoring or a platform administrator", status=403,
                            content_type="text/plain; charset=utf-8")
    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)
