"""Public air-quality page: the stations on a map coloured by their latest hourly AQI category (HJ 633),
each station's AQI trend over the last three days with its 72-hour forecast, the forecast's backtest
against persistence, the county's heavy-pollution warning and the category table. Readable without
signing in (residents)."""

from datetime import UTC, datetime

from django.apps import apps
from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from smartcounty.domains.environment import forecasting, live, outputs
from smartcounty.domains.environment.aqi import CATEGORIES, category_for
from smartcounty.domains.environment.warnings import DEFAULT_SCHEME, LEVEL_NAMES, LEVEL_RANK
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing

PAGE_SIZE = 50
TREND_HOURS = 72
HOUR_MS = 3_600_000
LEVEL_BY_RANK = {rank: level for level, rank in LEVEL_RANK.items()}


def _towns() -> dict:
    if not apps.is_installed("smartcounty.foundation.places"):
        return {"type": "FeatureCollection", "features": []}
    from smartcounty.foundation.places import services as places

    return places.town_geojson()


def index(request):
    town = request.GET.get("town", "")
    town = town if town.isdigit() and len(town) == 9 else ""
    qs = sensing.latest_values(property_code=live.AQI_PROPERTY, town=town or None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    runs = {r.thing_id: r for r in forecasting.latest_runs(ds.thing_id for ds in page.object_list)}
    rows, stations = [], []
    for ds in page.object_list:
        value = ds.last_value
        category = None if value is None else category_for(value)
        run = runs.get(ds.thing_id)
        trend = []
        if ds.last_ms is not None:
            since = ds.last_ms - (TREND_HOURS - 1) * HOUR_MS
            trend = [[ms, r] for ms, _, r, _, _ in sensing.observations(ds.id, since, ds.last_ms + 1, limit=TREND_HOURS)
                     if r is not None]
        # A run is shown as a forecast only when its backtest beats persistence (forecasting.status).
        published = run is not None and forecasting.beats_persistence(run)
        ahead = [[sensing.to_ms(v.target), v.aqi] for v in run.values.all()] if published else []
        next_day = [v for _, v in ahead[:24]]
        rows.append({
            "name": ds.thing_name, "town": ds.town_code, "aqi": None if value is None else int(value),
            "category": category,
            "time": None if ds.last_ms is None else datetime.fromtimestamp(ds.last_ms / 1000, UTC),
            "next_max": round(max(next_day)) if next_day else None,
            "next_category": category_for(max(next_day)) if next_day else None,
            "run": run, "status": forecasting.status(run) if run else None,
            "status_label": outputs.status_label(forecasting.status(run)) if run else "",
        })
        stations.append({
            "id": ds.thing_id, "name": ds.thing_name, "lon": ds.lon, "lat": ds.lat,
            "aqi": None if value is None else int(value),
            "colour": category.hex if category else "#9e9e9e",
            "category": str(category.name) if category else "",
            "trend": trend, "forecast": ahead,
        })
    warning = alerts.find_open_alert(live.SOURCE, live.WARNING_KEY)
    level = LEVEL_BY_RANK.get(warning.level) if warning else None
    return render(request, "environment/index.html", {
        "page": page, "rows": rows, "town": town, "categories": CATEGORIES,
        "warning_level": level, "warning_name": LEVEL_NAMES.get(level) if level else None,
        "scheme": DEFAULT_SCHEME, "stations": stations, "towns_geojson": _towns(),
        "skill": forecasting.pooled_skill(forecasting.latest_runs(values=False)),
        "tile_url": getattr(settings, "SMARTCOUNTY_TILE_URL", "") or "",
        "tile_attribution": getattr(settings, "SMARTCOUNTY_TILE_ATTRIBUTION", "") or "",
    })
