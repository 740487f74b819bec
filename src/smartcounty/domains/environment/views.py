"""Public air-quality page: every station's latest hourly AQI with its HJ 633 category and colour, the
county's heavy-pollution warning and the category table. Readable without signing in (residents)."""

from datetime import UTC, datetime

from django.core.paginator import Paginator
from django.shortcuts import render

from smartcounty.domains.environment import live
from smartcounty.domains.environment.aqi import CATEGORIES, category_for
from smartcounty.domains.environment.warnings import DEFAULT_SCHEME, LEVEL_NAMES, LEVEL_RANK
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing

PAGE_SIZE = 50
LEVEL_BY_RANK = {rank: level for level, rank in LEVEL_RANK.items()}


def index(request):
    town = request.GET.get("town", "")
    town = town if town.isdigit() and len(town) == 9 else ""
    qs = sensing.latest(property_code=live.AQI_PROPERTY, town=town or None).select_related("thing")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for ds in page.object_list:
        value = ds.last_value
        rows.append({
            "name": ds.thing.name, "town": ds.town_code, "aqi": None if value is None else int(value),
            "category": None if value is None else category_for(value),
            "time": None if ds.last_ms is None else datetime.fromtimestamp(ds.last_ms / 1000, UTC),
        })
    warning = alerts.find_open_alert(live.SOURCE, live.WARNING_KEY)
    level = LEVEL_BY_RANK.get(warning.level) if warning else None
    return render(request, "environment/index.html", {
        "page": page, "rows": rows, "town": town, "categories": CATEGORIES,
        "warning_level": level, "warning_name": LEVEL_NAMES.get(level) if level else None,
        "scheme": DEFAULT_SCHEME,
    })
