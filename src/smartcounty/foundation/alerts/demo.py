"""Demo rules for the Guan County demo network (loader order 40, after sensing's network at 30).

Idempotent: a rule is matched by name and never created twice or overwritten.

No rule per water-level station at its warning and guarantee marks: the water module judges every gauge
against its own marks and raises one flood alert per gauge (``water.live``); a rule at the same marks
would make a second alert for the same event.
"""

from smartcounty.foundation.alerts.models import Rule
from smartcounty.foundation.alerts.schemas import RuleIn
from smartcounty.foundation.alerts.services import create_rule

# PM2.5 thresholds (µg/m³) are the concentration limits at IAQI 100/150/200/300 in HJ 633-2012 table 1
# (75, 115, 150, 250): light, moderate, heavy and severe pollution.
DEMO_RULES = [
    RuleIn(name="PM2.5 分级告警（全县）", kind="multi_level", property="pm25", scope="county",
           params={"direction": "above", "levels": [75, 115, 150, 250], "hysteresis": 5, "duration": 300},
           description="HJ 633-2012: 75/115/150/250 µg/m³ (AQI 100/150/200/300)."),
    RuleIn(name="烟感报警", kind="threshold", property="smoke", scope="county", level=4,
           params={"op": "above", "value": 0}, description="Any smoke reading above 0."),
    RuleIn(name="烟感离线", kind="no_data", property="smoke", scope="county", level=1,
           description="A smoke detector stopped reporting."),
    RuleIn(name="水位快速上涨", kind="rate", property="water_level", scope="county", level=3,
           params={"limit": 0.3, "per": "hour", "window": 3600, "direction": "rise", "hysteresis": 0.1},
           description="Water level rising faster than 0.3 m per hour."),
    RuleIn(name="小时降雨量超过 30 毫米", kind="threshold", property="rainfall", scope="county", level=2,
           params={"op": "above", "value": 30, "hysteresis": 5},
           description="Heavy rain (CMA rainstorm blue signal: 50 mm in 12 h)."),
]


def load(stdout=None, **kwargs):
    made = 0
    for data in DEMO_RULES:
        if Rule.objects.filter(name=data.name).exists():
            continue
        create_rule(data.model_copy(deep=True))
        made += 1
    if stdout is not None:
        stdout.write(f"  alert rules: {made} created")
