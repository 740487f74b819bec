import pytest
from django.contrib.auth import get_user_model

from smartcounty.domains.governance import demo, services
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.places import services as places

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent():
    places.ensure_divisions()
    places.import_geojson({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "code": "37152500100101", "name": "一号网格"}, "geometry": {"type": "Polygon", "coordinates": [
            [[115.4, 36.4], [115.5, 36.4], [115.5, 36.5], [115.4, 36.5], [115.4, 36.4]]]}}]}, "grid")
    User = get_user_model()
    User.objects.create_superuser("admin", password="Guanxian-2026!")
    User.objects.create_user("grid-worker", password="Guanxian-2026!", role="grid_worker")
    demo.load()
    demo.load()
    assert cases.cases_of_type(services.CASE_TYPE_KEY).count() == len(demo.DEMO_EVENTS)
    assert sorted(c.state for c in cases.cases_of_type(services.CASE_TYPE_KEY)) == ["accepted", "finished", "handling"]
