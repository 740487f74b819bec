"""Demo data shared by the boundary tests: the plan's organisations, the demo accounts, places and the
sensor network (loaded once per test through the modules' own demo loaders)."""

import pytest
from django.core.cache import cache


@pytest.fixture
def demo(db):
    from smartcounty.kernel import registry

    cache.clear()
    loaders = sorted(registry.demo_loaders.values(), key=lambda d: d.order)
    wanted = {"accounts", "places", "sensing", "alerts"}
    for loader in loaders:
        if loader.key in wanted:
            loader.load()
    cache.clear()
    return True


@pytest.fixture
def as_user(client):
    from django.contrib.auth import get_user_model

    def login(username):
        client.logout()
        if username:
            client.force_login(get_user_model().objects.get(username=username))
        return client
    return login
