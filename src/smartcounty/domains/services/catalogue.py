"""Fixed tables of the services module and the application workflow (``data/application.yaml``).

Item codes follow the shape of GB/T 39554.1-2020 (政务服务事项编码): the county's division code (6), the item
type (2, the national 事项类型 codes: 01 行政许可, 05 行政给付, 07 行政确认, 08 行政奖励, 09 行政裁决, 10 其他行政权力,
11 行政备案, 20 公共服务), the competent department (3), the main item (3), the sub-item (3) and the handling
item by situation (2: 00 none, 01 新设, 02 变更, 03 延续, 04 注销). The department and sequence numbers are this
county's own numbering.

The promised limit of each item is the legal limit of its applications: ``ITEM_LIMITS`` maps an item code (the
case's category) to it, read from the items table (so an item added in the admin needs no release).
"""

import re
import threading
from collections.abc import Mapping
from pathlib import Path

from smartcounty.foundation.cases.schemas import Limit, workflow_case_type

CODE_RE = re.compile(r"^371525(01|05|07|08|09|10|11|20)\d{3}\d{3}\d{3}(00|01|02|03|04)$")
KEY = "services.application"
#: 即办件: an item promised on the spot has one working day (the day it is taken in).
INSTANT_LIMIT = Limit(1, "days")
#: The window: every department's items are taken in and delivered here (一窗受理).
WINDOW_CODE = "approval"
#: Levels of 好差评 (GB/T 39735-2020), 5 best.
LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
POOR = (1, 2)
#: Working days a poor rating's rectification has (GB/T 39735: 差评 整改 within 15 working days).
RECTIFY_DAYS = 15
#: Steps that end an application (the on-time flag is read there).
DONE_STATES = ("closed", "evaluated", "refused", "denied")
ONLINE_DEPTHS = {1: "一级（信息发布）", 2: "二级（在线下载表格）", 3: "三级（在线预审）", 4: "四级（全程网办）"}


def valid_code(code: str) -> bool:
    return bool(CODE_RE.match(code or ""))


class ItemLimits(Mapping):
    """item code -> its promised limit, read from the items table once per generation (``changed()``)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._table: dict[str, Limit] | None = None

    def _load(self) -> dict[str, Limit]:
        table = self._table
        if table is None:
            from smartcounty.domains.services.models import ServiceItem

            with self._lock:
                table = {code: (INSTANT_LIMIT if days == 0 else Limit(days, "days"))
                         for code, days in ServiceItem.objects.values_list("code", "promised_days")}
                self._table = table
        return table

    def changed(self) -> None:
        self._table = None

    def __getitem__(self, code):
        return self._load()[code]

    def get(self, code, default=None):
        if not code:
            return default
        return self._load().get(code, default)

    def __iter__(self):
        return iter(self._load())

    def __len__(self):
        return len(self._load())


ITEM_LIMITS = ItemLimits()
WORKFLOW_FILE = Path(__file__).resolve().parent / "data" / "application.yaml"
CASE_TYPE = workflow_case_type(WORKFLOW_FILE, category_legal_limits=ITEM_LIMITS)
CASE_TYPE.validate()
