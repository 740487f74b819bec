"""Demo water-quality stations (loader order 35, after sensing's network at 30): three automatic stations of
the ecology and environment bureau, fed by the sensing simulator (kind ``water_quality``). Positions and
levels are illustrative demo data, not monitoring results. Idempotent."""

from smartcounty.domains.water.quality import KIND
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.sensing import services as sensing

PARAMETERS = ("ph", "dissolved_oxygen", "codmn", "nh3n", "tp")
# code, name, lon, lat, town, water body (simulator station index = position)
STATIONS = (
    ("wq-reservoir-north", "县城北调蓄水库水质自动站(示例)", 115.455, 36.538, "371525003", "lake"),
    ("wq-wei-donggucheng", "卫运河东古城水质自动站(示例)", 115.300, 36.632, "371525105", "river"),
    ("wq-wei-dianzi", "卫运河店子水质自动站(示例)", 115.320, 36.352, "371525107", "river"),
)


def load(stdout=None, **kwargs) -> int:
    sensing.sync_observed_properties()
    org = accounts.organisation_ids_by_code().get("ecology-environment")
    n = 0
    for i, (code, name, lon, lat, town, body) in enumerate(STATIONS):
        thing = sensing.create_thing(code, name, lon=lon, lat=lat, kind=KIND, organisation_id=org,
                                     properties={"station": i, "water_body": body, "demo": True}, is_demo=True,
                                     town_code=town, description="演示数据 / demo data")
        for prop in PARAMETERS:
            sensing.create_datastream(thing, prop, expected_interval_s=3600)
            n += 1
    if stdout is not None:
        stdout.write(f"  water: {len(STATIONS)} demo water-quality stations, {n} datastreams")
    return n
