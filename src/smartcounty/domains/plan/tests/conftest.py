from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from smartcounty.domains.plan import services
from smartcounty.foundation.accounts import services as accounts


def make_user(username, role, org=None):
    return get_user_model().objects.create_user(username=username, password="Guanxian-2026!", role=role,
                                                organisation_id=org, kind="resident" if role == "resident" else "staff")


@pytest.fixture
def plan(db):
    services.ensure_actions()
    ids = accounts.organisation_ids_by_code()
    return SimpleNamespace(
        ids=ids,
        office=make_user("office", "staff", ids["gov-office"]),
        housing=make_user("housing", "staff", ids["housing"]),
        housing_admin=make_user("housing-admin", "org_admin", ids["housing"]),
        worker=make_user("worker", "grid_worker", ids["politics-law"]),
        resident=make_user("resident1", "resident"),
        admin=make_user("root", "platform_admin"),
    )
