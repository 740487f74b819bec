import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_health_check_is_public_and_reports_the_database_and_the_event_backlog(client):
    r = client.get("/healthz")  # public on purpose: load balancers and benchmarks poll it without a session
    assert r.status_code == 200
    body = r.json()
    assert body == {"status": "ok", "database": connection.vendor, "events_pending": 0}
