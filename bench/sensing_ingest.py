"""Sensing ingest benchmark: HTTP batches into a real server process (SQLite and PostgreSQL), beside a raw
``executemany`` insert into the same table in the same run; MQTT through the local Mosquitto, beside the
rate at which the same broker delivers the same messages to a bare subscriber; the server's RSS.

MQTT load comes from 8 Debian ``mosquitto_pub -l -q 1`` processes (package ``mosquitto-clients``), one
topic each, so the generator is not the bottleneck; the peer is a bare ``mosquitto_sub`` (MQTT 3.1.1,
so the broker's default 20 in-flight / 1,000 queued messages apply to it and it may be delivered fewer
than were published: the count is printed).

    .venv/bin/python bench/sensing_ingest.py [--engines sqlite,postgres] [--observations 200000] [--messages 50000]

Goals (issue 3): HTTP >= 50,000 obs/s and ratio to raw >= 0.4; MQTT >= 10,000 msg/s; server RSS < 300 MB.
Everything installed runs in the server as in production: every module's subscriber of
``sensing.observations`` (alerts' rule engine, environment's AQI) sees each batch.
"""

import argparse
import http.client
import json
import os
import subprocess
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


def bodies(ids, total: int, start_ms: int):
    out = []
    for b in range(0, total, BATCH):
        items = []
        for k in range(b, min(total, b + BATCH)):
            ds = ids[k % len(ids)]
            items.append({"datastream": ds, "phenomenonTime": start_ms + (k // len(ids)) * 1000, "result": (k % 400) / 10})
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


PUBLISHERS = 8  # mosquitto_pub processes, one topic (datastream) each


def _publish_with_mosquitto_pub(topic_of, lines_of) -> None:
    """Publish every line with Debian's mosquitto_pub (C, ``-l``: one QoS 1 message per stdin line), one
    process per topic, all at once, so the load generator is not the bottleneck. Returns when all have
    received every PUBACK and exited."""
    import tempfile

    procs = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, lines in lines_of.items():
            path = os.path.join(tmp, f"{k}.txt")
            with open(path, "wb") as f:
                f.write(lines)
            with open(path, "rb") as f:
                procs.append(subprocess.Popen(["mosquitto_pub", "-h", "127.0.0.1", "-p", "1883", "-q", "1", "-M",
                                               "1000", "-l", "-t", topic_of[k]], stdin=f))
        for p in procs:
            if p.wait(300):
                raise RuntimeError("mosquitto_pub failed")


def mqtt_bench(env, ids, n: int, start_ms: int) -> tuple[float, float, int, int]:
    """(ingest rate, bare-subscriber rate, delivered to the bare subscriber), messages/s through the local broker.

    Publishers: ``PUBLISHERS`` mosquitto_pub processes (Debian package mosquitto-clients). The peer is the
    broker's own rate: the same messages to a bare ``mosquitto_sub -C n`` (C, QoS 1, prints nothing)."""
    from django.db import connection

    prefix = f"bench/{uuid.uuid4().hex[:8]}/"
    streams = ids[:PUBLISHERS]
    lines_of = {}
    for j, ds in enumerate(streams):
        count = n // len(streams) + (1 if j < n % len(streams) else 0)
        lines_of[ds] = "".join(json.dumps({"phenomenonTime": start_ms + k * 1000, "result": k % 97}) + "\n"
                               for k in range(count)).encode()
    peer_topics = {ds: f"{prefix}peer/v1.1/Datastreams({ds})/Observations" for ds in streams}
    real_topics = {ds: f"{prefix}v1.1/Datastreams({ds})/Observations" for ds in streams}

    # Peer: the broker delivering the same messages to a bare C subscriber (QoS 1) that exits after n.
    sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-q", "1", "-t", f"{prefix}peer/#"],
                           stdout=subprocess.PIPE)
    got = [0, 0.0]

    def count():
        for _ in sub.stdout:  # one line per message
            got[0] += 1
            got[1] = time.perf_counter()
            if got[0] >= n:
                break

    counter = threading.Thread(target=count, daemon=True)
    counter.start()
    time.sleep(1.5)  # let it subscribe
    t0 = time.perf_counter()
    _publish_with_mosquitto_pub(peer_topics, lines_of)
    while counter.is_alive() and time.perf_counter() - max(got[1], t0) < 5:
        counter.join(0.2)  # until all n arrived, or none for 5 s
    sub.terminate()
    sub.wait(10)
    peer_got, peer = got[0], got[1] - t0

    client_id = f"bench-ingest-{uuid.uuid4().hex[:6]}"
    proc = subprocess.Popen([sys.executable, "-m", "smartcounty.cli", "ingest_mqtt", "--client-id", client_id,
                             "--topic", f"{prefix}v1.1/+/Observations"], env=env, stdout=subprocess.PIPE,
                            stderr=open(os.path.join(env["SMARTCOUNTY_DATA_DIR"], "ingest_mqtt.log"), "w"), text=True)
    marks = ",".join(str(ds) for ds in streams)
    count_sql = (f"SELECT COUNT(*) FROM sensing_observation WHERE datastream_id IN ({marks}) "
                 f"AND phenomenon_ms >= {start_ms}")
    try:
        assert "subscribed" in proc.stdout.readline()
        with connection.cursor() as cur:
            cur.execute(count_sql)
            before = cur.fetchone()[0]
        t0 = time.perf_counter()
        publisher = threading.Thread(target=_publish_with_mosquitto_pub, args=(real_topics, lines_of))
        publisher.start()
        stored, last_change = 0, t0
        while stored < n:
            time.sleep(0.1)
            with connection.cursor() as cur:
                cur.execute(count_sql)
                now_stored = cur.fetchone()[0] - before
            if now_stored != stored:
                stored, last_change = now_stored, time.perf_counter()
            elif time.perf_counter() - last_change > 10:
                break  # nothing new for 10 s: the broker dropped the rest (its max_queued_messages)
        took = last_change - t0
        publisher.join()
    finally:
        proc.terminate()
        proc.wait(20)
    import paho.mqtt.client as mqtt

    drop = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    drop.connect("127.0.0.1", 1883, clean_start=True)
    drop.disconnect()
    return stored / took, (peer_got / peer if peer_got else 0.0), peer_got, stored


def _print_mqtt(engine, ingest_rate, broker_rate, peer_got, messages, stored):
    print(f"[{engine}] MQTT ingest: {ingest_rate:,.0f} msg/s ({messages:,} QoS 1 messages from {PUBLISHERS} "
          f"mosquitto_pub processes, one ingest process, {stored:,} stored); the same messages through the broker to a "
          f"bare mosquitto_sub: {broker_rate:,.0f} msg/s ({peer_got:,} delivered) -> ratio "
          f"{ingest_rate / broker_rate if broker_rate else 0:.2f}  (goal >= 10,000 msg/s)")


def child(engine: str, total: int, messages: int, only_mqtt: bool = False) -> None:
    setup_django()
    env = dict(os.environ)
    ids, token = make_streams(STREAMS)
    start_ms = 1_767_225_600_000  # 2026-01-01
    if only_mqtt:
        ingest_rate, broker_rate, peer_got, stored = mqtt_bench(env, ids, messages, start_ms + 2 * 10**9)
        _print_mqtt(engine, ingest_rate, broker_rate, peer_got, messages, stored)
        return
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
        took, created = http_ingest(PORT, token, payloads)
        stop.set()
        idle = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(20)
    assert created == total, (created, total)
    raw = raw_executemany(ids, total, start_ms + 10**9)
    http_rate, raw_rate = total / took, total / raw
    print(f"[{engine}] HTTP batch ingest: {http_rate:,.0f} obs/s ({total:,} observations, batches of {BATCH}, "
          f"2 client threads, one server process)")
    print(f"[{engine}] raw executemany, same table, same rows: {raw_rate:,.0f} rows/s -> ratio {http_rate / raw_rate:.2f}"
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
    if messages:
        ingest_rate, broker_rate, peer_got, stored = mqtt_bench(env, ids, messages, start_ms + 2 * 10**9)
        _print_mqtt(engine, ingest_rate, broker_rate, peer_got, messages, stored)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--engines", default="sqlite,postgres")
    p.add_argument("--observations", type=int, default=200_000)
    p.add_argument("--messages", type=int, default=20_000)
    p.add_argument("--only-mqtt", action="store_true")
    p.add_argument("--child")
    a = p.parse_args()
    if a.child:
        child(a.child, a.observations, a.messages, a.only_mqtt)
        return
    extra = ["--only-mqtt"] if a.only_mqtt else []
    for engine in a.engines.split(","):
        run_child(__file__, engine, "ingest", "--observations", str(a.observations), "--messages", str(a.messages),
                  *extra)


if __name__ == "__main__":
    main()
