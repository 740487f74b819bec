"""The economy module's services: the only part (with ``schemas``) other modules import.

Registry: ``scope_of(user)``, ``enterprises(scope, ...)``, ``enterprise_detail``, ``enterprise_by_uscc`` and
``enterprises_brief`` (plain ``EnterpriseBrief``), ``save_enterprise``, ``import_file`` (CSV/XLSX, all rows or
none), ``set_cloud`` and ``cloud_statistics`` (企业上云), ``save_park`` and ``parks``.
Energy: ``add_meter``, ``meters``, ``consumption`` (per day or month), ``park_breakdown``, ``check_anomalies``.
"""

from smartcounty.domains.economy.services.energy import (  # noqa: F401
    PROPERTIES,
    UNITS,
    add_meter,
    anomaly_level,
    check_anomalies,
    consumption,
    meters,
    on_observations,
    park_breakdown,
)
from smartcounty.domains.economy.services.importer import import_file  # noqa: F401
from smartcounty.domains.economy.services.registry import (  # noqa: F401
    KIND_NAMES,
    LEVEL_NAMES,
    SIZE_NAMES,
    Scope,
    clean,
    cloud_statistics,
    enterprise_by_uscc,
    enterprise_detail,
    enterprises,
    enterprises_brief,
    owner_organisation_id,
    park_in_scope,
    parks,
    require_manage,
    require_scope,
    save_enterprise,
    save_park,
    scope_of,
    set_cloud,
)
