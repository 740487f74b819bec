"""A Guan County pear (冠县鸭梨) from two orchards to a shop: harvests (ID-numbered growers), purchase by a
cooperative (merge), cold storage with temperature readings, an inspection, a split, transport, processing
into juice and a sale. One code is printed on the demo label."""

from datetime import UTC, datetime, timedelta

from django.db import transaction

from smartcounty.domains.economy import services as economy
from smartcounty.domains.traceability import services
from smartcounty.domains.traceability.models import Batch
from smartcounty.foundation.accounts import services as accounts
from smartcounty.kernel import codes

GROWERS = (("王秀英", "37152519680301"), ("李建军", "37152519750912"))


def resident_id(first14: str, seq: str) -> str:
    first17 = first14 + seq
    return first17 + codes.resident_id_check_char(first17)


def load(stdout=None):
    if Batch.objects.filter(product="冠县鸭梨（演示）").exists():
        return
    accounts.ensure_plan_organisations()
    org = accounts.organisation_ids_by_code().get("agriculture")
    coop = next(iter(economy.enterprises(economy.Scope(True), industry="A")[0:1]), None)
    t0 = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=6)
    with transaction.atomic():
        harvests = [services.create_batch(
            product="冠县鸭梨（演示）", quantity=500 + 200 * i, producer_kind="id",
            producer_code=resident_id(GROWERS[i][1], f"{i + 1}12"), producer_name=GROWERS[i][0],
            origin=f"冠县清泉街道演示果园{i + 1}", organisation_id=org, who=f"{GROWERS[i][0]}（果农）",
            when=t0 + timedelta(hours=i), place=f"冠县清泉街道演示果园{i + 1}", lon=115.44 + 0.01 * i, lat=36.48,
            readings=[{"type": "temperature", "value": 12.5, "uom": "Cel"}]) for i in range(2)]
        coop_name = coop["name"] if coop else "冠县演示农业合作社"
        [merged] = services.transform(harvests, [{"quantity": 1200}], kind="merge", stage="purchase", who=coop_name,
                                      when=t0 + timedelta(hours=5), place="冠县演示农业合作社收购点")
        services.record(merged, "store", who=f"{coop_name}冷库", when=t0 + timedelta(hours=8), place="合作社冷库",
                        readings=[{"type": "temperature", "value": 1.5, "uom": "Cel"},
                                  {"type": "humidity", "value": 90, "uom": "%"}])
        services.inspect(merged, passed=True, who="冠县农产品质量安全检测站", when=t0 + timedelta(days=1),
                         readings=[{"type": "pesticide_inhibition", "value": 12.0, "uom": "%"}],
                         note="农药残留快速检测合格")
        fresh, for_juice = services.transform([merged], [{"quantity": 800}, {"quantity": 400}], kind="split",
                                              who=coop_name, when=t0 + timedelta(days=2), place="合作社分拣车间")
        services.record(fresh, "transport", who="冠县演示物流有限公司", when=t0 + timedelta(days=3),
                        place="冠县至聊城冷链运输", readings=[{"type": "temperature", "value": 3.0, "uom": "Cel"}])
        services.record(fresh, "sell", who="冠县演示超市", when=t0 + timedelta(days=4), place="冠县演示超市清泉店")
        [juice] = services.transform([for_juice], [{"product": "鸭梨汁（演示）", "quantity": 250, "unit": "L"}],
                                     kind="process", who="冠县演示食品有限公司", when=t0 + timedelta(days=4),
                                     place="冠县演示食品有限公司加工车间")
        services.record(juice, "sell", who="冠县演示超市", when=t0 + timedelta(days=5), place="冠县演示超市清泉店")
    if stdout:
        stdout.write(f"  traceability: demo pear chain, label code {fresh.code} (/traceability/t/{fresh.code}/)")
