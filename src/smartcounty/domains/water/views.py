"""Public water page: each gauge's latest level against its warning and guaranteed marks, and each rain
gauge's totals over 1/3/6/12/24 hours, and the county's drought watch over the last 30 days. Readable without signing in."""

from datetime import UTC, datetime

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from smartcounty.domains.water import drought, live
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
    gauges = list(sensing.latest(property_code="rainfall").select_related("thing")[:MAX_RAIN_GAUGES])
    if not gauges:
        return []
    ids = [ds.id for ds in gauges]
    sums = {w: sensing.trailing_stats(ids, now, w) for w in RAIN_WINDOWS_H}
    if any(s[2] < 0 for s in sums[max(RAIN_WINDOWS_H)].values()):
        raise ValueError("rain amounts cannot be negative")
    return [{"name": ds.thing.name, "town": ds.town_code,
             "totals": [sums[w][ds.id][1] if ds.id in sums[w] else 0.0 for w in RAIN_WINDOWS_H]} for ds in gauges]


def index(request):
    gauges = Paginator(sensing.latest(property_code=live.LEVEL_PROPERTY).select_related("thing"), PAGE_SIZE)
    page = gauges.get_page(request.GET.get("page"))
    rows = []
    for ds in page.object_list:
        warning, guaranteed = live.marks(ds.thing)
        state = None
        if ds.last_value is not None and warning is not None and (guaranteed is None or guaranteed >= warning):
            state = flood_state(ds.last_value, warning, guaranteed)
        rows.append({"name": ds.thing.name, "town": ds.town_code, "level": ds.last_value, "warning": warning,
                     "guaranteed": guaranteed, "state": state,
                     "time": None if ds.last_ms is None else datetime.fromtimestamp(ds.last_ms / 1000, UTC)})
    now = timezone.now()
    rain = rain_rows(now)
    return render(request, "water/index.html", {"page": page, "rows": rows, "rain": rain,
                                                "windows": RAIN_WINDOWS_H, "drought": drought.status(now),
                                                "min_days": drought.MIN_COVERED_DAYS})
