"""The economy module's services: the only part (with ``schemas``) other modules import.

Registry: ``scope_of(user)``, ``enterprises(scope, ...)``, ``enterprise_detail``, ``enterprise_by_uscc`` and
``enterprises_brief`` (plain ``EnterpriseBrief``), ``save_enterprise``, ``import_file`` (CSV/XLSX, all rows or
none), ``set_cloud`` and ``cloud_statistics`` (企业上云), ``save_park`` and ``parks``.
Service requests: ``request_service`` (a case of ``economy.park_service`` for the park's organisation),
``requests_of_park``. Energy: ``add_meter``, ``meters``, ``consumption`` (per day or month), ``park_breakdown``, ``check_anomalies``.
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
from smartcounty.domains.economy.services.requests import (  # noqa: F401
    CASE_TYPE_KEY,
    configure,
    request_service,
    requests_of_park,
)
