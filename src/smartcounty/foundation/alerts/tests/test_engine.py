"""The engine, fed as sensing feeds it: rules evaluated per observation batch, duration, hysteresis, levels,
automatic resolution, state that survives a restart, scopes, no-data from health events, bulk batches."""

import pytest

from smartcounty.foundation.alerts import engine
from smartcounty.foundation.alerts.models import Alert, AlertEvent, Rule, RuleState
from smartcounty.foundation.alerts.schemas import RuleIn
from smartcounty.foundation.alerts.services import create_rule
from smartcounty.foundation.alerts.tests.conftest import TOWN_A, TOWN_B, health, obs
from smartcounty.kernel import events
from smartcounty.kernel.problems import ApiError

pytestmark = pytest.mark.django_db


def rule(**kw):
    data = {"name": "rule", "kind": "threshold", "property": "pm25", "params": {"op": "above", "value": 100}, **kw}
    return create_rule(RuleIn(**data))


def open_alerts():
    return list(Alert.objects.filter(state__in=Alert.OPEN_STATES))


def test_engine_is_subscribed_to_sensing_events():
    for name in ("sensing.observations", "sensing.datastream_offline", "sensing.datastream_online"):
        assert "alerts" in events.subscribers(name)


def test_threshold_raises_and_resolves_with_history_and_events(send, feed_events):
    r = rule(level=3)
    send(obs(50, 0), obs(120, 1))
    [alert] = open_alerts()
    assert (alert.rule_id, alert.thing_id, alert.datastream_id, alert.level, alert.value, alert.town) == \
        (r.id, 1, 1, 3, 120, TOWN_A)
    assert alert.raised_at == obs(0, 1).time
    assert [n for n, _ in feed_events] == ["alerts.raised"]
    raised = feed_events[0][1]
    assert (raised.alert_id, raised.level, raised.state, raised.rule_id) == (alert.id, 3, "raised", r.id)
    send(obs(99, 2))
    alert.refresh_from_db()
    assert alert.state == "resolved" and alert.resolved_at == obs(0, 2).time and alert.resolved_by is None
    assert [e.kind for e in alert.history.all()] == ["raised", "resolved"]
    assert [n for n, _ in feed_events] == ["alerts.raised", "alerts.resolved"]


def test_one_open_alert_per_rule_and_thing(send):
    rule()
    send(obs(120, 0), obs(130, 1), obs(140, 2))
    send(obs(150, 3, ds=2, thing=1))  # a second datastream of the same thing
    assert len(open_alerts()) == 1
    send(obs(150, 3, ds=3, thing=2))
    assert len(open_alerts()) == 2
    # datastream 2 still holds: clearing datastream 1 does not resolve thing 1's alert
    send(obs(10, 4, ds=1, thing=1))
    assert Alert.objects.filter(thing_id=1, state="raised").count() == 1
    send(obs(10, 5, ds=2, thing=1))
    assert Alert.objects.filter(thing_id=1, state="raised").count() == 0


def test_duration_must_hold_in_phenomenon_time(send):
    rule(params={"op": "above", "value": 100, "duration": 600})
    send(obs(120, 0), obs(120, 5), obs(90, 9))  # broken before 10 minutes
    send(obs(120, 10), obs(130, 15))
    assert open_alerts() == []
    send(obs(125, 19.9))
    assert open_alerts() == []
    send(obs(125, 20))  # 10 minutes since 120 at minute 10
    [alert] = open_alerts()
    assert alert.raised_at == obs(0, 20).time


def test_hysteresis_hovering_value_does_not_flap(send, feed_events):
    rule(params={"op": "above", "value": 100, "hysteresis": 5})
    send(*[obs(v, i) for i, v in enumerate([101, 99, 100.5, 96, 100.2, 95.5, 101])])
    assert Alert.objects.count() == 1 and len(open_alerts()) == 1
    assert [n for n, _ in feed_events] == ["alerts.raised"]
    send(obs(94, 10))
    assert open_alerts() == []


