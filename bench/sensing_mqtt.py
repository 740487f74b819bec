"""MQTT ingest benchmark: ``smartcounty ingest_mqtt`` (QoS 1, acknowledged after commit) through the local
Mosquitto, beside the rate at which the same broker delivers the same messages to a bare subscriber.

Load: 8 Debian ``mosquitto_pub -l -q 1`` processes (package ``mosquitto-clients``), one topic (datastream)
each, all at once, so the generator is not the bottleneck. Peer, in the same run: the same messages to a
bare ``mosquitto_sub -q 1`` (C, MQTT 3.1.1, so the broker's default 20 in-flight / 1,000 queued messages
apply to it and it may be delivered fewer than were published: the count is printed).

Two runs per engine, each on its own topics and phenomenon times:

* a burst (``--messages``, default 50,000) published as fast as the publishers go (~50,000+ msg/s here):
  the ingester's capacity. Mosquitto (default ``max_queued_messages 1000``) drops what a subscriber has
  neither acknowledged within its window (Receive Maximum, 65,535 at most) nor read off its socket, so
  a burst much larger than that window measures the broker's drops, not the ingester;
* a sustained run (``--sustained``, default 300,000) with the publishers' stdin paced at ``--rate``
  messages/s (default 20,000, twice the goal): stored rows at that offered load, for ~15 s.

Only stored rows count: a rate is the rows found in ``sensing_observation`` divided by the time from the
first publish to the last new row. The ingester is its own process, started as in production
(``smartcounty ingest_mqtt``), with every module's ``sensing.observations`` subscriber installed (the
ingester prints them; the benchmark checks they are the ones this Django set-up installs). When it stops,
the ingester prints where its batching thread spent its time (decode, ``ingest.ingest``, acks, waiting).
Three alert rules (``BENCH_RULES``) are evaluated on every observation. A second figure runs until the
ingest process, stopped after the last row, has handed every batch to every subscriber and exited.

    .venv/bin/python bench/sensing_mqtt.py [--engines sqlite,postgres] [--messages 50000]
                                           [--sustained 300000 --rate 20000] [--py-spy DIR]

``--py-spy DIR`` records the ingest process of the first run with py-spy (all threads, raw collapsed
stacks) into ``DIR/<engine>.txt`` (``pip install py-spy`` into the venv first).

Goal (issue 3): >= 10,000 messages/s sustained. Each engine gets a fresh database (sensing_common).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sensing_common import run_child  # noqa: E402

PUBLISHERS = 8  # mosquitto_pub processes, one topic (datastream) each
START_MS = 1_767_225_600_000 + 2 * 10**9  # 2026-01-24: in the past, inside the accepted range


#: Rules evaluated on every observation, as in production (the values stay inside them: evaluated, not
#: firing, as most readings are). The same set as bench/sensing_ingest.py's.
BENCH_RULES = [
    ("temperature", "threshold", {"op": "above", "value": 45, "hysteresis": 1, "duration": 300}),
    ("temperature", "rate", {"limit": 1000, "per": "hour", "window": 3600, "direction": "rise"}),
    ("water_level", "multi_level", {"levels": [50, 60, 70, 80], "hysteresis": 0.5}),
]


def make_rules() -> None:
    from smartcounty.foundation.alerts.schemas import RuleIn
    from smartcounty.foundation.alerts.services import create_rule

    for k, (prop, kind, params) in enumerate(BENCH_RULES):
        create_rule(RuleIn(name=f"bench {k}", kind=kind, property=prop, scope="county", level=2, params=params))


def make_streams(n: int) -> list[int]:
    from smartcounty.foundation.sensing import services

    services.sync_observed_properties()
    ids = []
    for i in range(n):
        t = services.create_thing(f"bench-mqtt-{i}", f"bench {i}", lon=115.3 + (i % 10) * 0.04,
                                  lat=36.4 + (i // 10) * 0.02, kind="bench", town_code="371525001")
        ids.append(services.create_datastream(t, "temperature" if i % 2 else "water_level", expected_interval_s=60).id)
    return ids


def publish_all(topic_of: dict, lines_of: dict, rate: float = 0.0) -> None:
    """Publish every line with mosquitto_pub (``-l``: one QoS 1 message per stdin line), one process per
    topic, all at once; ``rate`` > 0 paces the lines (messages/s over all publishers) through their stdin.
    Returns when all have received every PUBACK and exited."""
    procs = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, lines in lines_of.items():
            cmd = ["mosquitto_pub", "-h", "127.0.0.1", "-p", "1883", "-q", "1", "-M", "1000", "-l", "-t", topic_of[k]]
            if rate:
                procs.append(subprocess.Popen(cmd, stdin=subprocess.PIPE))
                continue
            path = os.path.join(tmp, f"{k}.txt")
            with open(path, "wb") as f:
                f.write(lines)
            with open(path, "rb") as f:
                procs.append(subprocess.Popen(cmd, stdin=f))
        if rate:
            split = [lines.splitlines(keepends=True) for lines in lines_of.values()]
            sent = [0] * len(split)
            per = rate / len(split)
            t0 = time.perf_counter()
            while any(sent[j] < len(split[j]) for j in range(len(split))):
                due = int(per * (time.perf_counter() - t0)) + 1
                for j, p in enumerate(procs):
                    if sent[j] < min(due, len(split[j])):
                        p.stdin.write(b"".join(split[j][sent[j]:due]))
                        p.stdin.flush()
                        sent[j] = min(due, len(split[j]))
                time.sleep(0.01)
            for p in procs:
                p.stdin.close()
        for p in procs:
            if p.wait(600):
                raise RuntimeError("mosquitto_pub failed")


def peer(prefix: str, streams: list, lines_of: dict, n: int, rate: float) -> tuple[float, int]:
    """The broker's own rate: the same messages to a bare ``mosquitto_sub`` (QoS 1, one line per message)."""
    topics = {ds: f"{prefix}peer/v1.1/Datastreams({ds})/Observations" for ds in streams}
    sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-q", "1", "-t", f"{prefix}peer/#"],
                           stdout=subprocess.PIPE)
    got = [0, 0.0]

    def count():
        for _ in sub.stdout:
            got[0] += 1
            got[1] = time.perf_counter()
            if got[0] >= n:
                break

    counter = threading.Thread(target=count, daemon=True)
    counter.start()
    time.sleep(1.5)  # let it subscribe
    t0 = time.perf_counter()
    publish_all(topics, lines_of, rate)
    while counter.is_alive() and time.perf_counter() - max(got[1], t0) < 5:
        counter.join(0.2)  # until all n arrived, or none for 5 s
    sub.terminate()
    sub.wait(10)
    return (got[0] / (got[1] - t0) if got[0] else 0.0), got[0]


