import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_health_check_is_public_and_reports_the_database_and_the_event_backlog(client):
    r = client.get("/healthz")  # public on purpose: load balancers and benchmarks poll it without a session
    assert r.status_code == 200
    body = r.json()
    assert body == {"status": "ok", "database": connection.vendor, "events_pending": 0}


def test_readiness_needs_a_live_background_worker_and_shows_processes_only_to_operators(client, django_user_model):
    from datetime import UTC, datetime, timedelta

    from smartcounty.kernel import heartbeat
    from smartcounty.kernel.models import ProcessHeartbeat

    r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["status"] == "not ready" and r.json()["background_workers"] == 0
    started = datetime.now(UTC) - timedelta(minutes=5)
    heartbeat.beat("web:host:0", "web", started)
    assert client.get("/readyz").status_code == 503  # a web worker alone does not ingest, sweep or pull
    heartbeat.beat("worker:host:42", "worker", started)
    r = client.get("/readyz", REMOTE_ADDR="127.0.0.1")
    assert r.status_code == 200 and r.json()["status"] == "ready" and r.json()["database"] == "ok"
    body = r.json()
    assert body["background_workers"] == 1
    assert {p["process"]: (p["role"], p["alive"], p["backlog"]) for p in body["processes"]} == {
        "web:host:0": ("web", True, 0), "worker:host:42": ("worker", True, 0)}
    # Through a proxy, or from elsewhere: the verdict without the process list.
    r = client.get("/readyz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert r.status_code == 200 and "processes" not in r.json()
    assert "processes" not in client.get("/readyz", REMOTE_ADDR="10.1.2.3").json()
    admin = django_user_model.objects.create_user("ops", role="platform_admin", kind="staff")
    client.force_login(admin)
    assert "processes" in client.get("/readyz", REMOTE_ADDR="10.1.2.3").json()
    # A worker not seen for three beats is gone.
    ProcessHeartbeat.objects.filter(role="worker").update(seen_at=datetime.now(UTC) - timedelta(seconds=heartbeat.STALE + 1))
    assert client.get("/readyz").status_code == 503
