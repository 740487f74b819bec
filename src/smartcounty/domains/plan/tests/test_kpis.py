"""Each KPI computed on known data, stored per refresh (the trend), with a failure stored and the others kept."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from smartcounty.domains.plan import kpis, services
from smartcounty.domains.plan.models import KpiValue
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.cases.schemas import CaseType, Limit, State, Transition, Who
from smartcounty.kernel import registry

CASE_TYPE = CaseType(
    key="plan.kpitest", title="test", initial="new", prefix="KT", filed_by=("staff",),
    states=(State("new", "new", lane="owner", limit=Limit(1, "hours")), State("closed", "closed", lane="none",
                                                                              final=True)),
    transitions=(Transition("close", "close", ("new",), "closed", (Who(("staff",), "owner"),), closes=True),),
)
if CASE_TYPE.key not in registry.case_types:
    registry.case_types.register(CASE_TYPE.key, CASE_TYPE, module="plan")


@pytest.mark.django_db
def test_case_on_time_share(plan):
    cases.configure_case_type(CASE_TYPE.key, owner_organisation_id=plan.ids["gov-office"])
    now = timezone.now()
    for late in (False, False, False, True):
        c = cases.create_case(CASE_TYPE.key, title="t", organisation_id=plan.ids["gov-office"], actor=plan.office,
                              now=now - timedelta(days=5))
        # one working hour is the limit: closing 20 working days later is late
        cases.transition(c.pk, "close", actor=plan.office, now=now if late else now - timedelta(days=5, seconds=-60))
    r = kpis.case_on_time()
    assert (r["numerator"], r["denominator"], r["value"]) == (3, 4, 75.0)


def test_good_day_share_counts_aqi_up_to_100():
    daily = [{"start": i, "aqi": a} for i, a in enumerate((50, 100, 101, 180, None, 99))]
    r = kpis.good_day_share(daily)
    assert (r["numerator"], r["denominator"], r["value"]) == (3, 5, 60.0)
    assert kpis.good_day_share([])["value"] is None


@pytest.mark.django_db
def test_open_data_kpis_on_an_empty_catalog(plan):
    r = kpis.open_domains()
    assert (r["value"], r["denominator"]) == (0, 22)
    assert kpis.open_datasets()["value"] == 0
    assert kpis.sharing_on_time()["value"] is None


@pytest.mark.django_db
def test_tasks_on_time_and_project_spending(plan):
    office, housing = services.reader(plan.office), services.reader(plan.housing)
    day = date(2026, 12, 4)
    ids = []
    for deadline in (date(2026, 6, 30), date(2026, 9, 30), date(2026, 11, 30), date(2026, 12, 31)):
        ids.append(services.create_task(office, action=13, year=2026, title="t", deadline=deadline,
                                        owner_organisation_id=plan.ids["housing"]).id)
    services.report_completion(housing, ids[0], text="按期", completed_on=date(2026, 6, 20))
    services.report_completion(housing, ids[1], text="逾期", completed_on=date(2026, 10, 8))
    services.report_completion(housing, ids[3], text="提前", completed_on=date(2026, 12, 1))
    # due by the day or reported: all four; on time: the first and the last
    assert services.tasks_on_time(day) == {"value": 50.0, "numerator": 2, "denominator": 4}
    p = services.create_project(office, code="P1", name="p", owner_organisation_id=plan.ids["housing"], actions=[13],
                                budget=Decimal("200"), approved_on=date(2025, 1, 1))
    services.create_project(office, code="P2", name="q", owner_organisation_id=plan.ids["housing"], actions=[13],
                            budget=Decimal("999"), approved_on=date(2025, 1, 1))  # only 立项: not counted
    assert services.project_spending()["value"] is None
    services.advance_project(office, p.id, stage="building", on=date(2025, 2, 1))
    services.add_spending(office, p.id, on=date(2025, 3, 1), amount=Decimal("50"))
    assert services.project_spending() == {"value": 25.0, "numerator": 50.0, "denominator": 200.0}


@pytest.mark.django_db
def test_refresh_stores_values_and_a_trend_and_survives_a_failure(plan):
    def broken():
        raise RuntimeError("no data source")

    registry.kpis.register("plan.test_broken", registry.Kpi("plan.test_broken", "坏指标", "%", broken), module="plan")
    try:
        t0 = timezone.now() - timedelta(days=2)
        n = services.refresh_kpis(now=t0)
        assert n == len(list(registry.kpis)) >= 8
        services.refresh_kpis(now=t0 + timedelta(days=1))
        assert KpiValue.objects.filter(key="plan.tasks_on_time").count() == 2
        out = {k.key: k for k in services.kpis(services.reader(plan.office))}
        assert out["plan.test_broken"].error.startswith("RuntimeError") and out["plan.test_broken"].value is None
        assert len(out["catalog.open_domains"].trend) == 2
        assert out["catalog.open_domains"].value == 0 and out["catalog.open_domains"].met is False
        assert out["catalog.open_domains"].target == 22
        assert [k.key for k in services.kpis(services.reader(plan.office), action=10)] == ["environment.aqi_good_days"]
    finally:
        registry.kpis._items.pop("plan.test_broken")
        registry.kpis._owners.pop("plan.test_broken")
