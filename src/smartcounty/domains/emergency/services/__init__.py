"""Emergency management services: the only part (with ``schemas``) other modules import.

Scope: ``reader(user)``, ``may``, ``require`` (the emergency bureau and the fire brigade; see ``scope``).
Resources: ``create_resource``, ``set_status``, ``add_member``, ``members``, ``create_shelter``, ``set_occupied``,
``resource_list``, ``resource_detail``, ``shelter_list``, ``counts``, ``map_points``; nearest by distance:
``nearest``, ``covering_shelters`` (``geo``). Stock ledger: ``receive``, ``issue``, ``transfer``, ``count``,
``stock_of``, ``ledger``, ``items``. Import: ``import_resources``, ``import_stock``. Incidents: ``open_incident``,
``open_from_alert``, ``open_from_case``, ``link``, ``set_level``, ``add_note``, ``give_task``, ``close_incident``,
``incident_list``, ``incident_detail``, ``command_view``, ``open_counts``. Warnings: ``publish_warning``,
``withdraw_warning``, ``cap_xml``, ``warnings_in_force``. Report: ``situation``, ``situation_pdf``. Fire IoT:
``fire`` (detectors, alarms, sweeps).
"""

from smartcounty.domains.emergency.services import fire  # noqa: F401
from smartcounty.domains.emergency.services.geo import covering_shelters, nearest  # noqa: F401
from smartcounty.domains.emergency.services.importer import import_resources, import_stock  # noqa: F401
from smartcounty.domains.emergency.services.incidents import (  # noqa: F401
    LEVEL_NAMES,
    SOURCE_NAMES,
    STATE_NAMES,
    add_note,
    close_incident,
    command_view,
    give_task,
    incident_detail,
    incident_list,
    link,
    open_counts,
    open_from_alert,
    open_from_case,
    open_incident,
    set_level,
    tasks_of,
    timeline,
)
from smartcounty.domains.emergency.services.ledger import (  # noqa: F401
    count,
    ensure_item,
    issue,
    items,
    ledger,
    receive,
    stock_of,
    stock_totals,
    transfer,
)
from smartcounty.domains.emergency.services.report import pdf as situation_pdf  # noqa: F401
from smartcounty.domains.emergency.services.report import situation  # noqa: F401
from smartcounty.domains.emergency.services.resources import (  # noqa: F401
    CLASS_NAMES,
    KIND_NAMES,
    STATUS_NAMES,
    add_member,
    counts,
    create_resource,
    create_shelter,
    map_points,
    members,
    resource_detail,
    resource_list,
    set_occupied,
    set_status,
    shelter_list,
)
from smartcounty.domains.emergency.services.scope import Scope, may, org_id, reader, require  # noqa: F401
from smartcounty.domains.emergency.services.warnings import cap_xml, warning, warning_by_identifier  # noqa: F401
from smartcounty.domains.emergency.services.warnings import in_force as warnings_in_force  # noqa: F401
from smartcounty.domains.emergency.services.warnings import publish as publish_warning  # noqa: F401
from smartcounty.domains.emergency.services.warnings import withdraw as withdraw_warning  # noqa: F401
