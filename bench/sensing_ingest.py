"""Sensing ingest benchmark: HTTP batches into a real server process (SQLite and PostgreSQL), beside a raw
``executemany`` insert into the same table in the same run; the server's RSS. (MQTT: bench/sensing_mqtt.py.)

    .venv/bin/python bench/sensing_ingest.py [--engines sqlite,postgres] [--observations 200000]

Goals (issue 3): HTTP >= 50,000 obs/s with rules active and ratio to raw >= 0.4; server RSS < 300 MB. Everything installed runs in the server as in production: every module's subscriber of
``sensing.observations`` (alerts' rule engine with the rules in ``BENCH_RULES``, environment's AQI, water's
gauges, weather's signals) sees each batch, and the HTTP figure counts until they have all caught up (the
server's /healthz reports its event backlog), not only until the last response.
"""

import argparse
import http.client
import json
import math
import os
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sensing_common import rss_mb, run_child, start_server  # noqa: E402

PORT = 8103
BATCH = 5000
STREAMS = 100


def setup_django():
    import django

    django.setup()


def make_streams(n: int):
    from django.contrib.auth import get_user_model

    from smartcounty.foundation.accounts.services import issue_token
    from smartcounty.foundation.sensing import services

    services.sync_observed_properties()
    user = get_user_model().objects.create_user(f"bench-{uuid.uuid4().hex[:6]}", role="platform_admin", kind="staff")
    _, token = issue_token(user, "bench", ["sensing"])
    ids = []
    for i in range(n):
        t = services.create_thing(f"bench-{i}", f"bench {i}", lon=115.3 + (i % 10) * 0.04, lat=36.4 + (i // 10) * 0.02,
                                  kind="bench", town_code="371525001")
        ids.append(services.create_datastream(t, "temperature" if i % 2 else "water_level", expected_interval_s=60).id)
    return ids, token


#: Rules evaluated on every bench observation (values stay inside them: evaluated, not firing, as most
#: readings are); the ingest path runs with them and every other module's subscriber installed.
BENCH_RULES = [
    ("temperature", "threshold", {"op": "above", "value": 45, "hysteresis": 1, "duration": 300}),
    ("temperature", "rate", {"limit": 1000, "per": "hour", "window": 3600, "direction": "rise"}),
    ("water_level", "multi_level", {"levels": [50, 60, 70, 80], "hysteresis": 0.5}),
]


def make_rules():
    from smartcounty.foundation.alerts.schemas import RuleIn
    from smartcounty.foundation.alerts.services import create_rule

    for k, (prop, kind, params) in enumerate(BENCH_RULES):
        create_rule(RuleIn(name=f"bench {k}", kind=kind, property=prop, scope="county", level=2, params=params))


def wait_subscribers(port: int, timeout: float = 600.0) -> None:
    """Until the server's background subscribers (rules, AQI, signals...) have handled every batch."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/healthz")
        if json.loads(conn.getresponse().read())["events_pending"] == 0:
            return
        time.sleep(0.02)
    raise RuntimeError("subscribers did not catch up")


def bodies(ids, total: int, start_ms: int):
    out = []
    for b in range(0, total, BATCH):
        items = []
        for k in range(b, min(total, b + BATCH)):
            ds = ids[k % len(ids)]
            j = k // len(ids)  # one reading a second per datastream, a smooth curve (no rate-of-change alarm)
            items.append({"datastream": ds, "phenomenonTime": start_ms + j * 1000,
                          "result": round(20 + (k % len(ids)) * 0.1 + 5 * math.sin(j / 60), 2)})
        out.append(json.dumps(items).encode())
    return out


def http_ingest(port: int, token: str, payloads, threads: int = 2) -> tuple[float, int]:
    queue = list(payloads)
    lock = threading.Lock()
    created = [0]

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                body = queue.pop()
            conn.request("POST", "/api/v1/sensing/observations", body=body,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            r = conn.getresponse()
            data = json.loads(r.read())
            if r.status != 200:
                raise RuntimeError(f"{r.status} {data}")
            with lock:
                created[0] += data["created"]
        conn.close()

    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return time.perf_counter() - t0, created[0]


def raw_executemany(ids, total: int, start_ms: int) -> float:
    """The peer: a plain executemany of the same rows into the same table, one transaction per batch."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    pg = connection.vendor == "postgresql"
    ph = "%s" if pg else "?"
    sql = (f"INSERT INTO sensing_observation (datastream_id, phenomenon_ms, result_ms, result, result_json, quality) "
           f"VALUES ({ph},{ph},{ph},{ph},{ph},{ph}) ON CONFLICT (datastream_id, phenomenon_ms) DO NOTHING")
    rows = [(ids[k % len(ids)], start_ms + (k // len(ids)) * 1000, start_ms, (k % 400) / 10, None, 0)
            for k in range(total)]
    if not pg:
        raw.isolation_level = None  # explicit BEGIN/COMMIT below
    t0 = time.perf_counter()
    for b in range(0, total, BATCH):
        cur = raw.cursor()
        if not pg:
            cur.execute("BEGIN IMMEDIATE")
        cur.executemany(sql, rows[b:b + BATCH])
        if pg:
            raw.commit()
        else:
            cur.execute("COMMIT")
        cur.close()
    return time.perf_counter() - t0


def child(engine: str, total: int) -> None:
    setup_django()
    env = dict(os.environ)
    ids, token = make_streams(STREAMS)
    make_rules()
    start_ms = 1_767_225_600_000  # 2026-01-01
    payloads = bodies(ids, total, start_ms)
    server = start_server(env, PORT)
    try:
        peak = [0.0]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_mb(server.pid))
                stop.wait(0.2)

        threading.Thread(target=sample, daemon=True).start()
        t0 = time.perf_counter()
        took, created = http_ingest(PORT, token, payloads)
        wait_subscribers(PORT)
        settled = time.perf_counter() - t0
        stop.set()
        idle = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(20)
    assert created == total, (created, total)
    raw = raw_executemany(ids, total, start_ms + 10**9)
    http_rate, raw_rate, rate = total / took, total / raw, total / settled
    print(f"[{engine}] HTTP batch ingest with {len(BENCH_RULES)} rules active, until every subscriber has caught up: "
          f"{rate:,.0f} obs/s ({total:,} observations, batches of {BATCH}, 2 client threads, one server process; "
          f"all answered after {took:.2f} s = {http_rate:,.0f} obs/s, subscribers done after {settled:.2f} s)")
    print(f"[{engine}] raw executemany, same table, same rows: {raw_rate:,.0f} rows/s -> ratio {rate / raw_rate:.2f}"
          f"  (goals: >= 50,000 obs/s, ratio >= 0.4)")
    print(f"[{engine}] server RSS: peak {peak[0]:.0f} MB under load, {idle:.0f} MB after (goal < 300 MB)")
    # Where the time goes: the same service in-process, with and without the other modules' subscribers.
    from smartcounty.foundation.sensing import services

    for publish in (False, True):
        batches = [json.loads(b) for b in bodies(ids, min(total, 50_000), start_ms + (3 + publish) * 10**9)]
        t0 = time.perf_counter()
        for items in batches:
            services.ingest(items, source="http", publish=publish)
        rate = sum(map(len, batches)) / (time.perf_counter() - t0)
        print(f"[{engine}] services.ingest in-process, {'with' if publish else 'without'} event subscribers: "
              f"{rate:,.0f} obs/s")
    print(f"[{engine}] load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--engines", default="sqlite,postgres")
    p.add_argument("--observations", type=int, default=200_000)
    p.add_argument("--child")
    a = p.parse_args()
    if a.child:
        child(a.child, a.observations)
        return
    for engine in a.engines.split(","):
        run_child(__file__, engine, "ingest", "--observations", str(a.observations))


if __name__ == "__main__":
    main()
