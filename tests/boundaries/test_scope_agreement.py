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
