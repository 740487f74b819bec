import pytest
from django.apps import apps
from django.contrib.auth import get_user_model


@pytest.fixture
def orgs(db):
    Organisation = apps.get_model("accounts", "Organisation")
    return (Organisation.objects.create(code="test-org-a", name="测试单位甲"),
            Organisation.objects.create(code="test-org-b", name="测试单位乙"))


@pytest.fixture
def make_user(db):
    def make(username, role="staff", organisation=None):
        kind = "resident" if role == "resident" else "staff"
        return get_user_model().objects.create_user(username=username, password="x-Secret-2026!", role=role,
                                                    kind=kind, organisation=organisation)

    return make


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Panels share computed data through the cache: every test starts without it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
