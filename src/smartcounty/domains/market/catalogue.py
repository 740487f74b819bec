"""Fixed tables of market supervision: default inspection intervals, food risk bands and frequencies, and
the rectification case type (整改通知 → 复查)."""

from django.utils.translation import gettext_lazy as _

from smartcounty.foundation.cases.schemas import CaseType, Limit, State, Transition, Who

#: Defaults of the interval table the administrator keeps (months between periodic inspections), from
#: each kind's inspection rule; TSG 08-2017 asks the user to apply one month before validity ends.
DEFAULT_INTERVALS = {
    "boiler": (12, "TSG 11-2020 锅炉安全技术规程：外部检验每年一次"),
    "pressure_vessel": (36, "TSG 21-2016 固定式压力容器：安全状况等级1、2级每3至6年"),
    "lifting": (24, "TSG Q7015-2016 起重机械定期检验规则：一般每2年"),
    "field_vehicle": (12, "TSG N0001-2017 场（厂）内专用机动车辆：每年"),
    "ropeway": (12, "TSG S7001-2013 客运索道定期检验：每年"),
    "amusement": (12, "TSG Y7002-2008 大型游乐设施定期检验：每年"),
}

#: 食品生产经营风险分级管理办法（试行）(原国家食品药品监督管理总局, 2016): the risk score is the static plus
#: the dynamic factor score; 0-30 A, over 30 to 45 B, over 45 to 60 C, over 60 D.
GRADE_BANDS = ((30, "A"), (45, "B"), (60, "C"))
STATIC_MAX, DYNAMIC_MAX = 40, 60
#: Inspections per year by grade. The measure asks at least 1 (A), 1-2 (B), 2-3 (C), 3-4 (D) a year; the
#: plan takes the upper end of each range, evenly spaced: every 12, 6, 4 and 3 months.
FREQUENCY = {"A": 1, "B": 2, "C": 3, "D": 4}
GRADES = tuple(FREQUENCY)


def grade_of(score: int) -> str:
    for upper, grade in GRADE_BANDS:
        if score <= upper:
            return grade
    return "D"


def interval_months(grade: str) -> int:
    return 12 // FREQUENCY[grade]


STAFF = ("staff", "org_admin")
BUREAU = Who(STAFF, "owner")

CASE_TYPE = CaseType(
    key="market.rectification",
    title=_("Food safety rectification"),
    prefix="SJ",
    initial="rectifying",
    filed_by=STAFF,
    reopen_days=30,
    states=(
        State("rectifying", _("Being rectified"), lane="owner", limit=Limit(15, "days")),
        State("passed", _("Rectified (reviewed)"), lane="none", final=True),
        State("escalated", _("Referred for enforcement"), lane="none", final=True),
    ),
    transitions=(
        Transition("review_pass", _("Review: rectified"), ("rectifying",), "passed", (BUREAU,), required=("result",),
                   closes=True),
        Transition("escalate", _("Refer for enforcement"), ("rectifying",), "escalated", (BUREAU,),
                   required=("note",), closes=True),
        Transition("redo", _("Review again"), ("passed",), "rectifying", (BUREAU,), required=("note",), reopen=True),
    ),
)
CASE_TYPE.validate()
