"""One account, one set of numbers (issue 23, issue 21 #2): for each demo role, what the cockpit counts, what
the module's page lists and what its API answers come from the module's one scoping rule and agree."""

import pytest

ROLES = ("admin", "gov-admin", "gov-staff", "zfj-admin", "zfj-staff", "zfw-admin", "grid-worker", "resident")


def _cockpit_sensors(user) -> tuple[int, int] | None:
    """(online, total) datastreams on the cockpit's "sensors online" figure; None when the viewer has no such
    panel."""
    from smartcounty.foundation.cockpit import services as cockpit

    panels = {p.key: p for p in cockpit.panels(user=user)}
    if "cockpit.sensors_online" not in panels:
        return None
    data = cockpit.call(panels["cockpit.sensors_online"], cockpit.context_for(user))["data"]
    if data["value"] is None:
        return 0, 0
    return data["value"], int(data["unit"].lstrip("/ "))


@pytest.mark.parametrize("username", ROLES)
def test_sensing_counts_agree_on_cockpit_page_and_api(demo, as_user, username):
    from django.contrib.auth import get_user_model

    from smartcounty.foundation.sensing import services as sensing

    user = get_user_model().objects.get(username=username)
    client = as_user(username)
    who = sensing.reader(user)
    page = client.get("/sensing/")
    things = client.get("/api/v1/sensing/things?limit=1")
    streams = client.get("/api/v1/sensing/datastreams?limit=1")
    online = client.get("/api/v1/sensing/datastreams?limit=1&online=true")
    cockpit = _cockpit_sensors(user)
    if who is None:  # no sensing for this role: refused everywhere, and no sensor figure on the cockpit
        assert page.status_code == 403 and things.status_code == 403 and streams.status_code == 403
        assert cockpit is None or cockpit == (0, 0)
        return
    counts = sensing.device_counts(who)
    assert page.status_code == 200
    assert page.context["page"].paginator.count == things.json()["count"] == counts.things
    assert streams.json()["count"] == counts.datastreams
    assert online.json()["count"] == counts.datastreams_online
    if cockpit is not None:
        assert cockpit == (counts.datastreams_online, counts.datastreams)


def test_the_demo_scopes_differ_between_roles(demo):
    """The agreement above is not trivial: the platform admin sees every organisation's sensors, a department
    only its own and the county-wide ones."""
    from django.contrib.auth import get_user_model

    from smartcounty.foundation.sensing import services as sensing

    users = get_user_model().objects
    everyone = sensing.device_counts(sensing.reader(users.get(username="admin")))
    office = sensing.device_counts(sensing.reader(users.get(username="gov-staff")))
    assert everyone.things > office.things and everyone.datastreams > office.datastreams


@pytest.fixture
def raised(demo, django_capture_on_commit_callbacks):
    """Open alerts of three owners: the environment bureau, the county office and the county (no owner); the
    cockpit's live items are fed from alerts' events as in production."""
    from smartcounty.foundation.accounts import services as accounts
    from smartcounty.foundation.alerts import services as alerts

    ids = accounts.organisation_ids_by_code()
    owners = [ids.get("ecology-environment"), ids.get("ecology-environment"), ids.get("gov-office"), None]
    with django_capture_on_commit_callbacks(execute=True):
        for n, org in enumerate(owners):
            alerts.raise_alert(source="test", key=f"k{n}", title=f"测试告警{n}", level=1 + n % 4, organisation_id=org,
                               town="371525001")
    return owners


def _cockpit_figure(user, key):
    from smartcounty.foundation.cockpit import services as cockpit

    panels = {p.key: p for p in cockpit.panels(user=user)}
    if key not in panels:
        return None
    return cockpit.call(panels[key], cockpit.context_for(user))["data"]


@pytest.mark.parametrize("username", ROLES)
def test_alert_counts_agree_on_cockpit_page_and_api(raised, as_user, username):
    from django.contrib.auth import get_user_model

    from smartcounty.foundation.alerts import services as alerts

    user = get_user_model().objects.get(username=username)
    client = as_user(username)
    who = alerts.reader(user)
    page = client.get("/alerts/")
    api = client.get("/api/v1/alerts/alerts?state=open&limit=100")
    figure = _cockpit_figure(user, "cockpit.active_alerts")
    feed = _cockpit_figure(user, "cockpit.alert_feed")
    if who is None:
        assert api.status_code == 403 and page.status_code in (302, 403)
        assert figure is None or figure["value"] == 0
        return
    expected = sum(alerts.open_alert_counts(who).values())
    assert page.status_code == 200
    assert page.context["page"].paginator.count == api.json()["count"] == expected
    assert sum(page.context["counts"].values()) == expected
    if figure is not None:
        assert figure["value"] == expected
    if feed is not None:
        assert len(feed["items"]) == expected


def test_alert_scopes_differ_between_roles(raised):
    from django.contrib.auth import get_user_model

    from smartcounty.foundation.alerts import services as alerts

    users = get_user_model().objects
    everyone = sum(alerts.open_alert_counts(alerts.reader(users.get(username="admin"))).values())
    office = sum(alerts.open_alert_counts(alerts.reader(users.get(username="gov-staff"))).values())
    assert (everyone, office) == (4, 2)  # the office: its own alert and the county-wide one
