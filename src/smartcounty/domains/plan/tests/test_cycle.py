"""The 督办 cycle, projects and the plan's data: the 30 actions with their units as the plan names them;
assign → progress → completion → evaluation (or return); projects move one stage at a time; every change audited."""

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from smartcounty.domains.plan import services
from smartcounty.domains.plan.models import Action, ActionUnit, Task
from smartcounty.kernel.models import AuditEntry
from smartcounty.kernel.problems import ApiError

REPO = Path(__file__).resolve().parents[5]
DATA = Path(services.__file__).resolve().parent / "data" / "actions.json"


def test_the_actions_file_agrees_with_the_plan_text():
    plans = [p for p in (REPO.parent / "shared" / "seed").glob("*.txt") if "牵头单位" in p.read_text(encoding="utf-8")]
    if not plans:
        pytest.skip("the plan text (shared/seed) is not beside this checkout")
    text = plans[0].read_text(encoding="utf-8")
    flat = re.sub(r"\s+", "", text[text.index("二、主要行动"):text.index("三、保障措施")])
    heads = list(re.finditer(r"(?<![0-9])([0-9]{1,2})\.([^。]{2,30}?)。", flat))
    orgs = json.loads((REPO / "src/smartcounty/foundation/accounts/data/organisations.json").read_text())
    code = {o["name"]: o["code"] for o in orgs["organisations"]}
    data = json.loads(DATA.read_text(encoding="utf-8"))["actions"]
    assert [int(m.group(1)) for m in heads] == list(range(1, 31)) == [a["number"] for a in data]
    for i, m in enumerate(heads):
        seg = flat[m.start():heads[i + 1].start() if i + 1 < len(heads) else len(flat)]
        (note,) = re.findall(r"[（(]((?:牵头单位|责任单位)[^）)]*)[）)]", seg)
        want = {"牵头单位": [], "责任单位": []}
        for part in re.split(r"[；;]", note):
            kind, names = re.split(r"[：:]", part, maxsplit=1)
            want[kind] += ["leading-group" if n.endswith("成员单位") else code[n] for n in names.split("、")]
        assert (data[i]["title"], data[i]["lead"], data[i]["responsible"]) == (m.group(2), want["牵头单位"],
                                                                              want["责任单位"])


@pytest.mark.django_db
def test_actions_and_units_load_once(plan):
    assert services.ensure_actions() == 30
    assert Action.objects.count() == 30
    n = ActionUnit.objects.count()
    services.ensure_actions()
    assert ActionUnit.objects.count() == n
    a14 = services.action(services.reader(plan.office), 14)
    assert [u.name for u in a14.lead] == ["县应急管理局"]
    assert "县消防救援大队" in [u.name for u in a14.responsible]
    a1 = services.action(services.reader(plan.office), 1)
    assert [u.name for u in a1.responsible] == ["数字冠县建设领导小组"]


