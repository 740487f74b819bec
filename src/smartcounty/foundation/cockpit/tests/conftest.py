import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from smartcounty.foundation.cockpit import services

registered = services.temporary_panels


@pytest.fixture
def orgs(db):
    Organisation = apps.get_model("accounts", "Organisation")
    a = Organisation.objects.create(code="test-org-a", name="测试单位甲")
    b = Organisation.objects.create(code="test-org-b", name="测试单位乙")
    return a, b


@pytest.fixture
def make_user(db):
    User = get_user_model()

    def make(username, role="staff", organisation=None):
        kind = "resident" if role == "resident" else "staff"
        return User.objects.create_user(username=username, password="x-Secret-2026!", role=role, kind=kind,
                                        organisation=organisation)

    return make


@pytest.fixture
def staff_a(orgs, make_user):
    return make_user("staff_a", "staff", orgs[0])


@pytest.fixture
def staff_b(orgs, make_user):
    return make_user("staff_b", "staff", orgs[1])


@pytest.fixture
def resident(make_user):
    return make_user("resident1", "resident", None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Panels share computed data through the cache: every test starts without it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
