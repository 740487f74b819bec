"""Benchmark for issue 6 (catalog): search over 100,000 resources and the audited data API.

    SMARTCOUNTY_DATA_DIR=/tmp/sc-bench-catalog python bench/catalog_search.py [--resources 100000]
    (DATABASE_URL=postgres://... for PostgreSQL; the database is created fresh and filled.)

Figures, each beside a peer measured in the same run:
1. Catalog search, Chinese titles and summaries, 100,000 resources: p50/p95 of what the portal
   does per query (the first page of 20 ranked results + the total count) through the jieba
   inverted index. Goal p95 < 50 ms. Peer: the same query answered by substring scans
   (``name/summary LIKE %word%`` for each word), the way a catalogue without a search engine does it.
2. Data API read of 10,000 rows with masking (4 personal columns) and the audit row: median time.
   Goal < 200 ms. Peer: the same read without the audit row (goal: audit adds < 10%), and the floor:
   fetching and decoding the same 10,000 JSON rows with one raw SQL query.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcounty.settings")
os.environ.setdefault("SMARTCOUNTY_DATA_DIR", "/tmp/sc-bench-catalog")

TOWNS = ["清泉街道", "崇文街道", "烟庄街道", "贾镇", "桑阿镇", "柳林镇", "清水镇", "东古城镇", "北馆陶镇", "店子镇",
         "定远寨镇", "辛集镇", "梁堂镇", "范寨镇", "甘官屯镇", "斜店乡", "兰沃乡", "万善乡"]
TOPICS = ["空气质量", "水质监测", "公共厕所", "企业名录", "学校名单", "医疗机构", "养老服务", "道路交通", "停车场",
          "农业合作社", "特种设备", "食品经营许可", "社会救助", "低保对象", "公交线路", "气象观测", "降水量", "河道水位",
          "地名地址", "行政区划", "文化场馆", "旅游景点", "体育设施", "消防站点", "应急物资", "避难场所", "垃圾分类",
          "供水管网", "燃气管网", "路灯设施", "信用评价", "行政处罚", "税收统计", "财政预算", "就业岗位", "社保参保",
          "不动产登记", "规划许可", "建筑工地", "扬尘监测", "噪声监测", "电动车充电桩", "快递网点", "农产品价格",
          "病虫害监测", "土壤墒情", "林业资源", "古树名木", "宗教场所", "社会组织"]
KINDS = ["信息", "名录", "统计", "日报", "月报", "分布", "目录", "年报", "清单", "数据"]
PHRASES = ["按月更新", "由县级部门汇总", "包含名称、地址和联系方式", "覆盖全县各乡镇", "依据国家标准整理",
           "用于便民服务", "数据来源于业务系统", "面向社会公众开放", "经审核后发布", "含历史数据"]


def setup():
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        db = Path(connection.settings_dict["NAME"])
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    else:
        from django.db import OperationalError

        try:
            connection.ensure_connection()
        except OperationalError:  # the benchmark's own database does not exist yet: create it
            import psycopg

            params = connection.get_connection_params()
            name = connection.settings_dict["NAME"]
            params.update(dbname="postgres", autocommit=True)
            params.pop("cursor_factory", None)
            params.pop("context", None)
            with psycopg.connect(**params) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def fill(n: int):
    from django.apps import apps
    from django.db import transaction

    from smartcounty.foundation.catalog import domains
    from smartcounty.foundation.catalog.models import Resource, SearchTerm
    from smartcounty.foundation.catalog.services import resources as res_services

    Organisation = apps.get_model("accounts", "Organisation")
    orgs = [Organisation.objects.create(code=f"org-{i}", name=f"冠县测试单位{i}") for i in range(30)]
    rng = random.Random(6)
    t0 = time.perf_counter()
    batch = 2000
    for start in range(0, n, batch):
        rows, terms = [], []
        for i in range(start, min(n, start + batch)):
            town, topic, kind = rng.choice(TOWNS), rng.choice(TOPICS), rng.choice(KINDS)
            org = orgs[i % len(orgs)]
            name = f"{town}{topic}{kind}"
            summary = f"{town}{topic}{kind}，" + "，".join(rng.sample(PHRASES, 3)) + "。"
            rows.append(Resource(code=f"2{(i % 90) + 10:02d}{(i % 899) + 100:03d}/{i + 1:06d}", slug=f"r{i}",
                                 name=name, summary=summary, classification="210001",
                                 domain=domains.DOMAINS[i % 22].code, provider_org_id=org.pk,
                                 provider_org_code=org.code, provider_org_name=org.name,
                                 sharing_type="unconditional", open_type="open" if i % 3 else "metadata",
                                 tags=[topic]))
        with transaction.atomic():
            made = Resource.objects.bulk_create(rows)
            for r in made:
                weights = {}
                for text, w in ((r.name, 3), (" ".join(r.tags), 2), (r.provider_org_name, 2), (r.summary, 1)):
                    for word in res_services.tokens(text):
                        weights[word] = max(weights.get(word, 0), w)
                terms.extend(SearchTerm(term=t, resource_id=r.pk, weight=w, public=r.open_type in ("open", "metadata"))
                             for t, w in weights.items())
            SearchTerm.objects.bulk_create(terms, batch_size=5000)

    vacuum()
    return time.perf_counter() - t0


def vacuum():
    """Statistics and, on PostgreSQL, the visibility map (index-only scans), as autovacuum leaves them."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def bench_search(queries):
    from django.db.models import Q

    from smartcounty.foundation.catalog.models import Resource
    from smartcounty.foundation.catalog.services import query_terms, search

    ours, peer, hits = [], [], []
    for q in queries:
        t = time.perf_counter()
        qs = search(q, public=True)
        page = list(qs[:20])
        total = qs.count()
        ours.append((time.perf_counter() - t) * 1000)
        hits.append(total)
        t = time.perf_counter()
        qs = Resource.objects.filter(open_type__in=("open", "metadata"))
        for word in query_terms(q):
            qs = qs.filter(Q(name__contains=word) | Q(summary__contains=word) | Q(provider_org_name__contains=word))
        peer_page = list(qs.order_by("-modified_at")[:20])
        peer_total = qs.count()
        peer.append((time.perf_counter() - t) * 1000)
        assert peer_total >= total or not page, (q, total, peer_total)  # segmentation never finds more than substrings
        del peer_page
    return ours, peer, hits


