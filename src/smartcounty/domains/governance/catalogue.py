"""Social-governance field events and their workflow (``data/workflow.yaml``): 上报 → 受理 → 分流 → 办理 → 办结 → 回访."""

from pathlib import Path

from smartcounty.foundation.cases.schemas import Limit, workflow_case_type

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
#: The workflow, as data (a workflow definition, see ``cases.workflow``).
WORKFLOW_FILE = Path(__file__).resolve().parent / "data" / "workflow.yaml"

CASE_TYPE = workflow_case_type(
    WORKFLOW_FILE,
    categories={code: name for code, (name, _l) in CATEGORIES.items()},
    category_limits={code: {"handling": limit} for code, (_n, limit) in CATEGORIES.items()},
)
CASE_TYPE.validate()
