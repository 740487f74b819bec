from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from smartcounty.domains.citymgmt import services
from smartcounty.domains.citymgmt.catalogue import CATEGORIES
from smartcounty.foundation.accounts import services as accounts

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def user(username, role, org_id=None):
    return get_user_model().objects.create_user(username=username, password="Guanxian-2026!", role=role,
                                                organisation_id=org_id,
                                                kind="resident" if role == "resident" else "staff")


@pytest.fixture
def city(db):
    accounts.ensure_plan_organisations()
    ids = accounts.organisation_ids_by_code()
    services.configure(centre_organisation_id=ids["law-enforcement"], supervisor_organisation_id=ids["gov-office"])
    for code in CATEGORIES:
        services.route_category(code, ids["housing"] if code.startswith("C") else ids["law-enforcement"])
    return SimpleNamespace(
        ids=ids,
        centre=user("centre", "staff", ids["law-enforcement"]),
        inspector=user("inspector", "grid_worker", ids["law-enforcement"]),
        housing=user("housing", "staff", ids["housing"]),
        transport=user("transport", "staff", ids["transport"]),
        outsider_inspector=user("outsider", "grid_worker", ids["politics-law"]),
        resident=user("resident", "resident"),
        other_resident=user("resident2", "resident"),
        admin=user("admin", "platform_admin"),
    )
