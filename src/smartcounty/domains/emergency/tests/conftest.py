import pytest
from django.contrib.auth import get_user_model

from smartcounty.domains.emergency import demo, services
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.places import services as places

PASSWORD = "Guanxian-2026!"
#: 冠县 seat, near 清泉街道
LON, LAT = 115.445, 36.485


class World:
    pass


@pytest.fixture
def world(db):
    accounts.ensure_plan_organisations()
    places.ensure_divisions()
    demo._setup_case_types()
    orgs = accounts.organisation_ids_by_code()
    w = World()
    make = get_user_model().objects.create_user
    w.bureau, w.brigade = orgs["emergency"], orgs["fire-rescue"]
    w.staff = make(username="yjj-staff", password=PASSWORD, role="staff", organisation_id=w.bureau, kind="staff")
    w.fire = make(username="xf-staff", password=PASSWORD, role="staff", organisation_id=w.brigade, kind="staff")
    w.other = make(username="zjj-staff", password=PASSWORD, role="staff", organisation_id=orgs["housing"],
                   kind="staff")
    w.resident = make(username="jm", password=PASSWORD, role="resident", kind="resident")
    w.admin = make(username="root", password=PASSWORD, role="platform_admin", kind="staff", is_staff=True)
    w.orgs = orgs
    return w


def depot(code="D1", lon=LON, lat=LAT, **kw):
    return services.create_resource(kind="depot", code=code, name=f"储备库{code}", lon=lon, lat=lat, **kw)


def team(code="T1", lon=LON, lat=LAT, org=None, **kw):
    return services.create_resource(kind="team", code=code, name=f"救援队{code}", lon=lon, lat=lat, quantity=10,
                                    organisation_id=org, **kw)
