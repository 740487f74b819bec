"""Guan County's delivery network (a county centre, a station per town, village points in half the towns) and
twelve months of sales of twelve demo online shops, published as open data."""

from datetime import date

from django.db import transaction

from smartcounty.domains.logistics import services
from smartcounty.domains.logistics.models import MonthlySales, Shop, Site
from smartcounty.foundation.places import services as places

PLATFORMS = ("淘宝", "京东", "拼多多", "抖音")
GOODS = (("冠县鸭梨", "生鲜果蔬"), ("灵芝", "滋补保健"), ("彩涂板", "建材"), ("棉纺织品", "服饰"))


def load(stdout=None):
    towns = [t for t in places.town_points() if t.lon is not None]
    if not towns or Site.objects.exists():
        return
    with transaction.atomic():
        services.save_site(name="冠县电商物流仓储中心（演示）", level="county", lon=towns[0].lon + 0.01,
                           lat=towns[0].lat + 0.01, operator="冠县演示物流有限公司")
        for i, t in enumerate(towns):
            services.save_site(name=f"{t.name}快递服务站（演示）", level="town", lon=t.lon, lat=t.lat,
                               operator="邮政快递" if i % 2 else "快递共配", town_code=t.code)
            if i % 2 == 0:
                for v in range(1, 4):
                    services.save_site(name=f"{t.name}演示{v}村服务点", level="village", lon=t.lon + 0.01 * v,
                                       lat=t.lat - 0.005 * v, town_code=t.code, village_code=f"{t.code}{200 + v}",
                                       village_name=f"演示{v}村")
        today = date.today().replace(day=1)
        months = []
        y, m = today.year, today.month
        for _ in range(12):
            m -= 1
            if m == 0:
                y, m = y - 1, 12
            months.append(date(y, m, 1))
        for n in range(12):
            name, cat = GOODS[n % len(GOODS)]
            shop = Shop.objects.create(name=f"{name}旗舰店{n + 1}（演示）", platform=PLATFORMS[n % 4], category=cat,
                                       town_code=towns[n % len(towns)].code)
            for k, month in enumerate(sorted(months)):
                season = 1.6 if month.month in (9, 10, 11) and name == "冠县鸭梨" else 1.0
                orders = int((300 + 40 * n + 25 * k) * season)
                MonthlySales.objects.create(shop=shop, month=month, orders=orders, amount=orders * (38 + 7 * (n % 5)))
    services.publish_open_data()
    if stdout:
        stdout.write(f"  logistics: {Site.objects.count()} sites, {Shop.objects.count()} shops, 12 months of sales")
