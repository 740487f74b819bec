"""Guan County's market supervision demo: user units (hospital, schools, housing estates, a heating company,
a park, a logistics firm) with elevators and other special equipment at every stage of their schedules
(some overdue, some due within a month), two elevators wired to trapping sensors, and food businesses
of every risk grade with assessments, inspections and one rectification case."""

from datetime import timedelta

from django.db import transaction

from smartcounty.domains.market import schedule, services
from smartcounty.domains.market.models import Equipment, FoodBusiness
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.places import services as places
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel import codes

UNITS = (
    ("冠县人民医院", 1),
    ("冠县实验高级中学", 2),
    ("冠县清泉街道幸福家园物业服务中心", 3),
    ("冠县演示热力有限公司", 4),
    ("冠县鸭梨文化公园管理处", 5),
    ("冠县演示物流有限公司", 6),
    ("冠县供销大厦有限公司", 7),
)
#: (unit index, kind, name, years since first use, how the last test stands)
EQUIPMENT = (
    (0, "elevator", "门诊楼1号电梯", 3, "current"), (0, "elevator", "门诊楼2号电梯", 8, "overdue"),
    (0, "elevator", "住院楼1号电梯", 15, "due"), (0, "boiler", "燃气热水锅炉", 6, "current"),
    (0, "pressure_vessel", "医用氧气储罐", 5, "due"),
    (1, "elevator", "教学楼电梯", 4, "current"), (1, "boiler", "食堂蒸汽锅炉", 9, "overdue"),
    (2, "elevator", "3号楼1单元电梯", 1, "due"), (2, "elevator", "3号楼2单元电梯", 7, "current"),
    (2, "elevator", "5号楼1单元电梯", 12, "overdue"), (2, "elevator", "5号楼2单元电梯", 18, "current"),
    (3, "boiler", "1号燃煤热水锅炉", 11, "current"), (3, "boiler", "2号燃气热水锅炉", 2, "due"),
    (3, "pressure_vessel", "分汽缸", 8, "overdue"),
    (4, "amusement", "观光小火车", 5, "current"), (4, "amusement", "摩天轮", 6, "due"),
    (5, "field_vehicle", "1号叉车", 4, "overdue"), (5, "field_vehicle", "2号叉车", 3, "current"),
    (5, "lifting", "桥式起重机", 10, "current"),
    (6, "elevator", "商场1号客梯", 14, "current"), (6, "elevator", "商场自动扶梯", 9, "due"),
)
FOOD = (
    ("冠县清泉街道演示食品有限公司", "production", 18, 40, "nonconform"),
    ("冠县演示乳制品有限公司", "production", 30, 38, "basic"),
    ("冠县供销大厦超市", "sales", 15, 18, "conform"),
    ("冠县实验高级中学食堂", "catering", 25, 28, "conform"),
    ("冠县老城区演示饭店", "catering", 20, 14, "conform"),
    ("冠县演示粮油便利店", "sales", 8, 10, None),
)


def uscc(serial: int) -> str:
    org8 = f"MA{serial:06d}"
    first17 = "91371525" + org8 + codes.org_code_check_char(org8)
    return first17 + codes.uscc_check_char(first17)


def registration_code(kind: str, n: int, year: int) -> str:
    return f"{'31' if kind == 'elevator' else '11'}1037152{year}{n:06d}"[:20]


OFFSET_DAYS = {"current": 120, "due": 20, "overdue": -30}


def _first_use(kind: str, years: int, state: str, n: int, today):
    if kind == "elevator":  # the next anniversary 120 days ahead, 20 days ahead, or 30 days past (missed)
        return schedule.add_months(today, -12 * years) + timedelta(days=OFFSET_DAYS[state])
    return schedule.add_months(today, -12 * years - 5 * (n % 3)) - timedelta(days=n)


