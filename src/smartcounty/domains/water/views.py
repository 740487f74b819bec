"""Public water page: each gauge's latest level against its warning and guaranteed marks, and each rain
gauge's totals over 1/3/6/12/24 hours, and the county's drought watch over the last 30 days. Readable without signing in."""

from datetime import UTC, datetime, timedelta

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from smartcounty.domains.water import drought, live
from smartcounty.domains.water.levels import RAIN_WINDOWS_H, flood_state, rain_totals
from smartcounty.foundation.sensing import services as sensing

PAGE_SIZE = 50
MAX_RAIN_GAUGES = 50


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
    rain = []
    for ds in sensing.latest(property_code="rainfall").select_related("thing")[:MAX_RAIN_GAUGES]:
        start = now - timedelta(hours=max(RAIN_WINDOWS_H))
        values = [(sensing.from_ms(r[0]), r[2]) for r in
                  sensing.observations(ds.id, sensing.to_ms(start), sensing.to_ms(now) + 1, limit=10_000)]
        totals = rain_totals(values, now)
        rain.append({"name": ds.thing.name, "town": ds.town_code, "totals": [totals[w] for w in RAIN_WINDOWS_H]})
    return render(request, "water/index.html", {"page": page, "rows": rows, "rain": rain,
                                                "windows": RAIN_WINDOWS_H, "drought": drought.status(now),
                                                "min_days": drought.MIN_COVERED_DAYS})
