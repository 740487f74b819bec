"""Alerts raised by other modules through the services, and the staff life cycle: acknowledge, resolve."""

import pytest

from smartcounty.foundation.alerts import services
from smartcounty.foundation.alerts.models import Alert
from smartcounty.kernel.models import AuditEntry
from smartcounty.kernel.problems import ApiError

pytestmark = pytest.mark.django_db


def raise_pollution(level=2, **kw):
    return services.raise_alert(source="environment", key="heavy-pollution:371525", title="重污染天气黄色预警",
                                level=level, property="aqi", town="371525001", organisation_id=kw.pop("org", None),
                                value=kw.pop("value", 230.0), **kw)


def test_raise_update_resolve_life_cycle(feed_events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out = raise_pollution()
        again = raise_pollution(level=3, value=310.0)  # same (source, key): the open alert is updated
        services.update_alert(out.id, level=2, value=250.0)
        services.resolve_alert(out.id, note="lifted")
    assert out.created and not again.created and again.id == out.id
    alert = Alert.objects.get()
    assert (alert.state, alert.level, alert.value, alert.source) == ("resolved", 2, 250.0, "environment")
    assert [(e.kind, e.from_level, e.to_level) for e in alert.history.all()] == [
        ("raised", None, 2), ("level", 2, 3), ("level", 3, 2), ("resolved", 2, 2)]
    assert [n for n, _ in feed_events] == ["alerts.raised", "alerts.changed", "alerts.changed", "alerts.resolved"]
    assert feed_events[1][1].previous_level == 2 and feed_events[1][1].level == 3
    assert services.find_open_alert("environment", "heavy-pollution:371525") is None
    # a new episode is a new alert
    assert raise_pollution().created and Alert.objects.count() == 2


def test_public_flag_travels_with_the_alert_and_its_events(feed_events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        warning = raise_pollution(public=True)
        internal = services.raise_alert(source="economy", key="power:1", title="企业用电异常", level=3)
        services.update_alert(warning.id, level=3)
    assert dict(Alert.objects.values_list("id", "public")) == {warning.id: True, internal.id: False}
    assert [(f.alert_id, f.public) for _, f in feed_events] == [
        (warning.id, True), (internal.id, False), (warning.id, True)]


def test_acknowledge_then_resolve_by_staff_is_audited(users, django_capture_on_commit_callbacks, feed_events):
    staff = users["staff_a"]
    out = raise_pollution(org=staff.organisation_id)
    with django_capture_on_commit_callbacks(execute=True):
        services.acknowledge_alert(out.id, actor=staff, note="on it")
        services.acknowledge_alert(out.id, actor=staff)  # no change
        services.resolve_alert(out.id, actor=staff, note="done")
    alert = Alert.objects.get()
    assert alert.acknowledged_by == staff and alert.resolved_by == staff
    assert [(e.kind, e.from_state, e.to_state, e.actor_id, e.note) for e in alert.history.all()] == [
        ("raised", "", "raised", None, ""), ("acknowledged", "raised", "acknowledged", staff.id, "on it"),
        ("resolved", "acknowledged", "resolved", staff.id, "done")]
    assert list(AuditEntry.objects.filter(object_id=str(alert.id)).values_list("action", flat=True)) == [
        "alerts.acknowledge", "alerts.resolve"]
    assert [(n, f.event, f.actor_id) for n, f in feed_events] == [
        ("alerts.changed", "acknowledged", staff.id), ("alerts.resolved", "resolved", staff.id)]
    with pytest.raises(ApiError) as exc:
        services.resolve_alert(out.id, actor=staff)
    assert exc.value.status == 409
    with pytest.raises(ApiError):
        services.acknowledge_alert(out.id, actor=staff)


@pytest.mark.parametrize("kw", [{"source": "rule"}, {"source": ""}, {"key": ""}, {"level": 5}, {"level": 0}])
def test_raise_alert_rejects_bad_input(kw):
    args = {"source": "environment", "key": "k", "title": "t", "level": 2, **kw}
    with pytest.raises(ApiError) as exc:
        services.raise_alert(**args)
    assert exc.value.status == 422 and not Alert.objects.exists()


def test_open_alert_counts():
    raise_pollution(level=4)
    services.raise_alert(source="weather", key="gale", title="大风蓝色预警", level=1)
    assert services.open_alert_counts() == {1: 1, 2: 0, 3: 0, 4: 1}


@pytest.mark.django_db(transaction=True)
def test_a_module_raising_an_alert_queues_behind_ingest_for_sqlites_one_writer():
    """On SQLite, alerts the domains raise from their event threads take the process's writer lock (as ingest and
    the rule engine do) instead of sleeping in SQLite's busy handler while ingest writes."""
    import threading

    from django.db import connection

    from smartcounty.kernel import process

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL has no one-writer limit: write_transaction takes no lock there")
    inside, release, order = threading.Event(), threading.Event(), []

    def ingest_like():
        # the process's writer lock alone, no SQLite transaction: only a caller that queues on it can wait here
        with process._writer:
            inside.set()
            release.wait(5)
            order.append("ingest committed")

    def domain():
        inside.wait(5)
        raise_pollution()
        order.append("alert raised")
        connection.close()

    a, b = threading.Thread(target=ingest_like), threading.Thread(target=domain)
    a.start()
    b.start()
    b.join(2)  # ample for a raise that does not wait (~0.3 s here with its new connection)
    assert order == [] and b.is_alive()  # waiting for the writer, not failing
    release.set()
    a.join(5)
    b.join(5)
    assert order == ["ingest committed", "alert raised"]
    assert Alert.objects.filter(source="environment", state="raised").count() == 1