def ingest(env: dict, prefix: str, streams: list, lines_of: dict, n: int, start_ms: int, rate: float,
           spy: str | None):
    """(rate of stored rows, stored, the ingester's own account, subscribers it reported)."""
    from django.db import connection

    topics = {ds: f"{prefix}v1.1/Datastreams({ds})/Observations" for ds in streams}
    client_id = f"bench-ingest-{uuid.uuid4().hex[:6]}"
    log_path = os.path.join(env["SMARTCOUNTY_DATA_DIR"], "ingest_mqtt.log")
    proc = subprocess.Popen([sys.executable, "-m", "smartcounty.cli", "ingest_mqtt", "--client-id", client_id,
                             "--topic", f"{prefix}v1.1/+/Observations"], env=env, stdout=subprocess.PIPE,
                            stderr=open(log_path, "w"), text=True)
    marks = ",".join(str(ds) for ds in streams)
    count_sql = f"SELECT COUNT(*) FROM sensing_observation WHERE datastream_id IN ({marks}) AND phenomenon_ms >= {start_ms}"
    recorder = None
    t0 = last_change = time.perf_counter()
    try:
        first = proc.stdout.readline()
        assert "subscribed" in first, first
        if spy:
            recorder = subprocess.Popen([shutil.which("py-spy", path=os.path.dirname(sys.executable)) or "py-spy",
                                         "record", "--pid", str(proc.pid), "--threads", "--rate", "200", "--format",
                                         "raw", "--output", spy], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.0)
        with connection.cursor() as cur:
            cur.execute(count_sql)
            before = cur.fetchone()[0]
        t0 = time.perf_counter()
        publisher = threading.Thread(target=publish_all, args=(topics, lines_of, rate))
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
                break  # nothing new for 10 s: the broker dropped the rest (its queue limits)
        took = last_change - t0
        publisher.join()
    finally:
        if recorder is not None:
            recorder.send_signal(2)  # SIGINT: py-spy writes its output and exits
            recorder.wait(30)
        idle = time.perf_counter() - last_change  # the wait for rows that did not come: not the ingester's
        proc.terminate()  # it exits once its event subscribers have handled every batch (events.wait_idle)
        out, _ = proc.communicate(timeout=120)
        drained = time.perf_counter() - t0 - idle
    import paho.mqtt.client as mqtt

    drop = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    drop.connect("127.0.0.1", 1883, clean_start=True)
    drop.disconnect()
    return stored / took if took > 0 else 0.0, stored, stored / drained, first.strip(), out.strip()


