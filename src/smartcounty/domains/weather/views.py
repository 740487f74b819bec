"""Public weather-warnings page: the CMA signals in force for the county (live types) with their codes,
and the latest readings of the weather station. Readable without signing in."""

from django.shortcuts import render

from smartcounty.domains.weather import live
from smartcounty.domains.weather.signals import LEVEL_CODES, LEVEL_NAMES, MANUAL, TYPES
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel import registry, units

LEVEL_BY_RANK = {1: "blue", 2: "yellow", 3: "orange", 4: "red"}
READINGS = ("temperature", "humidity", "wind_speed", "wind_gust", "visibility", "rainfall", "pressure")
STATION_KIND = "weather"


def index(request):
    in_force = []
    for kind in live.LIVE_TYPES:
        found = alerts.find_open_alert(live.SOURCE, live.signal_key(kind))
        if found is not None:
            level = LEVEL_BY_RANK[found.level]
            in_force.append({"type": TYPES[kind][1], "level": level, "level_name": LEVEL_NAMES[level],
                             "code": TYPES[kind][0] + LEVEL_CODES[level]})
    zh = request.LANGUAGE_CODE.startswith("zh")
    readings = []
    for code in READINGS:
        station = sensing.latest_values(property_code=code, thing_kind=STATION_KIND, has_value=True).first()
        if station is not None:
            spec = registry.observed_properties.get(code)
            readings.append({"name": spec.name_zh if zh else spec.name_en, "value": station.last_value,
                             "unit": units.display(spec.unit)})
    return render(request, "weather/index.html", {
        "in_force": in_force, "readings": readings, "judged": [TYPES[k][1] for k in live.LIVE_TYPES],
        "manual": [TYPES[k][1] for k in MANUAL]})
