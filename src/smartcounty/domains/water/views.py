"""Public water page: each gauge's latest level against its warning and guaranteed marks, and each rain
gauge's totals over 1/3/6/12/24 hours, and the county's drought watch over the last 30 days. Readable without signing in."""

from datetime import UTC, datetime

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from smartcounty.domains.water import drought, live, quality
from smartcounty.domains.water.levels import RAIN_WINDOWS_H, flood_state
from smartcounty.foundation.sensing import services as sensing

PAGE_SIZE = 50
MAX_RAIN_GAUGES = 50


def rain_rows(now: datetime) -> list[dict]:
    """The first MAX_RAIN_GAUGES rain gauges with their totals over each of RAIN_WINDOWS_H, summed by the
    database (``sensing.window_stats``: the hourly rollup and the partial hours at the ends), one query per
    window whatever the number of gauges and readings. Same figures as ``levels.rain_totals`` over the rows:
    (now - w h, now], start excluded, ``now`` included, missing results ignored, a negative amount in the
    longest window a ValueError."""
    gauges = sensing.latest_values(property_code="rainfall")[:MAX_RAIN_GAUGES]
    if not gauges:
        return []
    ids = [ds.id for ds in gauges]
    sums = {w: sensing.trailing_stats(ids, now, w) for w in RAIN_WINDOWS_H}
    if any(s[2] < 0 for s in sums[max(RAIN_WINDOWS_H)].values()):
        raise ValueError("rain amounts cannot be negative")
    return [{"id": ds.id, "name": ds.thing_name, "town": ds.town_code, "lon": ds.lon, "lat": ds.lat,
             "totals": [sums[w][ds.id][1] if ds.id in sums[w] else 0.0 for w in RAIN_WINDOWS_H]} for ds in gauges]


def index(request):
    gauges = Paginator(sensing.latest_values(property_code=live.LEVEL_PROPERTY), PAGE_SIZE)
    page = gauges.get_page(request.GET.get("page"))
    rows = []
    for ds in page.object_list:
        warning, guaranteed = live.marks(ds.thing_properties)
        state = None
        if ds.last_value is not None and warning is not None and (guaranteed is None or guaranteed >= warning):
            state = flood_state(ds.last_value, warning, guaranteed)
        rows.append({"id": ds.id, "name": ds.thing_name, "town": ds.town_code, "lon": ds.lon, "lat": ds.lat,
                     "level": ds.last_value, "warning": warning,
                     "guaranteed": guaranteed, "state": state,
                     "time": None if ds.last_ms is None else datetime.fromtimestamp(ds.last_ms / 1000, UTC)})
    now = timezone.now()
    rain = rain_rows(now)
    status = drought.status(now)
    stations = quality.stations()
    points = ([{"kind": "level", "id": r["id"], "name": r["name"], "lon": r["lon"], "lat": r["lat"],
                "label": "" if r["level"] is None else f"{r['level']:.2f} m",
                "state": r["state"].state if r["state"] else ""} for r in rows]
              + [{"kind": "rain", "id": g["id"], "name": g["name"], "lon": g["lon"], "lat": g["lat"],
                  "label": f"{g['totals'][-1]:.1f} mm / 24 h", "state": ""} for g in rain]
              + [{"kind": "quality", "id": q["station_id"], "name": q["station"], "lon": q["lon"], "lat": q["lat"],
                  "label": q["class_label"] or "", "state": quality.CLASS_COLOURS.get(q["water_class"], "")}
                 for q in stations])
    return render(request, "water/index.html", {
        "page": page, "rows": rows, "rain": rain, "windows": RAIN_WINDOWS_H, "drought": status,
        "min_days": drought.MIN_COVERED_DAYS, "most_days": max(status.covered_days, default=0),
        "quality": stations, "points": [p for p in points if p["lon"] is not None and p["lat"] is not None],
        "level_gauges": [{"id": r["id"], "name": r["name"], "warning": r["warning"], "guaranteed": r["guaranteed"]}
                         for r in rows],
        "rain_gauges": [{"id": g["id"], "name": g["name"]} for g in rain],
    })
