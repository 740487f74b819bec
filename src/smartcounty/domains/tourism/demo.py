"""Guan County tourism demo (labelled 示例): attractions with grades, opening hours, capacities computed by
LB/T 034-2014's area method, gate counters through sensing and two weeks of visitor history.
Grades, areas and capacities are illustrative values, not the attractions' approved figures."""

from datetime import time

from smartcounty.domains.tourism import capacity, feed, services
from smartcounty.domains.tourism.models import Attraction
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.sensing import services as sensing

# code, name, grade, lon, lat, (zone area m2, m2 per visitor) ..., open hours, visit hours, opens, closes
ATTRACTIONS = (
    ("T-PEAR", "冠县万亩梨园(示例)", 4, 115.520, 36.520, ((120_000, 60.0), (8_000, 5.0)), 10, 3, "07:30", "18:00"),
    ("T-WUXUN", "武训纪念馆(示例)", 3, 115.446, 36.490, ((3_200, 4.0),), 8, 1.5, "08:30", "17:00"),
    ("T-PARK", "县城湿地公园(示例)", 0, 115.430, 36.470, ((60_000, 30.0),), 14, 2, None, None),
)
HISTORY_DAYS = 14


def load(stdout=None):
    org = accounts.organisation_ids_by_code().get("culture-tourism")
    made = 0
    for code, name, grade, lon, lat, zones, open_h, visit_h, opens, closes in ATTRACTIONS:
        if Attraction.objects.filter(code=code).exists():
            continue
        thing = sensing.create_thing(f"gate-{code}", f"{name}闸机客流计数", lon=lon, lat=lat, kind="gate_counter",
                                     organisation_id=org, is_demo=True, properties={"demo": True},
                                     description="演示数据 / demo data")
        ins = sensing.create_datastream(thing, services.ENTRIES, expected_interval_s=300)
        outs = sensing.create_datastream(thing, services.EXITS, expected_interval_s=300)
        c1 = capacity.instantaneous_capacity(zones)
        services.create_attraction(code=code, name=name, a_level=grade, lon=lon, lat=lat, max_instant=c1,
                                   max_daily=capacity.daily_capacity(c1, open_h, visit_h),
                                   opens=time.fromisoformat(opens) if opens else None,
                                   closes=time.fromisoformat(closes) if closes else None,
                                   entries_datastream_id=ins.id, exits_datastream_id=outs.id)
        made += 1
    n = feed.backfill(HISTORY_DAYS)
    if stdout is not None:
        stdout.write(f"  tourism: {made} attractions, {n} gate counts")
