"""The demo: synthetic layers through the real import, the rules, three checks; loading again changes nothing."""

from smartcounty.domains.planning import demo, services
from smartcounty.domains.planning.models import Check, Rule
from smartcounty.foundation.places import services as places


def test_demo_loads_once(db, authority, make_user):
    from smartcounty.kernel import registry

    registry.demo_loaders.get("places").load()  # the towns the development boundary is drawn around
    make_user("natural-resources-staff", "staff", authority)
    first = demo.load()
    assert first == {"layers": 4, "rules": len(demo.RULES), "checks": len(demo.DEMO_CHECKS)}
    assert demo.load() == {"layers": 0, "rules": 0, "checks": 0}
    for key, _name, _colour, _d in demo.LAYERS:
        layer = places.layer(key)
        assert layer.is_demo and "演示" in layer.name and layer.version == 1 and layer.feature_count >= 1
        assert layer.organisation_id == authority.pk
    assert places.layer("planning-farmland").feature_count > 300
    assert Rule.objects.count() == 5 and Check.objects.count() == 3
    verdicts = {c.name: c.verdict for c in Check.objects.all()}
    # the seat's logistics parcel lies inside the development boundary; the riverside one meets the red line
    assert verdicts["冠县示意物流仓储项目地块（演示）"] in ("note", "warn")
    assert verdicts["示意沿河文旅项目地块（演示）"] == "block"
    staff_scope = services.Scope(True, authority.pk)
    assert len(services.checks(staff_scope)) == 3