def bench_read(rows: int, repeats: int):
    from datetime import date, timedelta

    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.db import connection

    from smartcounty.foundation.catalog import services
    from smartcounty.foundation.catalog.models import Grant

    Organisation = apps.get_model("accounts", "Organisation")
    provider = Organisation.objects.create(code="civil-affairs", name="县民政局")
    reader_org = Organisation.objects.create(code="health", name="县卫生健康局")
    reader = get_user_model().objects.create_user("reader", password="x" * 12, role="staff",
                                                  organisation=reader_org, kind="staff")
    res = services.create_resource(
        {"code": "216001/00001", "slug": "allowance", "name": "低保对象名册", "domain": "16",
         "sharing_type": "conditional", "sharing_conditions": "救助核查"},
        [{"name": "name", "personal": "name"}, {"name": "id_number", "personal": "id_number"},
         {"name": "phone", "personal": "phone"}, {"name": "address", "personal": "address"}, {"name": "town"},
         {"name": "household", "data_type": "integer"}, {"name": "amount", "data_type": "number"},
         {"name": "since", "data_type": "date"}], provider_org_id=provider.pk)
    rng = random.Random(11)
    data = [{"name": rng.choice("王李张刘陈杨") + "某" + str(i % 100), "id_number": f"3715251960{i % 12 + 1:02d}01{i % 1000:03d}X",
             "phone": f"138{i:08d}", "address": f"山东省聊城市冠县{rng.choice(TOWNS)}演示村{i % 300}号",
             "town": rng.choice(TOWNS), "household": 1 + i % 5, "amount": 600.0 + i % 7 * 50,
             "since": "2020-01-01"} for i in range(rows)]
    services.publish_dataset(res.code, data)
    res.refresh_from_db()
    Grant.objects.create(resource=res, grantee_org_id=reader_org.pk, grantee_org_code="health",
                         starts_on=date.today() - timedelta(days=1), expires_at=services.sharing._end_of_day(
                             date.today() + timedelta(days=30)))
    version_id = res.current_version_id

    def read(audit_read):
        t = time.perf_counter()
        out = services.read_rows(res, org_id=reader_org.pk, actor=reader, limit=rows, audit_read=audit_read)
        assert len(out.rows) == rows and out.rows[0]["id_number"].startswith("371***")
        return (time.perf_counter() - t) * 1000

    def floor():
        import json

        t = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("SELECT data FROM catalog_datarow WHERE version_id = %s ORDER BY number", [version_id])
            got = [json.loads(d) if isinstance(d, str) else d for (d,) in cur.fetchall()]
        assert len(got) == rows
        return (time.perf_counter() - t) * 1000

    for _ in range(3):
        read(True), read(False), floor()
    with_audit, without, raw = [], [], []
    for _ in range(repeats):
        with_audit.append(read(True))
        without.append(read(False))
        raw.append(floor())
    return with_audit, without, raw


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="keep the catalogue filled by an earlier run")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    from smartcounty.foundation.catalog.models import Resource

    if args.reuse and Resource.objects.filter(slug__startswith="r").count() == args.resources:
        from django.apps import apps
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        Resource.objects.exclude(slug__startswith="r").delete()
        apps.get_model("accounts", "User").objects.filter(username="reader").delete()
        apps.get_model("accounts", "Organisation").objects.filter(code__in=["civil-affairs", "health"]).delete()
        vacuum()
        print(f"database: {connection.vendor}; reusing {args.resources} resources")
    else:
        setup()
        print(f"database: {connection.vendor}")
        took = fill(args.resources)
        print(f"filled {args.resources} resources with their search index in {took:.1f} s")
    rng = random.Random(7)
    queries = []
    for _ in range(args.queries):
        kind = rng.random()
        if kind < 0.4:
            queries.append(rng.choice(TOPICS))
        elif kind < 0.7:
            queries.append(rng.choice(TOWNS) + rng.choice(TOPICS))
        elif kind < 0.9:
            queries.append(f"{rng.choice(TOPICS)} {rng.choice(KINDS)}")
        else:
            queries.append(rng.choice(["冠县", "信息", "数据", "名录"]))
    bench_search(queries[:20])  # warm caches and jieba
    ours, peer, hits = bench_search(queries)
    print(f"\n1. catalog search, {args.resources} resources, {len(queries)} queries "
          f"(median {statistics.median(hits):.0f} matches, max {max(hits)})")
    print(f"   ours (jieba inverted index):   p50 {pct(ours, 50):7.1f} ms   p95 {pct(ours, 95):7.1f} ms   "
          f"max {max(ours):7.1f} ms   goal p95 < 50 ms: {'met' if pct(ours, 95) < 50 else 'NOT met'}")
    print(f"   peer (substring scans):        p50 {pct(peer, 50):7.1f} ms   p95 {pct(peer, 95):7.1f} ms   "
          f"max {max(peer):7.1f} ms   → ours is {pct(peer, 95) / pct(ours, 95):.1f}x at p95")
    with_audit, without, raw = bench_read(args.rows, args.repeats)
    m_a, m_n, m_r = statistics.median(with_audit), statistics.median(without), statistics.median(raw)
    print(f"\n2. data API read of {args.rows} rows, 4 personal columns masked, {args.repeats} runs (median)")
    print(f"   with masking and audit row:    {m_a:7.1f} ms   goal < 200 ms: {'met' if m_a < 200 else 'NOT met'}")
    print(f"   same read without audit:       {m_n:7.1f} ms   audit overhead {100 * (m_a - m_n) / m_n:+.1f}% "
          f"(goal < 10%: {'met' if m_a - m_n < 0.10 * m_n else 'NOT met'})")
    print(f"   floor (raw SQL + JSON decode): {m_r:7.1f} ms   ours is {m_a / m_r:.1f}x the floor")


if __name__ == "__main__":
    main()
