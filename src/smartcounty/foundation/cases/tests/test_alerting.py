"""Alerts open cases through the alerts.* events (payload fields as in alerts/schemas.py AlertFact)."""

from datetime import UTC, datetime

import pytest

from smartcounty.foundation.cases import services
from smartcounty.foundation.cases.models import Case
from smartcounty.kernel import events
from smartcounty.kernel.problems import ApiError

pytestmark = pytest.mark.django_db


def fact(alert_id=7, level=4, prop="smoke", event="raised", source="rule"):
    return {"event_id": 100 + alert_id, "alert_id": alert_id, "event": event, "state": event, "level": level,
            "previous_level": None, "rule_id": 3, "source": source, "key": "", "title": "烟感报警：某小区3号楼",
            "property": prop, "thing_id": 12, "datastream_id": 40, "town": "371525001", "grid": "37152500100101",
            "organisation_id": None, "value": 1.0, "at": datetime(2026, 11, 30, 1, 0, tzinfo=UTC), "actor_id": None}


def test_a_smoke_alarm_opens_one_case(world):
    services.set_alert_trigger(case_type="cases.test", property="smoke", min_level=3, category="road")
    events.deliver("alerts.raised", fact(level=2))  # below the trigger's level
    assert Case.objects.count() == 0
    events.deliver("alerts.raised", fact())
    events.deliver("alerts.raised", fact())  # delivered twice: still one case
    events.deliver("alerts.raised", fact(alert_id=8, prop="pm25"))  # another property
    [case] = Case.objects.all()
    assert (case.source, case.external_ref, case.grid_code, case.town_code) == (
        "alert", "alerts:7", "37152500100101", "371525001")
    assert case.title == "烟感报警：某小区3号楼" and case.data["level"] == 4
    assert case.organisation_id == world.dept.pk and case.queue_organisation_id == world.centre.pk
    events.deliver("alerts.resolved", fact(event="resolved"))
    assert services.history(case).last().note == "告警已解除"


def test_trigger_validation(world):
    with pytest.raises(ApiError):
        services.set_alert_trigger(case_type="no.such", property="smoke")
    with pytest.raises(ApiError):
        services.set_alert_trigger(case_type="cases.test", property="smoke", min_level=9)
