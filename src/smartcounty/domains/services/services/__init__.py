"""Government services (一网通办): the only part (with ``schemas``) other modules import.

Scope: ``reader(user)`` (the window and platform admins see every application, a department its own items',
a resident his own). Catalogue: ``search``, ``item_detail``, ``save_item``. Applications: ``submit``,
``step``, ``detail``, ``applications``, ``state_counts``, ``missing_materials``. Bundles (一件事): ``submit_bundle``,
``bundle_detail``, ``bundle_materials``. Licences: ``public_view``, ``licences_of``, ``qr_svg``. Evaluation:
``tasks``, ``rectify``, ``return_visit``. Statistics: ``totals``, ``by``.
"""

from smartcounty.domains.services.services.applications import (  # noqa: F401
    applications,
    detail,
    material_choices,
    missing_materials,
    state_counts,
    state_name,
    step,
    submit,
)
from smartcounty.domains.services.services.bundles import bundle_detail, bundle_materials, submit_bundle  # noqa: F401
from smartcounty.domains.services.services.evaluation import rectify, return_visit, tasks  # noqa: F401
from smartcounty.domains.services.services.items import (  # noqa: F401
    item_detail,
    open_data_rows,
    organisations_with_items,
    save_item,
    search,
    types,
)
from smartcounty.domains.services.services.licences import (  # noqa: F401
    licences_of,
    public_view,
    qr_svg,
    verify_path,
)
from smartcounty.domains.services.services.scope import Scope, reader, require_handler, window_id  # noqa: F401
from smartcounty.domains.services.services.stats import (  # noqa: F401
    by,
    level_counts,
    satisfaction_by_window,
    totals,
)
from smartcounty.domains.services.services.stats import open_data_rows as stats_open_data_rows  # noqa: F401

OPEN_DATA_ITEMS = "218001/00101"
OPEN_DATA_STATS = "218001/00102"
