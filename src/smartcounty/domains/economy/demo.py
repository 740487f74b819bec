"""Guan County enterprises and parks for the demo: the catalog's "companies" names with valid credit codes,
two parks with meters and five weeks of hourly readings (one enterprise uses far more on its last day)."""

import math
import random
from datetime import UTC, date, datetime, timedelta

from django.db import transaction

from smartcounty.domains.economy import services
from smartcounty.domains.economy.models import Enterprise
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.places import services as places
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel import codes

PARKS = (("gx-econ-dev-zone", "冠县经济开发区", 820.0), ("gx-steel-park", "冠县新型板材产业园", 360.0))
TRADES = (("农业", "A01"), ("纺织", "C17"), ("机械", "C34"), ("食品", "C13"), ("物流", "G54"), ("板材", "C33"))
PROVIDERS = ("天翼云", "移动云", "华为云", "阿里云", "浪潮云")
HOURS = 35 * 24


def make_uscc(serial: int, division: str = "371525") -> str:
    """A valid GB 32100 code of a Guan County enterprise (authority 9, type 1) with a GB 11714 organisation code."""
    body8 = f"MA{serial:06d}"
    org = body8 + codes.org_code_check_char(body8)
    first17 = "91" + division + org
    return first17 + codes.uscc_check_char(first17)


def _consumption(ent_index: int, hour_ms: int, spike: bool) -> float:
    h = ((hour_ms // 3_600_000) + 8) % 24
    work = 1.0 if 8 <= h < 18 else 0.35
    base = 40 + 15 * (ent_index % 4)
    value = base * work * (1 + 0.1 * math.sin(hour_ms / 7_200_000 + ent_index))
    return round(value * (2.6 if spike else 1.0), 2)


def load(stdout=None):
    accounts.ensure_plan_organisations()
    ids = accounts.organisation_ids_by_code()
    towns = places.town_points()
    if not towns:
        return
    with transaction.atomic():
        park_ids = [services.save_park(code=code, name=name, town_code=towns[0].code, area_ha=area,
                                       organisation_id=ids.get("development-zone"), lon=towns[0].lon,
                                       lat=towns[0].lat, description="演示园区")
                    for code, name, area in PARKS]
        rng = random.Random(371525)
        for n in range(24):
            trade, industry = TRADES[n % len(TRADES)]
            town = towns[n % len(towns)]
            park = PARKS[n % 2][1] if n < 12 else ""
            services.save_enterprise({
                "uscc": make_uscc(n + 1), "name": f"冠县演示{trade}有限公司{n + 1}", "industry": industry,
                "kind": "cooperative" if trade == "农业" else "limited", "town": town.code, "park": park,
                "size": ("medium", "small", "micro")[n % 3], "contact_name": f"{'王李张刘陈杨赵黄'[n % 8]}经理",
                "contact_phone": f"1380635{n:04d}", "address": f"山东省聊城市冠县{town.name}演示路{n + 1}号",
                "registered_on": (date(2012, 3, 1) + timedelta(days=131 * n)).isoformat()}, source="demo")
        ents = list(Enterprise.objects.filter(source="demo").order_by("id"))
        for i, e in enumerate(ents):
            if i % 3 != 2:
                services.set_cloud(e.pk, level=1 + i % 3, provider=PROVIDERS[i % len(PROVIDERS)],
                                   since=date(2020, 1, 1) + timedelta(days=60 * i))
        metered = [e for e in ents if e.park_id in park_ids]
        meters = []
        for i, e in enumerate(metered):
            lon = (towns[0].lon or 115.44) + rng.uniform(-0.01, 0.01)
            lat = (towns[0].lat or 36.48) + rng.uniform(-0.01, 0.01)
            meters.append((i, services.add_meter(e.pk, kind="electricity", code=f"GX-E-{e.uscc[-6:]}", lon=lon,
                                                 lat=lat, is_demo=True)))
            if i % 2 == 0:
                services.add_meter(e.pk, kind="water", code=f"GX-W-{e.uscc[-6:]}", lon=lon, lat=lat, is_demo=True)
    services.configure()
    if not services.requests_of_park(services.Scope(True), park_ids[0]):
        first = next(e for e in ents if e.park_id == park_ids[0])
        services.request_service(first.pk, category="S03", title="新厂房申请增容用电",
                                 description="新建车间需增容至1250千伏安（示例数据）")
        services.request_service(first.pk, category="S05", title="招聘数控技工20名",
                                 description="请园区协助对接县人社局招聘会（示例数据）")
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(hours=HOURS)
    items_total = 0
    for i, m in meters:
        if sensing.count_observations(m["datastream_id"]) > 0:
            continue
        items = [{"datastream": m["datastream_id"],
                  "phenomenonTime": (start + timedelta(hours=k)).isoformat(),
                  "result": _consumption(i, sensing.to_ms(start + timedelta(hours=k)), i == 0 and k >= HOURS - 24)}
                 for k in range(HOURS)]
        sensing.ingest(items, source="demo", publish=False)
        items_total += len(items)
    services.check_anomalies(now)
    if stdout:
        stdout.write(f"  economy: {len(ents)} enterprises, {len(PARKS)} parks, {len(meters)} electricity meters, "
                     f"{items_total} readings")
