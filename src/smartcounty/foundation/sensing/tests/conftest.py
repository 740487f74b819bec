import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from smartcounty.foundation.accounts.services import issue_token
from smartcounty.foundation.sensing import services
from smartcounty.foundation.sensing.models import Datastream


@pytest.fixture
def org_model():
    return apps.get_model("accounts", "Organisation")


@pytest.fixture
def orgs(org_model):
    a = org_model.objects.create(code="eeb", name="市生态环境局冠县分局")
    b = org_model.objects.create(code="water", name="县水利局")
    return a, b


def _user(name, role, org=None, **kw):
    return get_user_model().objects.create_user(name, password=None, role=role,
                                                organisation=org, kind="staff", **kw)


@pytest.fixture
def people(orgs):
    a, b = orgs
    return {
        "staff_a": _user("staff_a", "staff", a),
        "admin_a": _user("admin_a", "org_admin", a),
        "staff_b": _user("staff_b", "staff", b),
        "admin_b": _user("admin_b", "org_admin", b),
        "resident": _user("resident", "resident"),
        "platform": _user("platform", "platform_admin", is_staff=True),
    }


@pytest.fixture
def bearer(people):
    def make(name, scopes=("sensing",)):
        _, secret = issue_token(people[name], "test", list(scopes))
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    return make


@pytest.fixture
def network(orgs):
    """Two air stations of organisation A and a water station of B, one datastream each (plus one more)."""
    a, b = orgs
    services.sync_observed_properties()
    s1 = services.create_thing("air-1", "清泉空气站", lon=115.44, lat=36.48, kind="air", organisation_id=a.id,
                               town_code="371525001", grid_code="37152500100001")
    s2 = services.create_thing("air-2", "贾镇空气站", lon=115.60, lat=36.40, kind="air", organisation_id=a.id,
                               town_code="371525101")
    w = services.create_thing("river-1", "卫运河水位站", lon=115.30, lat=36.55, kind="water", organisation_id=b.id,
                              town_code="371525106")
    made = {
        "pm25_1": services.create_datastream(s1, "pm25", expected_interval_s=60),
        "pm10_1": services.create_datastream(s1, "pm10", expected_interval_s=60),
        "pm25_2": services.create_datastream(s2, "pm25", expected_interval_s=60),
        "level": services.create_datastream(w, "water_level", expected_interval_s=300),
    }
    # sensing's own tests look at its rows (services hand other modules plain ``DatastreamRef``s)
    return {k: Datastream.objects.get(pk=ref.id) for k, ref in made.items()}
