import pytest

from smartcounty.domains.tourism import demo
from smartcounty.domains.tourism.models import Attraction, DailyVisits
from smartcounty.foundation.accounts import services as accounts

pytestmark = pytest.mark.django_db


def test_demo_attractions_with_two_weeks_of_visits():
    accounts.ensure_plan_organisations()
    demo.load()
    assert Attraction.objects.count() == len(demo.ATTRACTIONS)
    pear = Attraction.objects.get(code="T-PEAR")
    assert (pear.max_instant, pear.max_daily, pear.a_level) == (3600, 10800, 4)
    assert DailyVisits.objects.filter(attraction=pear).count() >= 14
    demo.load()
    assert Attraction.objects.count() == len(demo.ATTRACTIONS)
