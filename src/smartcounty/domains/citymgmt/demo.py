"""Guan County city-management demo: the command centre and routing, components in the demo grids,
and a handful of cases at different stages. Idempotent."""

from django.conf import settings
from django.db import transaction

from smartcounty.domains.citymgmt import services
from smartcounty.domains.citymgmt.models import Component
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.places import services as places

CENTRE, SUPERVISOR = "law-enforcement", "gov-office"
#: category prefix -> responsible department code (the rest goes to the law-enforcement bureau)
ROUTES = {"C01": "housing", "C0106": "fire-rescue", "C0201": "housing", "C0202": "public-security",
          "C0203": "transport", "C0204": "transport", "C0205": "transport", "C03": "law-enforcement",
          "C04": "housing", "C05": "natural-resources", "C06": "housing", "E": "law-enforcement",
          "E0301": "housing", "E0302": "housing", "E0303": "ecology-environment", "E0401": "housing",
          "E0402": "housing"}
DEMO_COMPONENTS = (("C0101", "上水井盖"), ("C0103", "雨水井盖"), ("C0201", "路灯"), ("C0202", "交通信号灯"),
                   ("C0302", "垃圾箱"), ("C0401", "行道树"))
DEMO_CASES = (
    ("E0501", "清泉街道步行街占道经营", ()),
    ("C0201", "路灯夜间不亮", ("register", "dispatch")),
    ("E0101", "小区门口暴露垃圾", ("register", "dispatch", "accept")),
    ("C0103", "雨水井盖破损", ("register", "dispatch", "accept", "feedback", "send_inspector", "verify_pass",
                          "close")),
)


def route_for(category: str) -> str:
    best = max((p for p in ROUTES if category.startswith(p)), key=len, default="E")
    return ROUTES[best]


def _points(n: int):
    """Centres of the first ``n`` demo grids (falling back to the county seat)."""
    pts = []
    for g in list(places.grids())[: max(n, 1)]:
        if g.bbox:
            w, s, e, nn = g.bbox
            pts.append(((w + e) / 2, (s + nn) / 2))
    while len(pts) < n:
        pts.append((115.4505 + 0.002 * len(pts), 36.4925))
    return pts


def load(stdout=None):
    accounts.ensure_plan_organisations()
    ids = accounts.organisation_ids_by_code()
    with transaction.atomic():
        services.configure(centre_organisation_id=ids[CENTRE], supervisor_organisation_id=ids[SUPERVISOR])
        from smartcounty.domains.citymgmt.catalogue import CATEGORIES

        for code in CATEGORIES:
            services.route_category(code, ids[route_for(code)])
        county = settings.SMARTCOUNTY_COUNTY_CODE
        points = _points(len(DEMO_COMPONENTS) + len(DEMO_CASES))
        made = 0
        for (cat, name), (lon, lat) in zip(DEMO_COMPONENTS, points, strict=False):
            code = f"{county}{cat[1:]}000001"
            if not Component.objects.filter(code=code).exists():
                services.create_component(code=code, name=f"{name}（示例）", lon=lon, lat=lat,
                                          owner_organisation_id=ids[route_for(cat)])
                made += 1
        if cases.has_cases(services.CASE_TYPE_KEY, source="demo"):
            if stdout:
                stdout.write(f"  citymgmt: {made} components; demo cases already there")
            return
        from django.contrib.auth import get_user_model

        staff = get_user_model().objects.filter(is_superuser=True, is_active=True).first()
        for (cat, title, steps), (lon, lat) in zip(DEMO_CASES, points[len(DEMO_COMPONENTS):], strict=False):
            case = services.report(category=cat, title=title, description=f"{title}（示例数据）", lon=lon, lat=lat,
                                   reporter_name="示例居民", source="demo")
            for key in steps if staff is not None else ():
                data = {"result": "已处理（示例）", "inspection": "现场核查合格（示例）"}
                cases.transition(case.pk, key, actor=staff, data=data, note="示例")
    if stdout:
        stdout.write(f"  citymgmt: {made} components, {len(DEMO_CASES)} demo cases")
