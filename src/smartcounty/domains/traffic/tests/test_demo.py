import pytest

from smartcounty.domains.traffic import demo
from smartcounty.domains.traffic.models import RoadSegment, SegmentStream, TpiSnapshot
from smartcounty.foundation.accounts import services as accounts
from smartcounty.kernel import registry

pytestmark = pytest.mark.django_db


def test_demo_network_maps_the_four_detectors_and_has_a_day_of_index():
    accounts.ensure_plan_organisations()
    registry.demo_loaders.get("sensing").load()
    demo.load()
    n = RoadSegment.objects.count()
    assert n == sum(len(p) - 1 for _r, _c, p in demo.ROADS)
    assert SegmentStream.objects.filter(source="detector").count() == 4
    assert SegmentStream.objects.values("segment").distinct().count() == n
    assert TpiSnapshot.objects.count() >= 280  # 24 h of 5-minute windows (the floating streams' backfill)
    demo.load()
    assert RoadSegment.objects.count() == n and SegmentStream.objects.filter(source="detector").count() == 4
