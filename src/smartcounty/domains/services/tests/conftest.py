from datetime import datetime

import pytest
from django.contrib.auth import get_user_model

from smartcounty.domains.services import demo
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.cases.services import BEIJING

PASSWORD = "Guanxian-2026!"


def bj(*args) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


class World:
    pass


@pytest.fixture
def world(db):
    accounts.ensure_plan_organisations()
    demo.load_catalogue()
    orgs = accounts.organisation_ids_by_code()
    make = get_user_model().objects.create_user
    w = World()
    w.orgs = orgs
    w.resident = make(username="jm", password=PASSWORD, role="resident", kind="resident", phone="13900001234",
                      display_name="王小明")
    w.other_resident = make(username="jm2", password=PASSWORD, role="resident", kind="resident")
    w.clerk = make(username="spj-staff", password=PASSWORD, role="staff", organisation_id=orgs["approval"],
                   kind="staff")
    w.police = make(username="gaj-staff", password=PASSWORD, role="staff", organisation_id=orgs["public-security"],
                    kind="staff")
    w.market = make(username="scj-staff", password=PASSWORD, role="staff",
                    organisation_id=orgs["market-regulation"], kind="staff")
    w.law = make(username="zfj-staff", password=PASSWORD, role="staff", organisation_id=orgs["law-enforcement"],
                 kind="staff")
    w.health = make(username="wjj-staff", password=PASSWORD, role="staff", organisation_id=orgs["health"],
                    kind="staff")
    return w


def item_code(name: str) -> str:
    from smartcounty.domains.services.models import ServiceItem

    return ServiceItem.objects.get(name=name).code


def material_ids(name: str) -> dict[str, int]:
    from smartcounty.domains.services.models import Material

    return dict(Material.objects.filter(item__name=name).values_list("name", "id"))
