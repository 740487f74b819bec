"""Guan County's emergency management demo: the county supply depot and a supply point in every town with their
stock, the fire brigade's and volunteer rescue teams with members, town rescue teams, vehicles, equipment and
experts; shelters by GB/T 44013-2024 class around the towns; the public buildings with the demo smoke detectors;
and one open incident (a gas leak in 清泉街道) with a task, a public warning and its timeline."""

from django.db import transaction

from smartcounty.domains.emergency import catalogue, services
from smartcounty.domains.emergency.models import Incident, Resource
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.places import services as places
from smartcounty.foundation.sensing import services as sensing

ITEMS = (("TENT", "救灾帐篷", "顶", 120, 20), ("QUILT", "棉被", "床", 600, 80), ("BED", "折叠床", "张", 300, 40),
         ("WATER", "饮用水", "箱", 800, 100), ("FOOD", "方便食品", "箱", 500, 60), ("LAMP", "应急灯", "盏", 200, 30),
         ("VEST", "救生衣", "件", 300, 40), ("SANDBAG", "编织袋", "条", 5000, 800))
#: county resources: (kind, code, name, lon, lat, quantity, skills, organisation code)
COUNTY = (
    ("depot", "D-COUNTY", "冠县应急物资储备库", 115.4560, 36.4920, 0, "", "emergency"),
    ("team", "T-FIRE", "县消防救援大队特勤中队", 115.4480, 36.4810, 28, "灭火、抢险救援、危化品处置", "fire-rescue"),
    ("team", "T-BLUESKY", "冠县蓝天救援队", 115.4620, 36.4760, 35, "水域救援、山地搜救、应急保障", "emergency"),
    ("team", "T-MEDICAL", "县人民医院紧急医学救援队", 115.4530, 36.4850, 20, "院前急救、伤员转运", "health"),
    ("team", "T-ELECTRIC", "国网冠县供电公司抢修队", 115.4400, 36.4950, 16, "电力抢修、应急供电", "emergency"),
    ("vehicle", "V-FIRE-1", "水罐消防车（特勤中队）", 115.4481, 36.4812, 2, "灭火", "fire-rescue"),
    ("vehicle", "V-FIRE-2", "抢险救援消防车（特勤中队）", 115.4483, 36.4808, 1, "破拆、照明", "fire-rescue"),
    ("vehicle", "V-AMB", "负压救护车（县人民医院）", 115.4532, 36.4852, 3, "转运", "health"),
    ("equipment", "E-PUMP", "大流量排涝泵车", 115.4570, 36.4925, 2, "排涝 3000 m³/h", "emergency"),
    ("equipment", "E-GEN", "移动应急发电车", 115.4405, 36.4948, 1, "500 kW", "emergency"),
    ("expert", "X-CHEM", "危化品处置专家组（3人）", 115.4600, 36.4880, 3, "危险化学品、燃气", "emergency"),
    ("expert", "X-FLOOD", "防汛抗旱专家组（4人）", 115.4350, 36.4830, 4, "防汛、水利工程", "water"),
    ("expert", "X-MED", "卫生应急专家组（3人）", 115.4540, 36.4860, 3, "传染病防控、医疗救治", "health"),
)
FIRE_MEMBERS = (("张建军", "13906351001", "指挥、灭火"), ("李海涛", "13906351002", "驾驶员"),
                ("王志刚", "13906351003", "破拆、救援"), ("赵永强", "13906351004", "危化品处置"),
                ("刘振华", "13906351005", "通信"), ("陈立新", "13906351006", "灭火"))
#: shelters: (town index, class, name, effective area m², d lon, d lat)
SHELTERS = (
    (0, "long", "冠县体育中心应急避难场所", 42000, 0.006, 0.004),
    (0, "urgent", "清泉街道东关小学操场", 3200, -0.003, 0.002),
    (1, "short", "冠县人民公园应急避难场所", 26000, 0.004, -0.003),
    (2, "medium", "冠县第一中学应急避难场所", 18000, -0.004, 0.003),
)
#: public buildings of the demo smoke detectors: thing code -> (name, contact, phone)
BUILDINGS = {"smoke-hospital": ("冠县人民医院门诊楼", "周主任", "06355221001"),
             "smoke-school": ("冠县第一中学教学楼", "孙老师", "06355221002"),
             "smoke-service-centre": ("冠县政务服务中心", "吴科长", "06355221003"),
             "smoke-library": ("冠县图书馆", "郑馆长", "06355221004"),
             "smoke-stadium": ("冠县体育馆", "冯经理", "06355221005")}


def _setup_case_types() -> None:
    bureau = services.org_id("emergency")
    cases.configure_case_type(catalogue.TASK_TYPE.key, owner_organisation_id=bureau, supervisor_organisation_id=None)
    cases.configure_case_type(catalogue.MAINTENANCE_TYPE.key, owner_organisation_id=services.org_id("fire-rescue"),
                              supervisor_organisation_id=bureau)


