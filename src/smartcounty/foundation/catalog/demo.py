"""Demo catalog for Guan County: a handful of real-looking resources with rows that are demo data
(every resource is flagged ``is_demo`` and its summary starts with 【演示数据】; names, phones and
ID numbers are invented). Safe to run again: existing resources are left alone."""

import random
from datetime import date, timedelta

from smartcounty.foundation.catalog.models import Resource
from smartcounty.foundation.places import services as places

DEMO = "【演示数据】"
# Towns, their codes and points come from places.town_points(), the one source for every module's demo.


def _aqi_rows(days: int = 30):
    rng = random.Random(371525)
    start = date(2026, 10, 1)
    rows = []
    for d in range(days):
        aqi = rng.randint(35, 180)
        level = 1 if aqi <= 50 else 2 if aqi <= 100 else 3 if aqi <= 150 else 4
        rows.append({"station": "冠县监测站（演示）", "day": (start + timedelta(days=d)).isoformat(), "aqi": aqi,
                     "level": level, "primary": "" if aqi <= 50 else rng.choice(["PM2.5", "PM10", "O3"])})
    return rows


def _toilet_rows():
    rng = random.Random(1525)
    towns = [t for t in places.town_points() if t.lon is not None][:6]
    rows = []
    for n in range(24 if towns else 0):
        t = towns[n % len(towns)]
        rows.append({"name": f"{t.name}公厕{n + 1:02d}（演示）", "town": t.name, "open_hours": "06:00-22:00",
                     "accessible": n % 3 == 0,
                     "location": {"type": "Point", "coordinates": [round(t.lon + rng.uniform(-0.01, 0.01), 6),
                                                                   round(t.lat + rng.uniform(-0.01, 0.01), 6)]}})
    return rows


def _company_rows():
    surnames = "王李张刘陈杨赵黄周吴"
    towns = [t.name for t in places.town_points()]
    rows = []
    for n in range(20):
        rows.append({"name": f"冠县演示{['农业', '纺织', '机械', '食品', '物流'][n % 5]}有限公司{n + 1}",
                     "uscc": f"91371525MA3DEMO{n:03d}"[:18], "legal_person": f"{surnames[n % 10]}演示",
                     "phone": f"1380635{n:04d}", "town": towns[n % len(towns)],
                     "registered_on": (date(2015, 1, 1) + timedelta(days=97 * n)).isoformat()})
    return rows


def _assistance_rows():
    towns = [t.name for t in places.town_points()]
    rows = []
    for n in range(12):
        rows.append({"name": f"{'王李张刘陈杨'[n % 6]}某{n}", "id_number": f"37152519{60 + n}0101{100 + n}X",
                     "address": f"山东省聊城市冠县{towns[n % len(towns)]}演示村{n + 1}号", "town": towns[n % len(towns)],
                     "household": 1 + n % 4, "monthly_yuan": 600 + 50 * (n % 5)})
    return rows


