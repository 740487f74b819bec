"""The demo loads on a fresh database, twice without change, with an open incident the command view can show."""

import pytest

from smartcounty.domains.emergency import demo, services
from smartcounty.domains.emergency.models import Building, Incident, Resource, Shelter, StockMove
from smartcounty.kernel import registry

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_complete(world, django_capture_on_commit_callbacks):
    for loader in sorted(registry.demo_loaders.values(), key=lambda d: d.order):
        if loader.key in ("accounts", "places", "sensing"):  # what this demo stands on, through the registry
            loader.load()
    with django_capture_on_commit_callbacks(execute=True):
        demo.load()
    counts = (Resource.objects.count(), Shelter.objects.count(), StockMove.objects.count(), Incident.objects.count())
    demo.load()
    assert counts == (Resource.objects.count(), Shelter.objects.count(), StockMove.objects.count(),
                      Incident.objects.count())
    assert Shelter.objects.count() >= 18 and Building.objects.count() == 5
    i = Incident.objects.get()
    view = services.command_view(i.id)
    assert len(view["tasks"]) == 2 and view["warnings"][0]["cancelled_at"] is None
    assert view["shelters"] and all(r["nearest"] for r in view["resources"])
