"""Guan County grid-governance demo: the governance centre, routing, the demo grid worker and a few events."""

from django.contrib.auth import get_user_model
from django.db import transaction

from smartcounty.domains.governance import services
from smartcounty.domains.governance.catalogue import CATEGORIES
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.places import services as places

CENTRE, SUPERVISOR = "politics-law", "gov-office"
ROUTES = {"G01": "justice", "G02": "emergency", "G03": "civil-affairs", "G04": "public-security",
          "G05": "civil-affairs", "G06": "politics-law"}
DEMO_EVENTS = (("G01", "邻里宅基地纠纷", ("accept", "divert")),
               ("G02", "沿街商铺电线私拉乱接", ("accept",)),
               ("G03", "独居老人申请助餐服务", ("accept", "divert", "finish")))


def load(stdout=None):
    accounts.ensure_plan_organisations()
    ids = accounts.organisation_ids_by_code()
    with transaction.atomic():
        services.configure(centre_organisation_id=ids[CENTRE], supervisor_organisation_id=ids[SUPERVISOR])
        for code in CATEGORIES:
            services.route_category(code, ids[ROUTES[code]])
        # a red smoke alarm opens a 安全隐患 event for the governance centre
        cases.set_alert_trigger(case_type=services.CASE_TYPE_KEY, property="smoke", min_level=4, category="G02")
        worker = get_user_model().objects.filter(role="grid_worker", is_active=True).order_by("id").first()
        grid = next(iter(places.grids()), None)
        if worker is None or grid is None:
            if stdout:
                stdout.write("  governance: no grid worker or no grid yet; routing only")
            return
        services.assign_worker(worker, grid.code)
        if cases.has_cases(services.CASE_TYPE_KEY, source="grid_worker"):
            return
        staff = get_user_model().objects.filter(is_superuser=True, is_active=True).first()
        for cat, title, steps in DEMO_EVENTS:
            case = services.report_event(worker, category=cat, title=title, description=f"{title}（示例数据）",
                                         grid_code=grid.code)
            for key in steps if staff is not None else ():
                cases.transition(case.pk, key, actor=staff, data={"result": "已办结（示例）"}, note="示例")
    if stdout:
        stdout.write(f"  governance: grid worker {worker.username} in grid {grid.code}, {len(DEMO_EVENTS)} events")
