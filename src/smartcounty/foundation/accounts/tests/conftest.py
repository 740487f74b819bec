import json

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher

from smartcounty.foundation.accounts import services
from smartcounty.foundation.accounts.models import Organisation, User
from smartcounty.foundation.accounts.roles import Role


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with small costs, so the tests do not spend minutes hashing (the format is the same)."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1


@pytest.fixture(autouse=True)
def _fast_hashing(request, settings):
    """Tests hash with cheap argon2 parameters, except those that ask for ``real_hashers``."""
    if "real_hashers" not in request.fixturenames:
        settings.PASSWORD_HASHERS = [f"{__name__}.FastArgon2PasswordHasher",
                                     "smartcounty.foundation.accounts.oidc.hashers.ClientSecretHasher"]


@pytest.fixture
def real_hashers():
    """The hashers configured in settings (argon2 with Django's production costs)."""


@pytest.fixture
def orgs(db):
    services.ensure_plan_organisations()
    return {o.code: o for o in Organisation.objects.all()}


@pytest.fixture
def make_user(db):
    def make(username, role=Role.RESIDENT, org=None, password=None, **extra):
        user = User(username=username, role=role, organisation=org,
                    kind=User.Kind.RESIDENT if role == Role.RESIDENT else User.Kind.STAFF,
                    is_staff=role == Role.PLATFORM_ADMIN, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        return user

    return make


@pytest.fixture
def people(orgs, make_user):
    """An org admin, staff and grid worker in two organisations, a resident, a platform admin."""
    a, b = orgs["gov-office"], orgs["law-enforcement"]
    return {
        "platform": make_user("platform", Role.PLATFORM_ADMIN),
        "admin_a": make_user("admin-a", Role.ORG_ADMIN, a),
        "staff_a": make_user("staff-a", Role.STAFF, a, phone="13800001111"),
        "grid_a": make_user("grid-a", Role.GRID_WORKER, a),
        "admin_b": make_user("admin-b", Role.ORG_ADMIN, b),
        "staff_b": make_user("staff-b", Role.STAFF, b, phone="13800002222"),
        "resident": make_user("resident-1", Role.RESIDENT, None, phone="13900003333"),
    }


def problem(response, status, code=None):
    """Assert ``response`` is a problem+json with ``status`` (and ``code``); return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == status
    if code:
        assert body["code"] == code
    return body