RESOURCES = [
    dict(provider="ecology-environment", code="210001/00001", slug="gx-aqi-daily", name="冠县空气质量日报",
         summary=DEMO + "冠县城区空气自动监测站逐日空气质量指数（AQI）、级别和首要污染物，依据HJ 633-2012计算。",
         domain="10", sharing_type="unconditional", open_type="open", update_cycle="daily",
         tags=["空气质量", "AQI", "环境监测"],
         items=[dict(name="station", title="监测站", required=True), dict(name="day", title="日期", data_type="date",
                required=True), dict(name="aqi", title="空气质量指数", data_type="integer", required=True),
                dict(name="level", title="级别", data_type="integer"), dict(name="primary", title="首要污染物")],
         rows=_aqi_rows),
    dict(provider="civil-affairs", code="103001/00001", slug="gx-divisions", name="冠县行政区划",
         summary=DEMO + "冠县乡镇（街道）行政区划代码与名称（2022年统计用区划代码），含示意位置。",
         domain="21", format="spatial", sharing_type="unconditional", open_type="open", update_cycle="yearly",
         tags=["行政区划", "乡镇", "街道"],
         items=[dict(name="code", title="区划代码", required=True), dict(name="name", title="名称", required=True),
                dict(name="location", title="位置", data_type="geometry")],
         rows=lambda: [{"code": t.code, "name": t.name,
                        "location": {"type": "Point", "coordinates": [t.lon, t.lat]} if t.lon is not None else None}
                       for t in places.town_points()]),
    dict(provider="law-enforcement", code="218001/00001", slug="gx-public-toilets", name="冠县公共厕所",
         summary=DEMO + "县城及乡镇公共厕所名称、位置、开放时间和无障碍设施。", domain="18", format="spatial",
         sharing_type="unconditional", open_type="open", update_cycle="monthly", tags=["公厕", "便民", "环卫"],
         items=[dict(name="name", title="名称", required=True), dict(name="town", title="乡镇"),
                dict(name="open_hours", title="开放时间"), dict(name="accessible", title="无障碍", data_type="boolean"),
                dict(name="location", title="位置", data_type="geometry")],
         rows=_toilet_rows),
    dict(provider="market-regulation", code="102001/00001", slug="gx-enterprises", name="冠县企业名录",
         summary=DEMO + "在冠县登记的企业名称、统一社会信用代码、法定代表人、联系电话和所在乡镇。",
         domain="15", sharing_type="unconditional", open_type="metadata", update_cycle="monthly",
         tags=["企业", "市场主体", "信用"],
         items=[dict(name="name", title="企业名称", required=True), dict(name="uscc", title="统一社会信用代码"),
                dict(name="legal_person", title="法定代表人", personal="name"),
                dict(name="phone", title="联系电话", personal="phone"), dict(name="town", title="乡镇"),
                dict(name="registered_on", title="成立日期", data_type="date")],
         rows=_company_rows),
    dict(provider="civil-affairs", code="216001/00001", slug="gx-subsistence-allowance", name="冠县城乡低保对象名册",
         summary=DEMO + "城乡最低生活保障对象姓名、身份证号、住址、家庭人口和月保障金额。",
         domain="16", sharing_type="conditional", open_type="closed", update_cycle="monthly",
         sharing_conditions="仅用于社会救助核查、民生服务，需说明用途并经县民政局审核。", tags=["低保", "社会救助"],
         items=[dict(name="name", title="姓名", personal="name", required=True),
                dict(name="id_number", title="身份证号", personal="id_number"),
                dict(name="address", title="住址", personal="address"), dict(name="town", title="乡镇"),
                dict(name="household", title="家庭人口", data_type="integer"),
                dict(name="monthly_yuan", title="月保障金额（元）", data_type="number")],
         rows=_assistance_rows),
    dict(provider="public-security", code="101001/00001", slug="gx-household-register", name="冠县户籍人口信息",
         summary=DEMO + "户籍人口基础信息（仅目录，不予共享）。", domain="04", sharing_type="none", open_type="closed",
         update_cycle="realtime", legal_basis="《中华人民共和国居民身份证法》第六条、第十三条；《中华人民共和国个人信息保护法》第三十四条",
         tags=["人口", "户籍"],
         items=[dict(name="name", title="姓名", personal="name"), dict(name="id_number", title="身份证号",
                                                                     personal="id_number")],
         rows=None),
]


def load(stdout=None):
    from smartcounty.foundation.accounts import services as accounts
    from smartcounty.foundation.catalog.services import create_resource, open_resource, publish_dataset

    ensure = getattr(accounts, "ensure_plan_organisations", None)
    if ensure:
        ensure()
    from smartcounty.foundation.catalog.services import ensure_registered_resources

    ensure_registered_resources()  # the resources modules publish their live data into
    made = 0
    for spec in RESOURCES:
        spec = dict(spec)
        if Resource.objects.filter(code=spec["code"]).exists():
            continue
        org = accounts.organisation(spec.pop("provider"))
        if org is None:
            continue
        items, rows = spec.pop("items"), spec.pop("rows")
        wants_open = spec.get("open_type") == "open"
        spec["published_on"] = date(2026, 11, 1)
        resource = create_resource(spec, items, provider_org_id=org.id, is_demo=True)
        if rows:
            publish_dataset(resource.code, rows(), note="demo")
            resource.refresh_from_db()
        if wants_open:
            open_resource(resource)
        made += 1
    if stdout:
        stdout.write(f"  catalog: {made} demo resources")
    return made