def phase(engine: str, env: dict, streams: list, n: int, rate: float, start_ms: int, spy: str | None) -> list:
    from smartcounty.kernel import events

    lines_of = {}
    for j, ds in enumerate(streams):
        count = n // len(streams) + (1 if j < n % len(streams) else 0)
        lines_of[ds] = "".join(json.dumps({"phenomenonTime": start_ms + k * 1000, "result": 20 + k % 100 / 10}) + "\n"
                               for k in range(count)).encode()
    prefix = f"bench/{uuid.uuid4().hex[:8]}/"
    load0 = os.getloadavg()[0]
    broker_rate, peer_got = peer(prefix, streams, lines_of, n, rate)
    got, stored, drained, first, account = ingest(env, prefix, streams, lines_of, n, start_ms, rate, spy)
    installed = sorted(events.subscribers("sensing.observations"))
    reported = sorted(first.partition("sensing.observations subscribers:")[2].strip(" )").split(", "))
    assert installed and reported == installed, (reported, installed)
    how = f"paced at {rate:,.0f} msg/s offered" if rate else "as fast as they go"
    print(f"[{engine}] MQTT ingest, {n:,} QoS 1 messages from {PUBLISHERS} mosquitto_pub processes {how}: "
          f"{got:,.0f} msg/s stored ({stored:,} stored; one ingest process, acknowledged after commit); the same "
          f"messages through the broker to a bare mosquitto_sub: {broker_rate:,.0f} msg/s ({peer_got:,} delivered) "
          f"-> ratio {got / broker_rate if broker_rate else 0:.2f}  (goal >= 10,000 msg/s)")
    print(f"[{engine}]   until the ingest process had also handed every batch to every subscriber and exited: "
          f"{drained:,.0f} msg/s ({len(BENCH_RULES)} rules active)")
    print(f"[{engine}]   ingester's account: {account.splitlines()[-1] if account else '(none)'}; "
          f"load average {load0:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs")
    return reported


def child(engine: str, burst: int, sustained: int, rate: float, spy_dir: str | None) -> None:
    import django

    django.setup()
    env = dict(os.environ)
    streams = make_streams(PUBLISHERS)
    make_rules()
    spy = os.path.join(spy_dir, f"{engine}.txt") if spy_dir else None
    subscribers = []
    if burst:
        subscribers = phase(engine, env, streams, burst, 0.0, START_MS, spy)
    if sustained:
        subscribers = phase(engine, env, streams, sustained, rate, START_MS + 10**9, None if burst else spy)
    print(f"[{engine}] sensing.observations subscribers in the ingest process: {', '.join(subscribers)}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--engines", default="sqlite,postgres")
    p.add_argument("--messages", type=int, default=50_000,
                   help="burst: published as fast as mosquitto_pub goes (0: skip)")
    p.add_argument("--sustained", type=int, default=300_000, help="paced run: messages (0: skip)")
    p.add_argument("--rate", type=float, default=20_000, help="paced run: messages/s offered by all publishers")
    p.add_argument("--py-spy", dest="spy", help="directory for py-spy recordings of the ingest process")
    p.add_argument("--child")
    a = p.parse_args()
    if a.child:
        child(a.child, a.messages, a.sustained, a.rate, a.spy)
        return
    if a.spy:
        os.makedirs(a.spy, exist_ok=True)
    for engine in a.engines.split(","):
        run_child(__file__, engine, "mqtt", "--messages", str(a.messages), "--sustained", str(a.sustained),
                  "--rate", str(a.rate), *(["--py-spy", os.path.abspath(a.spy)] if a.spy else []))


if __name__ == "__main__":
    main()