def load(stdout=None):
    accounts.ensure_plan_organisations()
    places.ensure_divisions()
    _setup_case_types()
    if Resource.objects.filter(code="D-COUNTY").exists():
        return
    orgs = accounts.organisation_ids_by_code()
    towns = [t for t in places.town_points() if t.lon is not None]
    with transaction.atomic():
        items = {code: services.ensure_item(code, name, unit) for code, name, unit, _c, _t in ITEMS}
        ids = {}
        for kind, code, name, lon, lat, q, skills, org in COUNTY:
            ids[code] = services.create_resource(kind=kind, code=code, name=name, lon=lon, lat=lat, quantity=q,
                                                 skills=skills, organisation_id=orgs.get(org),
                                                 contact_name="值班室", contact_phone="0635-5221119")
        for name, phone, skills in FIRE_MEMBERS:
            services.add_member(ids["T-FIRE"], name=name, phone=phone, skills=skills)
        for code, _name, _unit, county, _town in ITEMS:
            services.receive(ids["D-COUNTY"], items[code], county, actor=None, note="年度储备")
        for n, t in enumerate(towns, start=1):
            depot = services.create_resource(kind="depot", code=f"D-{t.code}", name=f"{t.name}应急物资储备点",
                                             lon=t.lon + 0.002, lat=t.lat + 0.001, town_code=t.code,
                                             organisation_id=orgs.get("emergency"))
            for code, _name, _unit, _county, town_q in ITEMS[:5]:
                services.receive(depot, items[code], town_q + 5 * (n % 4), actor=None, note="乡镇储备")
            services.create_resource(kind="team", code=f"T-{t.code}", name=f"{t.name}应急救援队", lon=t.lon - 0.002,
                                     lat=t.lat + 0.0015, town_code=t.code, quantity=12 + n % 6,
                                     skills="先期处置、人员转移、巡查", organisation_id=orgs.get("emergency"))
            area = 2400 + 300 * (n % 5)
            services.create_shelter(code=f"S-{t.code}", name=f"{t.name}中心学校应急避难场所", shelter_class="urgent",
                                    lon=t.lon + 0.001, lat=t.lat - 0.002, town_code=t.code, effective_area_m2=area)
        for ti, cls, name, area, dlon, dlat in SHELTERS:
            t = towns[ti % len(towns)]
            services.create_shelter(code=f"S-C{ti}-{cls}", name=name, shelter_class=cls, lon=t.lon + dlon,
                                    lat=t.lat + dlat, town_code=t.code, effective_area_m2=area)
        services.transfer(ids["D-COUNTY"], services.resource_list(kind="depot", town_code=towns[0].code)[0]["id"],
                          items["TENT"], 10, actor=None, note="汛前前置")
        _buildings()
    _incident(ids, items, towns[0] if towns else None)
    if stdout:
        stdout.write(f"  emergency: {len(COUNTY) + 3 * len(towns)} resources, {len(towns) + len(SHELTERS)} shelters,"
                     f" {len(BUILDINGS)} public buildings, 1 open incident")


def _buildings() -> None:
    smoke = {t.code: t for t in sensing.thing_rows(kind="smoke", with_streams=False)}
    for code, (name, contact, phone) in BUILDINGS.items():
        t = smoke.get(code)
        if t is None or t.lon is None:
            continue
        b = services.fire.create_building(code=f"B-{code}", name=name, lon=t.lon, lat=t.lat, town_code=t.town,
                                          address=name, contact_name=contact, contact_phone=phone)
        services.fire.register_detector(b, t.id)


def _incident(ids: dict, items: dict, town) -> None:
    if town is None or Incident.objects.exists():
        return
    commander = accounts.members_of(services.org_id("emergency") or -1, limit=1)
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=commander[0].id).first() if commander else None
    pk = services.open_incident(title="清泉街道幸福家园小区燃气泄漏", kind="hazmat", level=2, lon=town.lon + 0.003,
                                lat=town.lat + 0.002, radius_m=400, address="清泉街道幸福家园小区5号楼",
                                description="居民报告5号楼楼道内燃气味浓，已关闭总阀，需疏散楼内居民并排查管线。",
                                actor=actor)
    view = services.command_view(pk)
    team = next(r for r in view["resources"] if r["kind"] == "team")["nearest"]
    fire_team = ids["T-FIRE"]
    services.give_task(pk, fire_team, title="现场警戒、检测燃气浓度", deadline_minutes=20, actor=actor)
    if team and team[0]["id"] != fire_team:
        services.give_task(pk, team[0]["id"], title="疏散5号楼居民至就近避难场所", deadline_minutes=30, actor=actor)
    services.issue(ids["D-COUNTY"], items["QUILT"], 40, actor=actor, note="幸福家园疏散居民", incident_id=pk)
    services.publish_warning(pk, headline="幸福家园小区燃气泄漏，请勿靠近", level=3,
                             instruction="5号楼及周边居民请听从现场指挥撤离，勿使用明火、勿开关电器，"
                                         "可前往清泉街道东关小学操场临时避难。",
                             area_desc="清泉街道幸福家园小区及周边400米", actor=actor)
