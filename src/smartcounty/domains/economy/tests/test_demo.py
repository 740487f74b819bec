from smartcounty.domains.economy import demo, services
from smartcounty.domains.economy.models import Enterprise
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.places import services as places
from smartcounty.kernel import codes


def test_demo_is_idempotent_with_valid_codes(db):
    accounts.ensure_plan_organisations()
    places.ensure_divisions()
    demo.load()
    demo.load()
    assert Enterprise.objects.count() == 24
    assert all(codes.is_valid_uscc(u) for u in Enterprise.objects.values_list("uscc", flat=True))
    first = Enterprise.objects.filter(source="demo").exclude(park=None).order_by("id").first()
    assert alerts.find_open_alert("economy", f"energy:GX-E-{first.uscc[-6:]}") is not None
    assert services.enterprise_by_uscc(first.uscc).name == first.name
