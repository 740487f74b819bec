"""SensorThings query benchmark (SQLite and PostgreSQL), over HTTP against a running server:

* ``Observations?$filter=phenomenonTime ge … and result gt …&$orderby=phenomenonTime&$top=1000`` over every
  datastream (the issue's query), and the same query under one datastream
  (``Datastreams(<id>)/Observations?…``), beside the platform's own observation query on the same rows
  (``/api/v1/sensing/datastreams/<id>/observations?start=…&limit=1000``) and ``/healthz`` (a request's floor);
* optionally the MQTT extension: publish-to-subscriber latency of new observations (``--mqtt``).

    .venv/bin/python bench/sta_query.py [--engines sqlite,postgres] [--rows 10000000] [--mqtt]

Rows are loaded with ``ingest.store_rows`` (the ingest insert and rollup, without per-item checks), one minute
apart per datastream, 100 datastreams. Goal (issue 14): p95 < 50 ms on both databases; MQTT p99 < 100 ms.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sensing_common import run_child, start_server  # noqa: E402

START = 1_735_660_800_000  # 2025-01-01T00:00+08:00
STREAMS = 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))]


def iso(ms):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _store(ids, k_from, k_to) -> float:
    """Store minutes [k_from, k_to) of every datastream; seconds taken."""
    from smartcounty.foundation.sensing import ingest

    t0 = time.perf_counter()
    step = 50_000 // len(ids)
    for k0 in range(k_from, k_to, step):
        ingest.store_rows([(ds, START + k * 60_000, None, 10 + (k * 7 + ds) % 300 / 10, None, 0)
                           for k in range(k0, min(k_to, k0 + step)) for ds in ids])
    return time.perf_counter() - t0


def load(rows_total: int):
    """The series, stored without the time index; then the index is built and a last slice stored with it, so the
    insert rate is measured with and without it over the same table size."""
    from django.db import connection

    from smartcounty.foundation.sensing import services

    services.sync_observed_properties()
    ids = []
    for i in range(STREAMS):
        t = services.create_thing(f"bench-sta-{i}", f"bench {i}", lon=115.3 + i * 0.003, lat=36.45, kind="bench")
        ids.append(services.create_datastream(t, "temperature", expected_interval_s=60).id)
    per = rows_total // STREAMS
    tail = min(per // 10, 1_000_000 // STREAMS)
    with connection.cursor() as cur:
        cur.execute("DROP INDEX IF EXISTS sensing_obs_time")
    head = _store(ids, 0, per - tail)
    plain = _store(ids, per - tail, per)
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("CREATE INDEX sensing_obs_time ON sensing_observation (phenomenon_ms)")
    build = time.perf_counter() - t0
    indexed = _store(ids, per, per + tail)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE sensing_observation")
    return ids, per + tail, {"head": head, "plain": plain, "indexed": indexed, "build": build,
                             "tail_rows": tail * len(ids)}


def http_times(port, token, paths, rounds):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    auth = {"Authorization": f"Bearer {token}"}
    out = {name: [] for name in paths}
    sizes = {}
    for i in range(rounds):
        for name, make in paths.items():
            path = make(i)
            t0 = time.perf_counter()
            conn.request("GET", path, headers=auth if name != "healthz" else {})
            r = conn.getresponse()
            body = r.read()
            out[name].append(time.perf_counter() - t0)
            assert r.status == 200, (path, r.status, body[:300])
            if name != "healthz":
                doc = json.loads(body)
                sizes[name] = len(doc["value"] if isinstance(doc, dict) and "value" in doc else doc.get("items", doc))
    conn.close()
    return out, sizes


def mqtt_latency(port, token, ds_id, n=300):
    """Seconds from sending each observation (HTTP POST) to its arrival at a subscriber of
    v1.1/Datastreams(<id>)/Observations: an upper bound of publish-to-subscriber (it includes the insert)."""
    import paho.mqtt.client as mqtt

    got = {}
    ready = threading.Event()
    sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-sta-{uuid.uuid4().hex[:6]}",
                      protocol=mqtt.MQTTv5)
    sub.on_subscribe = lambda *a: ready.set()
    sub.on_message = lambda c, u, m: got.setdefault(json.loads(m.payload)["@iot.id"], time.perf_counter())
    sub.connect("127.0.0.1", 1883)
    sub.subscribe(f"v1.1/Datastreams({ds_id})/Observations", 0)
    sub.loop_start()
    ready.wait(5)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent = {}
    base = START + 400 * 86_400_000
    for i in range(n):
        ms = base + i * 1000
        body = json.dumps({"phenomenonTime": ms, "result": 20.0, "Datastream": {"@iot.id": ds_id}})
        ident = ds_id * 10**13 + ms
        sent[ident] = time.perf_counter()
        conn.request("POST", "/v1.1/Observations", body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        assert r.status == 201, r.status
        time.sleep(0.01)
    deadline = time.time() + 10
    while len(got) < n and time.time() < deadline:
        time.sleep(0.05)
    sub.disconnect()
    sub.loop_stop()
    lat = [got[k] - sent[k] for k in sent if k in got]
    return lat, n


def child(engine, rows_total, with_mqtt):
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from smartcounty.foundation.accounts.services import issue_token

    ids, per, t = load(rows_total)
    n = per * len(ids)
    took = t["head"] + t["plain"] + t["indexed"]
    tail = t["tail_rows"]
    print(f"[{engine}] {n:,} observations ({len(ids)} datastreams x {per:,} minutes) stored in {took:.0f} s "
          f"through ingest.store_rows")
    print(f"[{engine}] insert rate over the last {tail:,} rows: {tail / t['plain']:,.0f} rows/s without the "
          f"time index, {tail / t['indexed']:,.0f} rows/s with it (the next {tail:,}); building the index took "
          f"{t['build']:.0f} s")
    user = get_user_model().objects.create_user(f"bench-{uuid.uuid4().hex[:6]}", role="platform_admin", kind="staff")
    _, token = issue_token(user, "bench", ["sensing"])
    port = free_port()
    env = dict(os.environ, SMARTCOUNTY_STA_PUBLISH="1" if with_mqtt else "0",
               SMARTCOUNTY_PUBLIC_URL=f"http://127.0.0.1:{port}")
    server = start_server(env, port)
    span = per * 60_000

    def since(i):  # a start time somewhere in the series (the query walks from there)
        return START + (i * 7919 % 97) * span // 100

    def q(path, i):
        f = f"phenomenonTime ge {iso(since(i))} and result gt 25"
        return path + "?" + urllib.parse.urlencode({"$filter": f, "$orderby": "phenomenonTime", "$top": "1000"})

    paths = {
        "sta_all": lambda i: q("/v1.1/Observations", i),
        "sta_one": lambda i: q(f"/v1.1/Datastreams({ids[i % len(ids)]})/Observations", i),
        "platform": lambda i: (f"/api/v1/sensing/datastreams/{ids[i % len(ids)]}/observations?"
                               f"start={urllib.parse.quote(iso(since(i)))}&limit=500"),
        "healthz": lambda i: "/healthz",
    }
    try:
        http_times(port, token, paths, 5)  # warm-up
        times, sizes = http_times(port, token, paths, 100)
        for name, label in (("sta_all", "STA Observations?$filter=phenomenonTime ge … and result gt …"
                             "&$orderby=phenomenonTime&$top=1000 (all datastreams)"),
                            ("sta_one", "STA Datastreams(id)/Observations?(same options)"),
                            ("platform", "platform /api/v1/sensing/datastreams/id/observations?start=…&limit=500 (its largest page)"),
                            ("healthz", "/healthz")):
            ts = times[name]
            rows = f", {sizes[name]} rows a page" if name in sizes else ""
            print(f"[{engine}] {label}: p50 {statistics.median(ts) * 1000:.1f} ms, p95 {pct(ts, 0.95) * 1000:.1f} ms"
                  f"{rows}")
        if with_mqtt:
            lat, sent = mqtt_latency(port, token, ids[0])
            print(f"[{engine}] MQTT: {len(lat)}/{sent} new observations received by a subscriber; HTTP POST sent to "
                  f"message received: p50 {statistics.median(lat) * 1000:.1f} ms, p99 {pct(lat, 0.99) * 1000:.1f} ms")
    finally:
        server.terminate()
        server.wait(20)
    print(f"[{engine}] load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--engines", default="sqlite,postgres")
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--mqtt", action="store_true")
    p.add_argument("--child")
    a = p.parse_args()
    if a.child:
        child(a.child, a.rows, a.mqtt)
        return
    for engine in a.engines.split(","):
        run_child(__file__, engine, "sta", "--rows", str(a.rows), *(["--mqtt"] if a.mqtt else []))


if __name__ == "__main__":
    main()
