"""Guan County's one-window demo: the catalogue (demo_items: 47 items of 17 departments and two bundles) and
applications in every state, taken by the demo accounts of the departments concerned (``approval-staff`` at
the window, ``public-security-staff``, ``market-regulation-staff`` …) for the ``resident`` and for applicants
who came to the window in person."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from smartcounty.domains.services import services
from smartcounty.domains.services.demo_items import BUNDLES, COUNTY_HALL, DEPARTMENTS, HOURS, ITEMS
from smartcounty.domains.services.models import Application, Material, ServiceItem
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.catalog import services as catalog


def item_code(org: str, item_type: str, main: int, sub: int, situation: str) -> str:
    return f"371525{item_type}{DEPARTMENTS[org]}{main:03d}{sub:03d}{situation}"


def _item(code: str, name: str, **fields) -> ServiceItem:
    item = ServiceItem.objects.filter(code=code).first() or ServiceItem(code=code)
    item.name = name
    for k, v in fields.items():
        setattr(item, k, v)
    services.save_item(item)
    return item


def load_catalogue() -> int:
    made = 0
    by_name = {}
    for (org, typ, main, sub, sit, name, promised, legal, visits, fee, result, lic, years, basis, kw,
         mats) in ITEMS:
        code = item_code(org, typ, main, sub, sit)
        parent = by_name.get(next((n for (o, t, m, s, _si, n, *_r) in ITEMS if (o, t, m) == (org, typ, main)
                                   and s == 0), ""))
        new = not ServiceItem.objects.filter(code=code).exists()
        item = _item(code, name, item_type=typ, situation="" if sit == "00" else sit, organisation_code=org,
                     parent=parent if sub else None, legal_basis=basis, promised_days=promised, legal_days=legal,
                     visits=visits, fee=fee, fee_basis="" if not fee else "物价部门核定", result_name=result,
                     licence_type=lic, licence_years=years, keywords=kw, online_depth=4 if visits == 0 else 3,
                     place=COUNTY_HALL, hours=HOURS, consult_phone="0635-5161234", complaint_phone="12345",
                     conditions="申请人符合法定条件，材料齐全、符合法定形式。")
        by_name[name] = item
        if new or not item.materials.exists():
            Material.objects.bulk_create([Material(item=item, order=i, name=m, form=form, required=req,
                                                   condition="" if req else "有相关情形时",
                                                   licence_type=lt, sample="见窗口样表" if m.endswith("表") else "")
                                          for i, (m, form, req, lt) in enumerate(mats, start=1)])
            made += 1
    for main, name, kw, parts in BUNDLES:
        code = item_code("approval", "20", main, 0, "00")
        bundle = _item(code, name, item_type="20", organisation_code="approval", promised_days=10, legal_days=20,
                       visits=0, keywords=kw, place=COUNTY_HALL, hours=HOURS, consult_phone="0635-5161234",
                       complaint_phone="12345", result_name="各事项办理结果",
                       legal_basis="《国务院关于加快推进“一件事一次办”打造政务服务升级版的指导意见》（国发〔2024〕3号）",
                       conditions="一次告知、一表申请、一套材料、一窗受理、一次办结。")
        bundle.parts.set([by_name[p] for p in parts])
    return made


def _user(username):
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _run(app_id, steps, when, users):
    for actor, key, note, data in steps:
        when += timedelta(hours=3)
        who = users[actor]
        services.step(who, services.reader(who), app_id, key, note=note, data=data, now=when)
    return when


def _code(name):
    return ServiceItem.objects.filter(name=name).values_list("code", flat=True).first()


FULL = [("window", "accept", "", {}), ("dept", "approve", "", {"opinion": "符合条件，准予办理"}),
        ("dept", "issue", "", {}), ("window", "deliver", "", {"delivery": "pickup"}), ("window", "close", "", {})]
#: (item name, channel, department account, steps after submission)
DEMO_APPLICATIONS = (
    ("户籍证明开具", "online", "public-security", FULL + [("applicant", "evaluate", "", {"rating": 5})]),
    ("居住证申领", "online", "public-security", [("window", "ask", "请补充居住证明",
                                               {"missing": ["居住证明（房屋租赁合同或住宿证明）"]})]),
    ("无犯罪记录证明开具", "online", "public-security", FULL[:3]),
    ("城乡居民基本养老保险参保登记", "window", "human-resources", FULL + [("window", "evaluate", "", {"rating": 4})]),
    ("失业登记", "online", "human-resources", FULL[:1]),
    ("出生医学证明首次签发", "window", "health", FULL),
    ("法律援助申请", "online", "justice", FULL[:1] + [("dept", "ask_review", "请补充经济困难说明",
                                                   {"missing": ["经济困难状况说明表"]})]),
    ("最低生活保障申请", "window", "civil-affairs", FULL[:1] + [("dept", "deny", "家庭收入超过当地低保标准", {})]),
    ("高龄津贴申领", "online", "civil-affairs", [("window", "refuse", "申请人未满80周岁，不属于受理范围", {})]),
    ("个体工商户登记（设立）", "online", "market-regulation", FULL + [("applicant", "evaluate", "", {"rating": 2})]),
    ("食品经营许可（新办）", "window", "market-regulation", FULL[:4]),
    ("公共租赁住房申请", "online", "housing", []),
    ("社会保障卡申领", "online", "human-resources", FULL[:2]),
)


@transaction.atomic
def load_applications() -> int:
    if Application.objects.exists():
        return 0
    resident, clerk = _user("resident"), _user("approval-staff")
    if resident is None or clerk is None:
        return 0
    start = timezone.now() - timedelta(days=20)
    made = 0
    people = iter(("王建国", "李秀兰", "张志强", "刘桂芳", "陈海涛", "杨丽娟", "赵明亮"))
    for i, (name, channel, dept, steps) in enumerate(DEMO_APPLICATIONS):
        dept_user = _user(f"{dept}-staff")
        if dept_user is None:
            continue
        when = start + timedelta(days=i, hours=1)
        if channel == "online":
            out = services.submit(resident, _code(name), materials=[], now=when)
            applicant = resident
        else:
            out = services.submit(clerk, _code(name), channel="window", applicant_name=next(people),
                                  applicant_phone="13905351234", window="综合受理1号窗口",
                                  materials=[{"material_id": m, "source": "paper"} for m in
                                             Material.objects.filter(item__name=name).values_list("id", flat=True)],
                                  now=when)
            applicant = clerk
        _run(out["id"], steps, when, {"window": clerk, "dept": dept_user, "applicant": applicant})
        made += 1
    return made


def load(stdout=None):
    accounts.ensure_plan_organisations()
    with transaction.atomic():
        items = load_catalogue()
    apps = load_applications()
    catalog.publish_registered(services.OPEN_DATA_ITEMS, services.open_data_rows(), note="政务服务事项清单")
    stats = services.stats_open_data_rows()
    if stats:
        catalog.publish_registered(services.OPEN_DATA_STATS, stats, note="政务服务办件统计")
    if stdout:
        stdout.write(f"  services: {items} items with new materials, {apps} demo applications")
