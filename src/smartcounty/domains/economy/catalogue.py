"""Enterprise service requests of a park (园区企业服务诉求) and their workflow: 提交 → 受理 → 办理 → 办结 → 回访.
The park's managing organisation handles them; the registry's organisation (工信局) revisits them."""

from django.utils.translation import gettext_lazy as _

from smartcounty.foundation.cases.schemas import CaseType, Limit, State, Transition, Who

CATEGORIES = {
    "S01": ("政策咨询", Limit(3, "days")),
    "S02": ("用地用房", Limit(10, "days")),
    "S03": ("水电气暖", Limit(3, "days")),
    "S04": ("融资需求", Limit(10, "days")),
    "S05": ("用工招聘", Limit(5, "days")),
    "S06": ("审批办理", Limit(5, "days")),
}
STAFF = ("staff", "org_admin")
PARK = Who(STAFF, "responsible")
OWNER = Who(STAFF, "owner")

CASE_TYPE = CaseType(
    key="economy.park_service",
    title=_("Park enterprise service request"),
    prefix="QY",
    initial="submitted",
    filed_by=STAFF,
    reopen_days=15,
    categories={code: name for code, (name, _l) in CATEGORIES.items()},
    category_limits={code: {"handling": limit} for code, (_n, limit) in CATEGORIES.items()},
    states=(
        State("submitted", _("Submitted"), lane="responsible", limit=Limit(1, "days")),
        State("handling", _("Being handled"), lane="responsible", limit=Limit(5, "days")),
        State("finished", _("Finished"), lane="owner", limit=Limit(3, "days")),
        State("revisited", _("Revisited"), lane="none", final=True),
        State("rejected", _("Not accepted"), lane="none", final=True),
    ),
    transitions=(
        Transition("accept", _("Accept"), ("submitted",), "handling", (PARK,)),
        Transition("reject", _("Do not accept"), ("submitted",), "rejected", (PARK,), required=("note",), closes=True),
        Transition("finish", _("Finish"), ("handling",), "finished", (PARK,), required=("result",), closes=True),
        Transition("revisit", _("Revisit the enterprise"), ("finished",), "revisited", (OWNER,), rate=True,
                   required=("note",)),
        Transition("redo", _("Not satisfied: handle again"), ("finished",), "handling", (OWNER,),
                   required=("note",), reopen=True),
    ),
)
CASE_TYPE.validate()
