from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from smartcounty.domains.economy import services
from smartcounty.domains.economy.demo import make_uscc
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.places import services as places

TOWN = "371525001"


def user(username, role, org=None):
    return get_user_model().objects.create_user(username=username, password="Guanxian-2026!", role=role,
                                                organisation_id=org, kind="resident" if role == "resident" else "staff")


@pytest.fixture
def eco(db):
    accounts.ensure_plan_organisations()
    ids = accounts.organisation_ids_by_code()
    places.ensure_divisions()
    park = services.save_park(code="p1", name="冠县经济开发区", town_code=TOWN, organisation_id=ids["development-zone"])
    other_park = services.save_park(code="p2", name="板材产业园", town_code=TOWN)
    return SimpleNamespace(
        ids=ids, park=park, other_park=other_park,
        admin=user("gxj-admin", "org_admin", ids["industry-it"]), staff=user("gxj", "staff", ids["industry-it"]),
        zone=user("kfq", "staff", ids["development-zone"]), other=user("nyj", "staff", ids["agriculture"]),
        resident=user("r", "resident"), uscc=[make_uscc(n) for n in range(1, 11)])
