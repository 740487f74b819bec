"""GB/T 30428 component (部件) and event (事件) categories, and the city-management workflow (``data/workflow.yaml``).

部件 major classes 01-06 follow CJ/T 214 (succeeded by GB/T 30428.2): 公用设施, 道路交通, 市容环境,
园林绿化, 房屋土地, 其他设施 (standards-cn.md §5). The sub-class 0101 上水井盖 is confirmed by a
sample code (3205080101000001); the other sub-class numbers here are this county's own numbering,
because the standard's tables were not available. 事件 major classes 市容环境, 宣传广告, 施工管理,
突发事件, 街面秩序 are from public descriptions of the standard; their numeric codes are local too.

Category codes: ``C`` + 大类 2 + 小类 2 for components, ``E`` + 2 + 2 for events. They are the
Open311 ``service_code``s.
"""

from pathlib import Path

from smartcounty.foundation.cases.schemas import Limit, workflow_case_type

COMPONENT_MAJORS = {
    "01": "公用设施", "02": "道路交通", "03": "市容环境", "04": "园林绿化", "05": "房屋土地", "06": "其他设施",
}
EVENT_MAJORS = {"01": "市容环境", "02": "宣传广告", "03": "施工管理", "04": "突发事件", "05": "街面秩序"}

# code -> (name, handling limit in working hours)
COMPONENT_CATEGORIES = {
    "C0101": ("上水井盖", 4), "C0102": ("污水井盖", 4), "C0103": ("雨水井盖", 4), "C0104": ("电力井盖", 4),
    "C0105": ("通信井盖", 4), "C0106": ("消防栓", 8),
    "C0201": ("路灯", 15), "C0202": ("交通信号灯", 4), "C0203": ("交通护栏", 15), "C0204": ("公交站亭", 15),
    "C0205": ("道路指示牌", 15),
    "C0301": ("公共厕所", 15), "C0302": ("垃圾箱", 7.5), "C0303": ("户外广告牌", 22.5),
    "C0401": ("行道树", 15), "C0402": ("绿地", 22.5), "C0403": ("花坛", 22.5),
    "C0501": ("房屋", 22.5), "C0502": ("空地", 22.5),
    "C0601": ("健身设施", 15), "C0602": ("桥梁", 8),
}
EVENT_CATEGORIES = {
    "E0101": ("暴露垃圾", 4), "E0102": ("积存垃圾渣土", 7.5), "E0103": ("道路不洁", 4), "E0104": ("水域不洁", 7.5),
    "E0201": ("非法小广告", 7.5), "E0202": ("违规户外广告", 15),
    "E0301": ("施工扰民", 4), "E0302": ("施工占道", 7.5), "E0303": ("工地扬尘", 4),
    "E0401": ("路面塌陷", 2), "E0402": ("道路积水", 2), "E0403": ("井盖缺失", 2),
    "E0501": ("占道经营", 4), "E0502": ("无照游商", 4), "E0503": ("乱停乱放", 4),
}
CATEGORIES = {**COMPONENT_CATEGORIES, **EVENT_CATEGORIES}


def major_name(code: str) -> str:
    table = COMPONENT_MAJORS if code.startswith("C") else EVENT_MAJORS
    return table.get(code[1:3], "")


def category_name(code: str) -> str:
    return CATEGORIES[code][0] if code in CATEGORIES else code


CLOSED_STATES = ("closed", "evaluated", "rejected")
#: The workflow, as data (a workflow definition, see ``cases.workflow``).
WORKFLOW_FILE = Path(__file__).resolve().parent / "data" / "workflow.yaml"

CASE_TYPE = workflow_case_type(
    WORKFLOW_FILE,
    categories={code: name for code, (name, _h) in CATEGORIES.items()},
    category_limits={code: {"handling": Limit(hours, "hours")} for code, (_n, hours) in CATEGORIES.items()},
)
CASE_TYPE.validate()