def test_multi_level_upgrade_and_downgrade_are_recorded(send, feed_events):
    rule(kind="multi_level", params={"levels": [75, 115, 150, 250], "hysteresis": 5})
    send(obs(80, 0))
    send(obs(160, 1))
    send(obs(146, 2))  # within hysteresis of orange
    send(obs(120, 3))
    send(obs(60, 4))
    alert = Alert.objects.get()
    history = [(e.kind, e.from_level, e.to_level) for e in alert.history.all()]
    assert history == [("raised", None, 1), ("level", 1, 3), ("level", 3, 2), ("resolved", 2, 2)]
    assert [(n, f.level, f.previous_level) for n, f in feed_events] == [
        ("alerts.raised", 1, None), ("alerts.changed", 3, 1), ("alerts.changed", 2, 3), ("alerts.resolved", 2, 2)]


def test_batch_is_evaluated_in_phenomenon_time_order_and_late_data_is_ignored(send):
    rule()
    send(obs(50, 2), obs(120, 1), obs(130, 0))  # arrives newest first
    assert open_alerts() == []  # last in time is 50
    assert Alert.objects.get().history.count() == 2
    send(obs(500, 1.5))  # older than what the rule has seen
    assert open_alerts() == []


def test_state_survives_a_restart(send):
    rule(params={"op": "above", "value": 100, "duration": 600})
    send(obs(120, 0), obs(120, 5))
    st = RuleState.objects.get()
    assert st.state["pending_since"] == obs(0, 0).time.timestamp()
    engine.invalidate()  # a new process: nothing cached
    send(obs(120, 10))
    assert len(open_alerts()) == 1
    engine.invalidate()
    send(obs(120, 11))
    assert Alert.objects.count() == 1 and RuleState.objects.get().level == 2


@pytest.mark.parametrize("scope,extra,hits", [
    ("county", {}, {1, 2, 3, 4}),
    ("town", {"area_code": TOWN_B}, {2}),
    ("grid", {"area_code": "37152500100101"}, {3}),
    ("thing", {"thing_id": 4}, {4}),
    ("datastream", {"datastream_id": 1}, {1}),
])
def test_scopes(send, scope, extra, hits):
    rule(scope=scope, **extra)
    send(obs(120, 0, ds=1, thing=1), obs(120, 0, ds=2, thing=2, town=TOWN_B),
         obs(120, 0, ds=3, thing=3, grid="37152500100101"), obs(120, 0, ds=4, thing=4),
         obs(120, 0, ds=5, thing=5, prop="pm10"))
    assert {a.thing_id for a in open_alerts()} == hits


def test_disabled_rules_and_other_properties_are_not_evaluated(send):
    rule(enabled=False)
    rule(property="pm10")
    send(obs(500, 0))
    assert open_alerts() == [] and RuleState.objects.count() == 0


def test_rule_change_takes_effect(send):
    from smartcounty.foundation.alerts.schemas import RulePatch
    from smartcounty.foundation.alerts.services import update_rule

    r = rule()
    send(obs(90, 0))
    assert open_alerts() == []
    with pytest.raises(ApiError):
        update_rule(r, RulePatch(params={"op": "above"}))
    from django.db import transaction

    with transaction.atomic():
        update_rule(r, RulePatch(params={"op": "above", "value": 80}))
    engine.invalidate()
    send(obs(90, 1))
    assert len(open_alerts()) == 1


def test_no_data_from_health_events(send):
    rule(kind="no_data", property="smoke", params={}, level=1)
    send(health(False, last=obs(0, 0).time), event="sensing.datastream_offline")
    [alert] = open_alerts()
    assert alert.level == 1 and alert.property == "smoke" and alert.raised_at == obs(0, 0).time
    send(health(False), event="sensing.datastream_offline")  # repeated: still one
    assert Alert.objects.count() == 1
    send(health(True), event="sensing.datastream_online")
    assert open_alerts() == []


def test_rate_of_change_rule(send):
    rule(kind="rate", property="water_level", level=3,
         params={"limit": 0.3, "per": "hour", "window": 3600, "direction": "rise"})
    send(*[obs(30 + 0.002 * i, i, prop="water_level") for i in range(30)])
    assert open_alerts() == []
    send(*[obs(30.06 + 0.02 * i, 30 + i, prop="water_level") for i in range(1, 40)])
    [alert] = open_alerts()
    assert alert.level == 3


