"""Fixtures of the alerts tests: organisations and users of each role, observation facts, a clean engine."""

from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from smartcounty.foundation.alerts import engine
from smartcounty.foundation.sensing.schemas import DatastreamHealth, ObservationFact
from smartcounty.kernel import events

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
TOWN_A = "371525001"
TOWN_B = "371525002"


@pytest.fixture(autouse=True)
def clean_engine():
    engine.invalidate()
    yield
    engine.invalidate()


@pytest.fixture
def orgs(db):
    Organisation = apps.get_model("accounts", "Organisation")
    a = Organisation.objects.create(code="test-env", name="测试生态环境局")
    b = Organisation.objects.create(code="test-water", name="测试水利局")
    return a, b


@pytest.fixture
def users(orgs):
    User = get_user_model()
    a, b = orgs

    def make(name, role, org):
        return User.objects.create_user(name, password="Test-password-1", role=role, organisation=org,
                                        kind="resident" if role == "resident" else "staff",
                                        is_staff=role == "platform_admin")

    return {
        "platform": make("platform", "platform_admin", None),
        "admin_a": make("admin_a", "org_admin", a),
        "staff_a": make("staff_a", "staff", a),
        "grid_a": make("grid_a", "grid_worker", a),
        "admin_b": make("admin_b", "org_admin", b),
        "staff_b": make("staff_b", "staff", b),
        "resident": make("resident", "resident", None),
    }


def obs(value, minutes=0.0, *, ds=1, thing=1, prop="pm25", town=TOWN_A, grid=None, seconds=0.0):
    return ObservationFact(ds, thing, prop, town, grid, T0 + timedelta(minutes=minutes, seconds=seconds), value)


def health(online, *, ds=1, thing=1, prop="smoke", town=TOWN_A, grid=None, last=None):
    return DatastreamHealth(ds, thing, prop, town, grid, last or T0, online)


@pytest.fixture
def feed_events():
    """Deliver observation batches the way sensing does, run the after-commit callbacks, and collect the alert
    events published."""
    seen = []

    def record(name, payload):
        seen.append((name, payload))

    for name in ("alerts.raised", "alerts.changed", "alerts.resolved"):
        events.subscribe(name, record, module="alerts-test")
    yield seen
    for name in ("alerts.raised", "alerts.changed", "alerts.resolved"):
        events.unsubscribe(name, record)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def _send(*facts, event="sensing.observations"):
        # The engine's handlers are called directly so that an error fails the test (the bus only logs it);
        # test_subscriptions checks they are what the bus calls.
        with django_capture_on_commit_callbacks(execute=True):
            if event == "sensing.observations":
                engine.on_observations(event, list(facts))
            else:
                for f in facts:
                    engine.on_health(event, f)
    return _send
