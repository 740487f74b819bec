"""Guan County farms for the demo: a pear orchard of a farmer (ID number) and a wheat cooperative (credit
code) with plots, seasons, a soil-moisture probe, a field weather station and a pear-moth trap fed with two
days of hourly readings (the trap's last day is over its threshold), and two advisories."""

import math
from datetime import UTC, date, datetime, timedelta

from django.db import transaction

from smartcounty.domains.agriculture import services
from smartcounty.domains.agriculture.models import Farm
from smartcounty.foundation.places import services as places
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel import codes


def _square(lon, lat, d):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d],
                                                [lon, lat]]]}


def _uscc(serial: int) -> str:
    org8 = f"NA{serial:06d}"
    first17 = "93371525" + org8 + codes.org_code_check_char(org8)
    return first17 + codes.uscc_check_char(first17)


def load(stdout=None):
    if Farm.objects.filter(name__endswith="（演示）").exists():
        return
    towns = places.town_points()
    if not towns:
        return
    t = towns[0]
    lon, lat = (t.lon or 115.44), (t.lat or 36.48)
    today = date.today()
    rid17 = "37152519700101" + "123"
    with transaction.atomic():
        orchard = services.create_farm(name="清泉鸭梨果园（演示）", operator_kind="id",
                                       operator_code=rid17 + codes.resident_id_check_char(rid17),
                                       operator_name="王秀英", town_code=t.code, lon=lon, lat=lat)
        coop = services.create_farm(name="冠县演示小麦种植合作社（演示）", operator_kind="uscc", operator_code=_uscc(1),
                                    operator_name="冠县演示小麦种植专业合作社", town_code=t.code, lon=lon + 0.02,
                                    lat=lat)
        p1 = services.add_plot(orchard, name="东园", geometry=_square(lon, lat, 0.004))
        p2 = services.add_plot(orchard, name="西园", geometry=_square(lon - 0.005, lat, 0.003))
        p3 = services.add_plot(coop, name="一号地块", geometry=_square(lon + 0.02, lat, 0.01))
        services.add_season(p1, crop="pear", sown_on=today - timedelta(days=200), harvest_on=today + timedelta(days=30))
        services.add_season(p2, crop="pear", sown_on=today - timedelta(days=200), harvest_on=today + timedelta(days=30))
        services.add_season(p3, crop="wheat", sown_on=today - timedelta(days=40), harvest_on=today + timedelta(days=200))
        trap = services.add_sensor(orchard, kind="pest_trap", code="GX-TRAP-01", lon=lon + 0.001, lat=lat + 0.001,
                                   pest="梨小食心虫", threshold=15, is_demo=True)
        soil = services.add_sensor(coop, kind="soil", code="GX-SOIL-01", lon=lon + 0.025, lat=lat + 0.005,
                                   is_demo=True)
        wx = services.add_sensor(orchard, kind="weather", code="GX-AGWX-01", lon=lon + 0.002, lat=lat + 0.002,
                                 is_demo=True)
        services.publish_advisory(title="冬小麦冬前管理技术意见", crop="wheat",
                                  body="适时镇压划锄，保墒防冻；墒情不足的地块在日均气温降至3℃前浇好越冬水。")
        services.publish_advisory(title="梨园秋冬季清园技术意见", crop="pear", town_code=t.code,
                                  body="清除落叶病果，刮除老翘皮，集中处理越冬害虫；树干涂白防冻。")
    from smartcounty.domains.agriculture.models import Sensor

    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for pk, value in ((trap, lambda h: 0.4 if h < 24 else 1.2), (soil, lambda h: 48 - h * 0.05),
                      (wx, lambda h: 4 + 5 * math.sin(math.pi * h / 12))):
        ds = Sensor.objects.get(pk=pk).datastream_id
        items = [{"datastream": ds, "phenomenonTime": (now - timedelta(hours=48 - h)).isoformat(), "result": round(value(h), 2)}
                 for h in range(48)]
        sensing.ingest(items, source="demo", publish=False)
    services.check(now + timedelta(minutes=1))
    if stdout:
        stdout.write("  agriculture: 2 farms, 3 plots, 3 field sensors with 2 days of readings, 2 advisories")
