from datetime import date

import pytest
from django.contrib.auth import get_user_model

from smartcounty.domains.market import services
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.places import services as places
from smartcounty.kernel import codes

PASSWORD = "Guanxian-2026!"


def make_uscc(serial: int) -> str:
    org8 = f"MA{serial:06d}"
    first17 = "91371525" + org8 + codes.org_code_check_char(org8)
    return first17 + codes.uscc_check_char(first17)


class World:
    pass


@pytest.fixture
def world(db):
    accounts.ensure_plan_organisations()
    places.ensure_divisions()
    orgs = accounts.organisation_ids_by_code()
    w = World()
    make = get_user_model().objects.create_user
    w.bureau = orgs["market-regulation"]
    w.staff = make(username="sjj-staff", password=PASSWORD, role="staff", organisation_id=w.bureau, kind="staff")
    w.admin = make(username="sjj-admin", password=PASSWORD, role="org_admin", organisation_id=w.bureau, kind="staff")
    w.other = make(username="zjj-staff", password=PASSWORD, role="staff", organisation_id=orgs["housing"],
                   kind="staff")
    w.resident = make(username="jm", password=PASSWORD, role="resident", kind="resident")
    w.town = places.towns()[0].code
    return w


def elevator(code="31103715252015000001", first_use=date(2015, 3, 10), serial=1, **kw):
    return services.create_equipment(kind="elevator", registration_code=code, name="幸福家园1号楼电梯",
                                     unit_uscc=make_uscc(serial), unit_name="冠县幸福家园物业", first_use=first_use,
                                     **kw)
