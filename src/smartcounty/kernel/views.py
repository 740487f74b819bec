"""The platform's own pages: home and health check."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from smartcounty.kernel import events, registry


def home(request):
    modules = [m for m in registry.modules.values() if getattr(m, "layer", "")]
    return render(request, "kernel/home.html", {"modules": modules})


def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    # events_pending: background event batches not yet handled (ingest's subscribers catching up)
    return JsonResponse({"status": "ok", "database": connection.vendor, "events_pending": events.pending()})
