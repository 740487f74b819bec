"""Sensing query benchmark (SQLite and PostgreSQL):

* hourly means over one year of minute data (525,600 observations) of one datastream, beside one plain
  pass over the same rows (COUNT and AVG without grouping: the floor for any aggregate of them);
* latest values of 100,000 datastreams filtered by town: the service query (all ~5,600 rows of a town),
  and the API page over HTTP (count + 50 rows) beside the server's /healthz (the floor of a request);
* the server's RSS after that load.

    .venv/bin/python bench/sensing_query.py [--engines sqlite,postgres]

Goals (issue 3): hourly means < 100 ms; latest by town p95 < 20 ms; RSS < 300 MB.
"""

import argparse
import http.client
import os
import statistics
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sensing_common import rss_mb, run_child, start_server  # noqa: E402

PORT = 8103
YEAR_START = 1_735_660_800_000  # 2025-01-01T00:00+08:00
MINUTES = 525_600
TOWNS = [f"3715250{n:02d}" for n in range(1, 4)] + [f"371525{n}" for n in range(101, 113)] + [
    "371525200", "371525206", "371525209"]


def p95(xs):
    return sorted(xs)[int(len(xs) * 0.95) - 1]


def year_series():
    from django.db import connection

    from smartcounty.foundation.sensing import ingest, services

    services.sync_observed_properties()
    t = services.create_thing("bench-year", "bench year", lon=115.45, lat=36.48, kind="bench")
    ds = services.create_datastream(t, "temperature", expected_interval_s=60)
    t0 = time.perf_counter()
    for b in range(0, MINUTES, 50_000):
        rows = [(ds.id, YEAR_START + k * 60_000, None, 10 + (k % 1440) / 100, None, 0)
                for k in range(b, min(MINUTES, b + 50_000))]
        ingest.store_rows(rows)
    load = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE sensing_observation")
    return ds.id, load


def aggregate_bench(ds_id):
    from django.db import connection

    from smartcounty.foundation.sensing import services

    end = YEAR_START + MINUTES * 60_000
    times, cpu, rows = [], [], None
    for _ in range(7):
        t0, c0 = time.perf_counter(), time.process_time()
        rows = services.aggregate(ds_id, YEAR_START, end, "1h")
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    floor = []
    for _ in range(7):
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*), AVG(result) FROM sensing_observation WHERE datastream_id = %s "
                        "AND phenomenon_ms >= %s AND phenomenon_ms < %s", [ds_id, YEAR_START, end])
            n = cur.fetchone()[0]
        floor.append(time.perf_counter() - t0)
    assert len(rows) == 8760 and n == MINUTES, (len(rows), n)
    return statistics.median(times), statistics.median(floor), statistics.median(cpu)


def many_datastreams(n=100_000):
    from django.db import transaction

    from smartcounty.foundation.sensing.models import Datastream, ObservedProperty, Sensor, Thing

    props = list(ObservedProperty.objects.all()[:25])
    sensor, _ = Sensor.objects.get_or_create(name="bench sensor")
    per = len(props)
    with transaction.atomic():
        things = Thing.objects.bulk_create([Thing(code=f"bench-{i}", name=f"bench {i}", kind="bench")
                                            for i in range(n // per)], batch_size=2000)
        rows = []
        for i, thing in enumerate(things):
            town = TOWNS[i % len(TOWNS)]
            for p in props:
                rows.append(Datastream(name=f"{thing.name} {p.code}", thing=thing, sensor=sensor, observed_property=p,
                                       property_code=p.code, town_code=town, grid_code=f"{town}{i % 50:05d}",
                                       lon=115.3 + (i % 100) * 0.004, lat=36.4 + (i // 100) * 0.006,
                                       last_ms=YEAR_START + i, last_value=float(i % 300), online=i % 7 != 0))
        Datastream.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE sensing_datastream")
    return len(rows)


def latest_bench():
    from smartcounty.foundation.sensing import services

    times, cpu = [], []
    count = 0
    for k in range(200):
        town = TOWNS[k % len(TOWNS)]
        t0, c0 = time.perf_counter(), time.process_time()
        rows = [(r.id, r.property_code, r.last_ms, r.last_value, r.online)
                for r in services.latest_values(who=services.EVERYONE, town=town)]
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        count = len(rows)
    return p95(times), count, p95(cpu)


def http_bench(token):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)

    def timed(path, headers):
        t0 = time.perf_counter()
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        r.read()
        assert r.status == 200, (path, r.status)
        return time.perf_counter() - t0

    auth = {"Authorization": f"Bearer {token}"}
    api = [timed(f"/api/v1/sensing/datastreams?town={TOWNS[k % len(TOWNS)]}&limit=50", auth) for k in range(200)]
    health = [timed("/healthz", {}) for _ in range(200)]
    conn.close()
    return p95(api), p95(health)


def child(engine):
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from smartcounty.foundation.accounts.services import issue_token

    ds_id, load = year_series()
    agg, floor, agg_cpu = aggregate_bench(ds_id)
    print(f"[{engine}] one year of minute data (525,600 rows) stored in {load:.1f} s "
          f"({MINUTES / load:,.0f} rows/s through the ingest insert)")
    print(f"[{engine}] hourly means over the year (8,760 buckets): {agg * 1000:.0f} ms median; one plain pass "
          f"over the same rows (COUNT+AVG): {floor * 1000:.0f} ms -> ratio {agg / floor:.2f}; CPU time of this "
          f"process: {agg_cpu * 1000:.0f} ms  (goal < 100 ms)")
    n = many_datastreams()
    lat, count, lat_cpu = latest_bench()
    print(f"[{engine}] latest values of {n:,} datastreams filtered by town (all ~{count:,} rows of the town): "
          f"p95 {lat * 1000:.1f} ms wall, {lat_cpu * 1000:.1f} ms CPU of this process  (goal p95 < 20 ms)")
    user = get_user_model().objects.create_user(f"bench-{uuid.uuid4().hex[:6]}", role="platform_admin", kind="staff")
    _, token = issue_token(user, "bench", ["sensing"])
    server = start_server(dict(os.environ), PORT)
    try:
        api, health = http_bench(token)
        rss = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(20)
    print(f"[{engine}] API page of latest values by town (count + 50 rows) over HTTP: p95 {api * 1000:.1f} ms; "
          f"/healthz on the same server: p95 {health * 1000:.1f} ms; server RSS after: {rss:.0f} MB")
    print(f"[{engine}] (SQLite works inside this process, so its CPU time excludes waiting for the shared CPUs; "
          f"PostgreSQL works in its own processes)")
    print(f"[{engine}] load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--engines", default="sqlite,postgres")
    p.add_argument("--child")
    a = p.parse_args()
    if a.child:
        child(a.child)
        return
    for engine in a.engines.split(","):
        run_child(__file__, engine, "query")


if __name__ == "__main__":
    main()
