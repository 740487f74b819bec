"""Fixed tables of emergency management: incident levels, the shelter classes of GB/T 44013-2024, and the two
workflows (``data/workflow.yaml`` tasks to teams, ``data/maintenance.yaml`` detector repairs)."""

from pathlib import Path

from smartcounty.foundation.cases.schemas import workflow_case_type

#: 突发事件分级 (《中华人民共和国突发事件应对法》: 特别重大、重大、较大、一般), with the alert colour each maps
#: to on the platform (1 blue ... 4 red) and the CAP severity.
LEVELS = {1: ("一般", "Minor"), 2: ("较大", "Moderate"), 3: ("重大", "Severe"), 4: ("特别重大", "Extreme")}
LEVEL_BY_NAME = {name: n for n, (name, _cap) in LEVELS.items()}

#: GB/T 44013-2024 classes by 避难时长 (duration of refuge): (name, longest stay in days (None: longer),
#: least effective area per person in m², largest service radius in m). The values are this platform's
#: reading of the standard's class indicators; a county may keep stricter ones.
SHELTER_CLASSES = {
    "urgent": ("紧急避难场所", 3, 1.0, 1000),
    "short": ("短期避难场所", 15, 2.0, 2500),
    "medium": ("中期避难场所", 30, 3.0, 5000),
    "long": ("长期避难场所", None, 4.5, 10000),
}


def shelter_capacity(shelter_class: str, effective_area_m2: float) -> int:
    """Persons a shelter of this class can take: its effective area over the class's area per person, floored."""
    per_person = SHELTER_CLASSES[shelter_class][2]
    return int(effective_area_m2 // per_person) if effective_area_m2 > 0 else 0


#: Incident kinds (a few words; alerts map onto them by property).
KINDS = {"fire": "火灾", "flood": "洪涝", "pollution": "重污染", "accident": "事故灾难", "hazmat": "危化品泄漏",
         "earthquake": "地震", "public_health": "公共卫生", "other": "其他"}
KIND_BY_PROPERTY = {"smoke": "fire", "temperature_fire": "fire", "water_level": "flood", "pm25": "pollution",
                    "aqi": "pollution", "rain_1h": "flood"}

DATA = Path(__file__).resolve().parent / "data"
TASK_TYPE = workflow_case_type(DATA / "workflow.yaml")
MAINTENANCE_TYPE = workflow_case_type(DATA / "maintenance.yaml")
TASK_OPEN_STATES = ("issued", "accepted", "on_site")
