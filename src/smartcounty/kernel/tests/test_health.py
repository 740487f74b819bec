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


def test_every_response_has_a_request_id_and_a_trusted_proxys_id_is_kept(client, settings):
    r = client.get("/healthz")
    assert len(r["X-Request-ID"]) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] != "abc-123"  # not from any client
    settings.SMARTCOUNTY_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


def test_log_lines_carry_the_request_id_and_json_logs_are_json(client):
    import json
    import logging

    from pythonjsonlogger.json import JsonFormatter

    from smartcounty.kernel.logs import RequestIdFilter, request_id

    token = request_id.set("r-42")
    try:
        record = logging.LogRecord("smartcounty.test", logging.WARNING, __file__, 1, "冠县 %s", ("ok",), None)
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)
    line = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                         rename_fields={"levelname": "level"}, json_ensure_ascii=False).format(record)
    assert json.loads(line) | {"asctime": None} == {"asctime": None, "level": "WARNING", "name": "smartcounty.test",
                                                    "request_id": "r-42", "message": "冠县 ok"}


def test_metrics_are_for_local_probes_and_platform_admins_and_have_request_latency_and_module_figures(
        client, django_user_model):
    client.get("/healthz")
    r = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/plain")
    text = r.content.decode()
    assert 'smartcounty_http_request_duration_seconds_count{method="GET",route="healthz",status="2xx"}' in text
    assert "smartcounty_alerts_raised_total 0.0" in text and "smartcounty_outbox_rows" in text
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.8").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    staff = django_user_model.objects.create_user("staff-m", role="staff", kind="staff")
    client.force_login(staff)
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.8").status_code == 403
    client.force_login(django_user_model.objects.create_user("ops-m", role="platform_admin", kind="staff"))
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.8").status_code == 200