def _last_tests(kind: str, first_use, state: str, today):
    """(last inspection, last self-test) that leave the piece current, due within a month or overdue today."""
    if kind == "elevator":
        done = [d for d in schedule.elevator_plan(first_use, 40) if d.on <= today]
        if state == "overdue":
            done = done[:-1]  # the last anniversary was missed
        last_i = max((d.on for d in done if d.task == schedule.INSPECTION), default=None)
        last_s = max((d.on for d in done if d.task == schedule.SELF_TEST), default=None)
        return (last_i and last_i - timedelta(days=10)), (last_s and last_s - timedelta(days=10))
    interval = next(r["interval_months"] for r in services.kind_rules() if r["kind"] == kind)
    offset = {"current": interval // 2, "due": interval, "overdue": interval + 2}[state]
    last = schedule.add_months(today, -offset) + timedelta(days=10 if state == "due" else 0)
    return max(last, first_use), None


def load(stdout=None):
    if Equipment.objects.filter(registration_code__startswith="3110371520").exists() \
            or FoodBusiness.objects.filter(name=FOOD[0][0]).exists():
        return
    accounts.ensure_plan_organisations()
    services.ensure_kind_rules()
    bureau = services.bureau_id()
    cases.configure_case_type("market.rectification", owner_organisation_id=bureau, supervisor_organisation_id=None)
    today = services.today()
    points = [p for p in places.town_points() if p.lon is not None]
    with transaction.atomic():
        made = []
        for n, (ui, kind, name, years, state) in enumerate(EQUIPMENT, start=1):
            uname, serial = UNITS[ui]
            town = points[ui % len(points)] if points else None
            first_use = _first_use(kind, years, state, n, today)
            last_i, last_s = _last_tests(kind, first_use, state, today)
            pk = services.create_equipment(
                kind=kind, registration_code=registration_code(kind, n, first_use.year), name=name,
                unit_uscc=uscc(serial), unit_name=uname, first_use=first_use,
                town_code=town.code if town else "", address=f"{town.name if town else '冠县'}{uname}",
                lon=(town.lon + 0.002 * (n % 5)) if town else None, lat=(town.lat + 0.001 * (n % 4)) if town else None,
                last_inspection=None, last_self_test=None)
            for task, done_on, body in (("inspection", last_i, "聊城市特种设备检验研究院"),
                                        ("self_test", last_s, "冠县演示电梯维保有限公司")):
                if done_on:
                    services.record_inspection(pk, task=task, done_on=done_on, result="passed", body=body,
                                               note="演示记录")
            made.append((pk, kind, name, town))
        for pk, _kind, name, town in [m for m in made if m[1] == "elevator"][:2]:
            if town is None:
                continue
            code = Equipment.objects.get(pk=pk).registration_code
            thing = sensing.create_thing(code, name, lon=town.lon, lat=town.lat, kind="",
                                         organisation_id=bureau, is_demo=True, description="电梯困人报警装置")
            sensing.create_datastream(thing, "elevator_trapped", expected_interval_s=3600, name=f"{name}困人报警")
            services.link_sensor(pk, thing.id)
        for i, (name, category, static, dynamic, result) in enumerate(FOOD, start=1):
            town = points[(i * 3) % len(points)] if points else None
            prefix = "SC" if category == "production" else "JY"
            bid = services.create_business(licence_no=f"{prefix}1371525{i:07d}", name=name, uscc=uscc(100 + i),
                                           category=category, town_code=town.code if town else "",
                                           address=f"{town.name if town else '冠县'}{name}",
                                           licence_valid_until=schedule.add_months(today, 12 * 3 + i))
            services.assess(bid, year=today.year - 1, static_score=static, dynamic_score=dynamic,
                            on=schedule.add_months(today, -10))
            if result:
                services.inspect(bid, done_on=schedule.add_months(today, -4) - timedelta(days=i),
                                 inspector="冠县市场监督管理局 王建国、李娜", result=result,
                                 findings="" if result == "conform" else "原料库房温湿度记录不全；部分员工健康证过期。",
                                 rectification="" if result == "conform" else "15日内补齐温湿度记录，过期健康证人员暂停上岗。")
    summary = services.check_due()
    if stdout:
        stdout.write(f"  market: {len(EQUIPMENT)} pieces of special equipment, {len(FOOD)} food businesses, "
                     f"{summary['overdue']} overdue notices")
