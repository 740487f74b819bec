"""Market supervision services: the only part (with ``schemas``) other modules import.

Scope: ``reader(user)`` (the bureau's staff and platform admins see everything, nobody else anything).
Equipment: ``create_equipment``, ``record_inspection``, ``set_interval``, ``equipment_list``, ``equipment_detail``,
``unit_info``; due/overdue in bulk: ``due_summary``, ``check_due`` (reminders, overdue alerts); trapping alarms
from sensing (``trapping``). Food: ``create_business``, ``assess``, ``inspect``, ``businesses``, ``business_detail``.
Import: ``import_csv``.
"""

from smartcounty.domains.market.services.due import (  # noqa: F401
    check_due,
    due_summary,
    runner,
    send_notices,
    unit_counts,
)
from smartcounty.domains.market.services.equipment import (  # noqa: F401
    KIND_NAMES,
    STATES,
    TASK_NAMES,
    create_equipment,
    ensure_kind_rules,
    equipment_detail,
    equipment_list,
    kind_rules,
    link_sensor,
    record_inspection,
    set_interval,
    state_of,
    today,
    unit_info,
)
from smartcounty.domains.market.services.food import (  # noqa: F401
    CATEGORY_NAMES,
    assess,
    business_detail,
    businesses,
    create_business,
    grade_counts,
    inspect,
)
from smartcounty.domains.market.services.importer import import_csv  # noqa: F401
from smartcounty.domains.market.services.scope import Scope, bureau_id, may, reader, require  # noqa: F401