def test_staff_resolved_alert_is_not_reraised_while_the_condition_holds(send, users):
    from smartcounty.foundation.alerts.services import resolve_alert

    rule()
    send(obs(120, 0))
    resolve_alert(open_alerts()[0].id, actor=users["staff_a"], note="handled")
    send(obs(130, 1))
    assert open_alerts() == []
    send(obs(50, 2), obs(140, 3))  # cleared, then a new episode
    assert len(open_alerts()) == 1 and Alert.objects.count() == 2


def test_a_batch_of_thousands_uses_a_bounded_number_of_queries(django_assert_max_num_queries,
                                                                django_capture_on_commit_callbacks):
    """The engine's own work (the alert events' subscribers, other modules included, run after commit).
    Bulk statements only: SQLite's 999-parameter limit splits them into batches of ~50 rows, so 3,000
    observations with 2,000 new alerts stay under 150 statements (per-row writes would be 10,000+)."""
    rule()
    rule(kind="multi_level", params={"levels": [75, 115, 150, 250]})
    batch = [obs(200 if i % 3 == 0 else 20, 0, ds=i, thing=i) for i in range(1, 3001)]
    engine._compiled()  # the rule cache, as after the first batch
    with django_capture_on_commit_callbacks() as published, django_assert_max_num_queries(150):
        engine.on_observations("sensing.observations", batch)
    assert len(published) == 2000
    assert Alert.objects.filter(state="raised").count() == 2000
    assert AlertEvent.objects.count() == 2000
    assert RuleState.objects.count() == 6000
    with django_capture_on_commit_callbacks() as published, django_assert_max_num_queries(150):
        engine.on_observations("sensing.observations", [obs(20, 1, ds=i, thing=i) for i in range(1, 3001)])
    assert len(published) == 2000
    assert Alert.objects.filter(state="raised").count() == 0


def test_deleting_a_rule_resolves_its_alerts(send):
    from smartcounty.foundation.alerts.services import delete_rule

    r = rule()
    send(obs(120, 0))
    delete_rule(r)
    assert open_alerts() == [] and not Rule.objects.exists()
    assert Alert.objects.get().history.last().note == "rule deleted"


def test_rules_deleted_outside_the_service_leave_no_conflicts(send):
    """The admin deletes querysets without the service: the alerts stay, unlinked, without clashing."""
    r = rule()
    send(obs(120, 0, ds=1, thing=1), obs(120, 0, ds=2, thing=2))
    Rule.objects.filter(pk=r.id).delete()
    assert Alert.objects.filter(rule__isnull=True, state="raised").count() == 2


def test_disabling_a_rule_resolves_its_alerts_and_enabling_starts_afresh(send):
    from smartcounty.foundation.alerts.schemas import RulePatch
    from smartcounty.foundation.alerts.services import update_rule

    r = rule()
    send(obs(120, 0))
    update_rule(r, RulePatch(enabled=False))
    assert open_alerts() == [] and RuleState.objects.count() == 0
    assert Alert.objects.get().history.last().note == "rule disabled"
    engine.invalidate()
    send(obs(130, 1))
    assert open_alerts() == []
    update_rule(r, RulePatch(enabled=True))
    engine.invalidate()
    send(obs(140, 2))
    assert len(open_alerts()) == 1


def test_a_steady_batch_writes_nothing(django_assert_num_queries, django_capture_on_commit_callbacks):
    """Once the states are saved, a batch that changes no level (most batches) opens no transaction at all: on
    SQLite the one writer is left to ingest."""
    rule()
    engine.on_observations("sensing.observations", [obs(20, 0, ds=i, thing=i) for i in range(1, 50)])
    assert RuleState.objects.count() == 49
    engine._compiled()  # the rule cache, fresh
    with django_assert_num_queries(0):
        engine.on_observations("sensing.observations", [obs(30, 1, ds=i, thing=i) for i in range(1, 50)])
    with django_capture_on_commit_callbacks(execute=True):
        engine.on_observations("sensing.observations", [obs(130, 2, ds=1, thing=1)])
    assert len(open_alerts()) == 1
