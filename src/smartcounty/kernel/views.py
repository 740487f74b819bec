"""The platform's own pages: home, health and readiness checks, and the 404 of a URL that matches nothing."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults

from smartcounty.kernel import events, registry
from smartcounty.kernel.problems import problem


def not_found(request, exception=None):
    """``handler404``: an unmatched ``/api/`` URL is a problem+json 404 like every API error; pages get the page."""
    if request.path.startswith("/api/"):
        return problem(request, 404, "not-found")
    return defaults.page_not_found(request, exception)


def home(request):
    modules = [m for m in registry.modules.values() if getattr(m, "layer", "")]
    return render(request, "kernel/home.html", {"modules": modules})


def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    # events_pending: background event batches not yet handled (ingest's subscribers catching up)
    return JsonResponse({"status": "ok", "database": connection.vendor, "events_pending": events.pending()})


def readyz(request):
    """Ready to do the work: the database answers and a background worker is alive (200), else 503; each
    process's heartbeat and event backlog either way."""
    from smartcounty.kernel import heartbeat
    from smartcounty.kernel.authz import user_has_perm

    ready, body = heartbeat.readiness()
    # Process names, hosts and backlogs: for a probe on this machine (not proxied) or a platform administrator.
    local = request.META.get("REMOTE_ADDR") in ("127.0.0.1", "::1") and "HTTP_X_FORWARDED_FOR" not in request.META
    if not (local or user_has_perm(getattr(request, "user", None), "kernel.operate")):
        body.pop("processes", None)
    return JsonResponse({"status": "ready" if ready else "not ready", **body}, status=200 if ready else 503)


def metrics(request):
    """Prometheus metrics (``kernel.telemetry``), imported on first use: the production server sets up the
    library's multiprocess mode before that."""
    from smartcounty.kernel import telemetry

    return telemetry.metrics_view(request)
