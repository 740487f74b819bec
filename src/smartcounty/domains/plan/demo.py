"""Guan County's plan in the demo: the 30 actions, their tasks for 2021-2023 (done and evaluated) and for this
year (some late, some near their deadline, most on track), informatization projects, reminders and KPIs."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from smartcounty.domains.plan import kpistore, lights, work
from smartcounty.domains.plan import projects as projects_
from smartcounty.domains.plan.models import Project, Task
from smartcounty.domains.plan.schemas import Reader
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.cases import services as cases

SYSTEM = Reader(user_id=None, organisation_id=None, sees=True, manages=True, reports_for_all=True)
PLAN_YEARS = {2021: "完成{t}总体设计并立项", 2022: "{t}主体建设", 2023: "{t}验收并投入运行"}
PROJECTS = (
    ("GX-XXH-2021-01", "政务云平台扩容及系统迁移", "gov-office", (1,), "680.00", "operating", (("2021-06-30", "210.00"),
                                                                                              ("2022-03-31", "300.00"),
                                                                                              ("2023-01-15", "150.00"))),
    ("GX-XXH-2021-02", "公共数据开放平台", "gov-office", (2, 3), "260.00", "accepted", (("2021-11-20", "120.00"),
                                                                                     ("2022-09-30", "110.00"))),
    ("GX-XXH-2022-01", "电子政务外网IPv6改造", "gov-office", (4, 29), "420.00", "building", (("2022-08-01", "160.00"),)),
    ("GX-XXH-2022-02", "社会综合治理平台", "politics-law", (5, 23), "350.00", "operating", (("2022-05-10", "200.00"),
                                                                                          ("2023-04-20", "140.00"))),
    ("GX-XXH-2022-03", "智慧城管平台二期", "law-enforcement", (7,), "300.00", "building", (("2023-02-15", "90.00"),)),
    ("GX-XXH-2023-01", "大气网格化监测网络", "ecology-environment", (10,), "190.00", "approved", ()),
)


def _owner(action, ids) -> int:
    codes = [u.code for u in action.lead] + [u.code for u in action.responsible]
    code = next((c for c in codes if c != "leading-group"), work.SUPERVISOR)
    return ids[code]


def _tasks(today: date) -> int:
    ids = accounts.organisation_ids_by_code()
    limit = lights.horizon(today, cases.calendar().is_working_day)
    n = 0
    for a in work.actions(SYSTEM):
        owner = _owner(a, ids)
        for year, pattern in PLAN_YEARS.items():
            t = work.create_task(SYSTEM, action=a.number, year=year, title=pattern.format(t=a.title),
                                 deadline=date(year, 12, 31), owner_organisation_id=owner)
            work.report_progress(SYSTEM, t.id, progress=60, text=f"{year}年上半年完成主要工作（示例）")
            late = (a.number + year) % 7 == 0
            work.report_completion(SYSTEM, t.id, text=f"{year}年度任务已完成（示例）",
                                   completed_on=date(year + late, 1, 20) if late else date(year, 12, 20))
            work.evaluate(SYSTEM, t.id, accept=True, score=80 if late else 92, text="按期完成" if not late else "逾期完成")
            n += 1
        kind = a.number % 6
        deadline = {0: today - timedelta(days=6), 1: limit}.get(kind, today + timedelta(days=20 + a.number))
        t = work.create_task(SYSTEM, action=a.number, year=today.year, title=f"{a.title}：{today.year}年度运行维护和提升",
                             target="按计划推进并报送进展", deadline=deadline, owner_organisation_id=owner)
        work.report_progress(SYSTEM, t.id, progress=40 + a.number, text="正在推进（示例）")
        if kind == 3:
            work.report_completion(SYSTEM, t.id, text="本年度任务已完成，请考评（示例）", completed_on=today)
        n += 1
    return n


def _projects() -> int:
    ids = accounts.organisation_ids_by_code()
    made = 0
    for code, name, owner, acts, budget, stage, paid in PROJECTS:
        if Project.objects.filter(code=code).exists():
            continue
        year = int(code.split("-")[2])
        p = projects_.create_project(SYSTEM, code=code, name=name, owner_organisation_id=ids[owner],
                                     actions=list(acts), budget=Decimal(budget), approved_on=date(year, 3, 1),
                                     summary=f"{name}（示例项目）")
        for i, target in enumerate(projects_.STAGES[1:projects_.STAGES.index(stage) + 1]):
            projects_.advance(SYSTEM, p.id, stage=target, on=date(year + i, 4 + i, 1))
        for on, amount in paid:
            projects_.add_spending(SYSTEM, p.id, on=date.fromisoformat(on), amount=Decimal(amount), note="示例")
        made += 1
    return made


def load(stdout=None):
    work.ensure_actions()
    today = work.today()
    made = 0
    with transaction.atomic():
        if not Task.objects.exists():
            made = _tasks(today)
        n_projects = _projects()
    reminders = work.remind(today)
    kpistore.refresh()
    if stdout:
        stdout.write(f"  plan: 30 actions, {made} tasks, {n_projects} projects, reminders {reminders}")
