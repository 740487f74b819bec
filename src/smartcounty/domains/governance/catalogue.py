"""Social-governance field events and their workflow: 上报 → 受理 → 分流 → 办理 → 办结 → 回访."""

from django.utils.translation import gettext_lazy as _

from smartcounty.foundation.cases.schemas import CaseType, Limit, State, Transition, Who

#: code -> (name, handling limit)
CATEGORIES = {
    "G01": ("矛盾纠纷", Limit(3, "days")),
    "G02": ("安全隐患", Limit(1, "days")),
    "G03": ("民生诉求", Limit(5, "days")),
    "G04": ("社会治安", Limit(1, "days")),
    "G05": ("特殊人群服务", Limit(3, "days")),
    "G06": ("政策咨询", Limit(2, "days")),
}
CLOSED_STATES = ("finished", "revisited", "rejected")
STAFF = ("staff", "org_admin")
CENTRE = Who(STAFF, "owner")
DEPT = Who(STAFF, "responsible")
WORKER = Who(("grid_worker",), "reporter")

CASE_TYPE = CaseType(
    key="governance.event",
    title=_("Grid governance event"),
    prefix="ZZ",
    initial="reported",
    # The centre's staff log events; grid workers report through governance (their own grids only);
    # residents file city-management reports instead.
    filed_by=("staff", "org_admin"),
    reopen_days=15,
    categories={code: name for code, (name, _l) in CATEGORIES.items()},
    category_limits={code: {"handling": limit} for code, (_n, limit) in CATEGORIES.items()},
    states=(
        State("reported", _("Reported"), lane="owner", limit=Limit(2, "hours")),
        State("accepted", _("Accepted"), lane="owner", limit=Limit(4, "hours")),
        State("handling", _("Being handled"), lane="responsible", limit=Limit(3, "days")),
        State("finished", _("Finished"), lane="owner", limit=Limit(2, "days")),
        State("revisited", _("Revisited"), lane="none", final=True),
        State("rejected", _("Not accepted"), lane="none", final=True),
    ),
    transitions=(
        Transition("accept", _("Accept (受理)"), ("reported",), "accepted", (CENTRE,)),
        Transition("reject", _("Do not accept"), ("reported",), "rejected", (CENTRE,), required=("note",),
                   closes=True),
        Transition("divert", _("Divert (分流)"), ("accepted",), "handling", (CENTRE,), assign=True),
        Transition("give_back", _("Give back to the centre"), ("handling",), "accepted", (DEPT,), required=("note",)),
        Transition("finish", _("Finish (办结)"), ("handling",), "finished", (DEPT,), required=("result",),
                   closes=True),
        Transition("revisit", _("Revisit (回访)"), ("finished",), "revisited", (CENTRE, WORKER), rate=True,
                   required=("note",)),
        Transition("redo", _("Not satisfied: handle again"), ("finished",), "handling", (CENTRE, WORKER),
                   required=("note",), reopen=True),
    ),
)
CASE_TYPE.validate()
