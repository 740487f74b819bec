"""The Guan County demo sensor network (all of it labelled demo data).

Air stations and rain gauges stand at their town's point from places (``places.services.town_points``:
a point inside the town's shape, the one source of town names, codes and points for every demo). Other
stations have fixed approximate coordinates (WGS84), good for a map at county scale, not survey
positions; places decides their town and grid. The 卫运河 (Wei Canal) forms the county's western border with Hebei;
the water-level stations, warning and guarantee levels are illustrative values, not the water
bureau's official marks.
"""

from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.places import services as places
from smartcounty.foundation.sensing import services

AIR = ("pm25", "pm10", "so2", "no2", "co", "o3")
# code, name, lon, lat, town, base level (m), warning level, guarantee level
WATER = (
    ("water-wei-beiguantao", "卫运河北馆陶水位站(示例)", 115.282, 36.525, "371525106", 37.6, 40.5, 41.8),
    ("water-wei-donggucheng", "卫运河东古城水位站(示例)", 115.298, 36.630, "371525105", 37.1, 40.0, 41.3),
    ("water-wei-dianzi", "卫运河店子水位站(示例)", 115.318, 36.350, "371525107", 38.2, 41.0, 42.3),
    ("water-reservoir-north", "县城北调蓄水库水位站(示例)", 115.452, 36.535, "371525003", 36.0, 38.2, 39.0),
)
RAIN = ("371525001", "371525101", "371525103", "371525105", "371525110", "371525209")
WEATHER = ("temperature", "humidity", "wind_speed", "wind_gust", "visibility", "pressure", "rainfall")
# code, name, lon, lat, town, lanes
TRAFFIC = (
    ("traffic-g309-east", "G309国道城东检测器(示例)", 115.495, 36.482, "371525002", 4),
    ("traffic-g309-west", "G309国道城西检测器(示例)", 115.395, 36.488, "371525112", 4),
    ("traffic-g22-exit", "G22青兰高速冠县出入口检测器(示例)", 115.520, 36.455, "371525110", 6),
    ("traffic-town-centre", "县城中心路口检测器(示例)", 115.447, 36.480, "371525001", 2),
)
# code, name, lon, lat, town
BUILDINGS = (
    ("smoke-hospital", "县人民医院烟感(示例)", 115.452, 36.485, "371525001"),
    ("smoke-school", "县第一中学烟感(示例)", 115.438, 36.477, "371525002"),
    ("smoke-service-centre", "县政务服务中心烟感(示例)", 115.462, 36.490, "371525001"),
    ("smoke-library", "县图书馆烟感(示例)", 115.449, 36.495, "371525003"),
    ("smoke-stadium", "县体育馆烟感(示例)", 115.470, 36.470, "371525002"),
)
ORGS = {"air": "ecology-environment", "water": "water", "rain": "water", "weather": "meteorology",
        "traffic": "transport", "smoke": "fire-rescue"}


def load(stdout=None) -> int:
    """Create the demo things and datastreams (idempotent). Returns the number of datastreams."""
    services.sync_observed_properties()
    org_ids = accounts.organisation_ids_by_code()
    org = {kind: org_ids.get(code) for kind, code in ORGS.items()}
    n = 0

    def thing(code, name, lon, lat, town, kind, props=None):
        return services.create_thing(code, name, lon=lon, lat=lat, kind=kind, organisation_id=org[kind],
                                     properties=dict(props or {}, demo=True), is_demo=True, town_code=town,
                                     description="演示数据 / demo data")

    towns = {t.code: t for t in places.town_points() if t.lon is not None}
    for i, town in enumerate(towns.values()):
        t = thing(f"air-{town.code}", f"{town.name}空气质量监测站(示例)", town.lon, town.lat, town.code, "air",
                  {"station": i})
        for prop in AIR:
            services.create_datastream(t, prop, expected_interval_s=60)
            n += 1
    for i, (code, name, lon, lat, town, base, warn, guarantee) in enumerate(WATER):
        t = thing(code, name, lon, lat, town, "water",
                  {"station": i, "base_level": base, "warning_level": warn, "guarantee_level": guarantee})
        services.create_datastream(t, "water_level", expected_interval_s=300)
        n += 1
    for i, code in enumerate(c for c in RAIN if c in towns):
        town = towns[code]
        t = thing(f"rain-{code}", f"{town.name}雨量站(示例)", town.lon + 0.0005, town.lat + 0.0005, code, "rain",
                  {"station": i})
        services.create_datastream(t, "rainfall", expected_interval_s=300)
        n += 1
    t = thing("weather-county", "冠县气象观测站(示例)", 115.437, 36.493, "371525003", "weather", {"station": 0})
    for prop in WEATHER:
        services.create_datastream(t, prop, expected_interval_s=60)
        n += 1
    for i, (code, name, lon, lat, town, lanes) in enumerate(TRAFFIC):
        t = thing(code, name, lon, lat, town, "traffic", {"station": i, "lanes": lanes})
        for prop in ("traffic_flow", "traffic_speed"):
            services.create_datastream(t, prop, expected_interval_s=60)
            n += 1
    for i, (code, name, lon, lat, town) in enumerate(BUILDINGS):
        t = thing(code, name, lon, lat, town, "smoke", {"station": i})
        services.create_datastream(t, "smoke", expected_interval_s=300)
        services.create_datastream(t, "battery", expected_interval_s=3600)
        n += 2
    if stdout is not None:
        stdout.write(f"  sensing: {n} demo datastreams")
    return n
