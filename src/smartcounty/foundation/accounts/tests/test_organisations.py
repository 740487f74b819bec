"""Every organisation the plan names exists after loading, and loading again changes nothing."""

import re
from pathlib import Path

import pytest

from smartcounty.foundation.accounts import services
from smartcounty.foundation.accounts.models import Organisation
from smartcounty.foundation.accounts.schemas import OrganisationOut
from smartcounty.kernel.models import AuditEntry

REPO = Path(__file__).resolve().parents[5]

# The units as the plan names them, in order of first mention (36), counted from the plan's
# （牵头单位：…；责任单位：…） notes; "数字冠县建设领导小组成员单位" refers to the group's members.
PLAN_UNITS = [
    "县政府办公室", "中国移动冠县分公司", "中国联通冠县分公司", "中国电信冠县分公司", "山东广电网络冠县分公司",
    "县委政法委", "县公安局", "县综合行政执法局", "县交通运输局", "县水利局", "县气象局", "市生态环境局冠县分局",
    "县市场监督管理局", "县自然资源和规划局", "县住房和城乡建设局", "县应急管理局", "县民政局", "县消防救援大队",
    "县行政审批服务局", "县教育和体育局", "县卫生健康局", "县医疗保障局", "县人力资源和社会保障局", "县司法局",
    "县文化和旅游局", "县残疾人联合会", "县工业和信息化局", "县农业农村局", "县发展和改革局", "县商务和投资促进局",
    "县经济开发区管委会", "县金融与企业服务中心", "中国人民银行冠县支行", "县委网信办", "县财政局", "县委宣传部",
]
LEADS = {"县政府办公室", "县委政法委", "县应急管理局", "县工业和信息化局", "县委网信办", "县人力资源和社会保障局"}


def units_named_in(text: str) -> tuple[list[str], set[str]]:
    """(every unit in order of first mention, the lead units) from the plan's notes."""
    flat = re.sub(r"\s+", "", text)
    units, leads = [], set()
    for note in re.findall(r"[（(]((?:牵头单位|责任单位)[^）)]*)[）)]", flat):
        for part in re.split(r"[；;]", note):
            kind, _, names = re.split(r"([：:])", part, maxsplit=1)
            for name in names.split("、"):
                if name.endswith("成员单位"):
                    continue
                if kind == "牵头单位":
                    leads.add(name)
                if name not in units:
                    units.append(name)
    return units, leads


def test_there_are_36_plan_units_and_the_leading_group(orgs):
    assert len(PLAN_UNITS) == len(set(PLAN_UNITS)) == 36
    names = set(Organisation.objects.values_list("name", flat=True))
    assert set(PLAN_UNITS) <= names
    group = Organisation.objects.get(name="数字冠县建设领导小组")
    assert group.kind == Organisation.Kind.LEADING_GROUP and group.code == "leading-group"
    assert Organisation.objects.count() == 37
    assert set(Organisation.objects.filter(plan_role="lead").values_list("name", flat=True)) == LEADS


def test_the_data_file_agrees_with_the_plan_text():
    plans = [p for p in (REPO.parent / "shared" / "seed").glob("*.txt") if "牵头单位" in p.read_text(encoding="utf-8")]
    if not plans:
        pytest.skip("the plan text (shared/seed) is not beside this checkout")
    units, leads = units_named_in(plans[0].read_text(encoding="utf-8"))
    assert units == PLAN_UNITS
    assert leads == LEADS


def test_the_parser_reads_notes_split_over_lines():
    text = "互联互通。（牵头单位：县政府\n办公室；责任单位：中国移动冠县分公司、县公\n安局）另（责任单位:县财政局）"
    assert units_named_in(text) == (["县政府办公室", "中国移动冠县分公司", "县公安局", "县财政局"], {"县政府办公室"})


def test_codes_names_and_kinds_are_well_formed():
    rows = services.plan_organisation_rows()
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)) == 37
    assert all(re.fullmatch(r"[a-z][a-z0-9-]{1,39}", c) for c in codes)
    assert all(r["name_en"] and r["kind"] in Organisation.Kind.values for r in rows)
    assert {r["kind"] for r in rows if r["name"].startswith("中国") and "银行" not in r["name"]} == {"enterprise"}


def test_loading_twice_changes_nothing(db):
    assert services.ensure_plan_organisations() == 37
    before = list(Organisation.objects.order_by("id").values())
    audits = AuditEntry.objects.count()
    assert services.ensure_plan_organisations() == 0
    assert list(Organisation.objects.order_by("id").values()) == before
    assert AuditEntry.objects.count() == audits


def test_an_administrators_correction_survives_reloading(orgs):
    Organisation.objects.filter(code="water").update(name_en="Guan County Water Bureau")
    services.ensure_plan_organisations()
    assert Organisation.objects.get(code="water").name_en == "Guan County Water Bureau"


def test_services_return_schemas_not_models(orgs):
    org = services.organisation("law-enforcement")
    assert isinstance(org, OrganisationOut)
    assert (org.name, org.kind, org.id) == ("县综合行政执法局", "department", orgs["law-enforcement"].pk)
    assert services.organisation("no-such-unit") is None
    ids = services.organisation_ids_by_code()
    assert ids["pbc"] == orgs["pbc"].pk and len(ids) == 37
    telecoms = services.organisations(kind="enterprise")
    assert all(isinstance(o, OrganisationOut) for o in telecoms)
    assert [o.code for o in telecoms] == ["china-mobile", "china-unicom", "china-telecom", "sdbn"]
    Organisation.objects.filter(code="sdbn").update(is_active=False)
    assert "sdbn" not in [o.code for o in services.organisations(kind="enterprise")]
    assert "sdbn" in [o.code for o in services.organisations(kind="enterprise", active_only=False)]


def test_users_brief_has_no_contact_details(people):
    brief = services.users_brief([people["staff_a"].pk, people["resident"].pk])
    assert set(brief) == {people["staff_a"].pk, people["resident"].pk}
    assert brief[people["staff_a"].pk].organisation_id == people["staff_a"].organisation_id
    assert "phone" not in brief[people["resident"].pk].model_dump()


def test_members_of_an_organisation_for_other_modules(people, orgs):
    gov = orgs["gov-office"].pk
    assert [m.username for m in services.members_of(gov)] == ["admin-a", "grid-a", "staff-a"]
    assert [m.username for m in services.members_of(gov, role="grid_worker")] == ["grid-a"]
    people["grid_a"].is_active = False
    people["grid_a"].save()
    assert [m.username for m in services.members_of(gov)] == ["admin-a", "staff-a"]


def test_a_unit_entered_by_hand_under_another_code_is_not_duplicated(db):
    Organisation.objects.create(code="eeb", name="市生态环境局冠县分局")
    assert services.ensure_plan_organisations() == 36
    assert Organisation.objects.filter(name="市生态环境局冠县分局").count() == 1
    assert services.organisation("ecology-environment") is None and services.organisation("eeb") is not None