@pytest.mark.django_db
def test_the_cycle_from_assignment_to_evaluation(plan):
    office, housing = services.reader(plan.office), services.reader(plan.housing)
    t = services.create_task(office, action=13, year=2026, title="住房租赁平台上线", deadline=date(2026, 12, 31),
                             owner_organisation_id=plan.ids["housing"], actor=plan.office)
    assert t.state == "assigned" and t.owner_name == "县住房和城乡建设局"
    with pytest.raises(ApiError) as e:
        services.create_task(housing, action=13, year=2026, title="x", deadline=date(2026, 12, 31),
                             owner_organisation_id=plan.ids["housing"])
    assert e.value.status == 403
    t = services.report_progress(housing, t.id, progress=50, text="完成需求调研", actor=plan.housing)
    assert (t.state, t.progress) == ("tracking", 50)
    with pytest.raises(ApiError) as e:
        services.report_progress(services.reader(plan.worker), t.id, progress=60, text="x")
    assert e.value.status == 403
    with pytest.raises(ApiError) as e:
        services.report_progress(office, t.id, progress=60, text="x")  # another organisation's task
    assert e.value.status == 403
    with pytest.raises(ApiError):
        services.report_progress(housing, t.id, progress=100, text="x")
    t = services.report_completion(housing, t.id, text="平台已上线", completed_on=date(2026, 12, 1), actor=plan.housing)
    assert (t.state, t.progress, t.on_time) == ("reported", 100, True)
    t = services.evaluate(office, t.id, accept=False, text="缺少验收材料", actor=plan.office)
    assert (t.state, t.completed_on) == ("tracking", None)
    services.report_completion(housing, t.id, text="补充材料", completed_on=date(2026, 12, 2), actor=plan.housing)
    t = services.evaluate(office, t.id, accept=True, score=95, actor=plan.office)
    assert (t.state, t.score) == ("evaluated", 95)
    kinds = [r.kind for r in services.reports(office, t.id)]
    assert kinds == ["completion", "returned", "completion", "progress"]
    assert list(AuditEntry.objects.filter(object_id=str(t.id), action__startswith="plan.task").order_by("id")
                .values_list("action", flat=True)) == [
        "plan.task_assigned", "plan.task_progress", "plan.task_completed", "plan.task_evaluated",
        "plan.task_completed", "plan.task_evaluated"]


@pytest.mark.django_db
def test_bad_input_changes_nothing(plan):
    office = services.reader(plan.office)
    for kwargs, field in (({"owner_organisation_id": 999999}, "owner_organisation_id"),
                          ({"action": 31}, "action"), ({"deadline": date(2025, 1, 1)}, "deadline"),
                          ({"owner_user_id": plan.office.pk}, "owner_user_id")):
        args = {"action": 13, "year": 2026, "title": "t", "deadline": date(2026, 12, 31),
                "owner_organisation_id": plan.ids["housing"], **kwargs}
        with pytest.raises(ApiError) as e:
            services.create_task(office, **args)
        assert e.value.field == field
    assert Task.objects.count() == 0


@pytest.mark.django_db
def test_project_life_cycle_and_spending(plan):
    office, housing = services.reader(plan.office), services.reader(plan.housing)
    p = services.create_project(office, code="GX-T-1", name="住区平台", owner_organisation_id=plan.ids["housing"],
                                actions=[13, 23], budget=Decimal("100.00"), approved_on=date(2025, 3, 1),
                                actor=plan.office)
    assert (p.stage, p.actions, p.spent) == ("approved", (13, 23), Decimal("0"))
    with pytest.raises(ApiError) as e:
        services.advance_project(office, p.id, stage="accepted")  # skips 建设
    assert e.value.status == 409
    with pytest.raises(ApiError):
        services.advance_project(housing, p.id, stage="building")
    p = services.advance_project(office, p.id, stage="building", on=date(2025, 5, 1), actor=plan.office)
    with pytest.raises(ApiError):
        services.advance_project(office, p.id, stage="accepted", on=date(2025, 4, 1))  # before 建设
    p = services.add_spending(housing, p.id, on=date(2025, 6, 1), amount=Decimal("60"), actor=plan.housing)
    p = services.add_spending(office, p.id, on=date(2025, 7, 1), amount=Decimal("50"), actor=plan.office)
    assert (p.spent, p.spent_share, p.over_budget) == (Decimal("110.00"), 110.0, True)
    with pytest.raises(ApiError):
        services.add_spending(housing, p.id, on=date(2025, 1, 1), amount=Decimal("1"))  # before approval
    with pytest.raises(ApiError) as e:
        services.create_project(office, code="GX-T-1", name="again", owner_organisation_id=plan.ids["housing"],
                                actions=[13], budget=Decimal("1"), approved_on=date(2025, 3, 1))
    assert e.value.status == 409
    assert [x.code for x in services.projects(office, action=23)] == ["GX-T-1"]
    assert list(services.projects(office, action=1)) == []
    assert AuditEntry.objects.filter(action="plan.project_spending").count() == 2
