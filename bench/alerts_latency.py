"""Alert latency: MQTT publish → sensing's MQTT ingester → rule engine → alert in the SSE live feed.

Goal (issue 3): p99 < 200 ms. Run: ``.venv/bin/python bench/alerts_latency.py [--n 200]``
(``DATABASE_URL=postgres://...`` for PostgreSQL; default a fresh SQLite file under /tmp).

A server process is started the way ``smartcounty serve`` runs things (one process: the dev server with
threads, plus sensing's MQTT ingester as a thread beside it), on 127.0.0.1:8104. This script logs a
platform administrator into the feed, then publishes QoS-1 observations to the local Mosquitto, each one
crossing a threshold rule (alternately raising and resolving an alert), and times each until its event
arrives on the SSE stream. Beside it, the physical floor measured in the same run: an MQTT publish →
subscriber round trip through the same broker.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8104
SERVER = r"""
import threading, django
django.setup()
from django.core.management import call_command
from smartcounty.foundation.sensing import mqtt


stop = threading.Event()
ing = mqtt.Ingester("127.0.0.1", 1883, "alerts-bench-ingest", mqtt.DEFAULT_TOPIC, max_delay=0.005)
threading.Thread(target=ing.run, args=(stop,), daemon=True).start()
call_command("serve", "127.0.0.1:{port}", no_background=True)  # the server as deployed (TCP_NODELAY, tuned GC)
""".replace("{port}", str(PORT))


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def setup_django(env):
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcounty.settings")
    import django

    django.setup()


def prepare():
    """Migrate, create the station, its datastream, a threshold rule and a platform admin's session."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from smartcounty.foundation.alerts.models import Rule
    from smartcounty.foundation.alerts.schemas import RuleIn
    from smartcounty.foundation.alerts.services import create_rule, delete_rule
    from smartcounty.foundation.sensing import services as sensing

    call_command("migrate", verbosity=0)
    apps.get_model("sensing", "Datastream")  # sensing is installed
    run = int(time.time())  # a fresh station per run: earlier runs' observations never collide
    thing = sensing.create_thing(f"bench-alert-station-{run}", "基准测试站", lon=115.44, lat=36.48)
    ds = sensing.create_datastream(thing, "pm25", expected_interval_s=60)
    for old in Rule.objects.filter(name="bench threshold"):
        delete_rule(old)
    create_rule(RuleIn(name="bench threshold", kind="threshold", property="pm25", scope="datastream",
                       datastream_id=ds.id, level=3, params={"op": "above", "value": 100}))
    User = get_user_model()
    user = User.objects.filter(username="bench-admin").first() or User.objects.create_user(
        "bench-admin", password="Bench-password-1", role="platform_admin", kind="staff")
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return ds.id, session.session_key


class Feed(threading.Thread):
    """Reads the SSE stream; records (arrival time, message)."""

    def __init__(self, session_key):
        super().__init__(daemon=True)
        self.session_key = session_key
        self.arrivals = {}
        self.ready = threading.Event()
        self.cond = threading.Condition()

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        conn.request("GET", "/alerts/feed", headers={"Cookie": f"sessionid={self.session_key}",
                                                     "Accept": "text/event-stream"})
        resp = conn.getresponse()
        assert resp.status == 200, resp.status
        while True:
            chunk = resp.fp.readline()
            if not chunk:
                return
            if chunk.startswith(b"retry:"):
                self.ready.set()
            if chunk.startswith(b"data: "):
                msg = json.loads(chunk[6:])
                with self.cond:
                    self.arrivals[msg["value"]] = (time.perf_counter(), msg)
                    self.cond.notify_all()

    def wait(self, value, timeout=10.0):
        end = time.perf_counter() + timeout
        with self.cond:
            while value not in self.arrivals:
                left = end - time.perf_counter()
                if left <= 0:
                    return None
                self.cond.wait(left)
            return self.arrivals[value]


def mqtt_floor(n):
    """Publish → receive round trips through the same broker (QoS 1), no database."""
    import paho.mqtt.client as mqtt

    got = threading.Event()
    sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="alerts-bench-floor-sub")
    sub.on_message = lambda c, u, m: got.set()
    sub.connect("127.0.0.1", 1883)
    sub.subscribe("bench/alerts/floor", qos=1)
    sub.loop_start()
    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="alerts-bench-floor-pub")
    pub.connect("127.0.0.1", 1883)
    pub.loop_start()
    time.sleep(0.3)
    out = []
    for _ in range(n):
        got.clear()
        t = time.perf_counter()
        pub.publish("bench/alerts/floor", b"x", qos=1)
        if got.wait(5):
            out.append((time.perf_counter() - t) * 1000)
    pub.loop_stop()
    sub.loop_stop()
    pub.disconnect()
    sub.disconnect()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200, help="observations (each raises or resolves an alert)")
    ap.add_argument("--gap", type=float, default=0.05, help="seconds between publishes")
    args = ap.parse_args()
    data_dir = tempfile.mkdtemp(prefix="sc-alerts-bench-")
    env = {"SMARTCOUNTY_DATA_DIR": data_dir, "SMARTCOUNTY_SIMULATE": "0", "SMARTCOUNTY_ALERTS_FEED_POLL": "0",
           "PYTHONPATH": str(ROOT / "src")}
    setup_django(env)
    from django.db import connection

    ds_id, session_key = prepare()
    vendor = connection.vendor
    connection.close()
    server = subprocess.Popen([sys.executable, "-c", SERVER], env={**os.environ, **env}, cwd=str(ROOT),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        feed = Feed(session_key)
        feed.start()
        assert feed.ready.wait(10), "the feed did not start"
        import paho.mqtt.client as mqtt

        pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="alerts-bench-pub")
        pub.connect("127.0.0.1", 1883)
        pub.loop_start()
        time.sleep(1.0)  # the ingester has subscribed
        topic = f"v1.1/Datastreams({ds_id})/Observations"
        t0 = datetime.now(UTC) - timedelta(hours=1)
        latencies, lost = [], 0
        for i in range(args.n):
            value = 150.0 + i if i % 2 == 0 else 50.0 + i / 1000  # raise, resolve, raise, ...
            body = json.dumps({"phenomenonTime": (t0 + timedelta(seconds=i)).isoformat(), "result": value})
            t = time.perf_counter()
            pub.publish(topic, body, qos=1).wait_for_publish(5)
            hit = feed.wait(value, timeout=2.0)
            if hit is None:
                lost += 1
            else:
                latencies.append((hit[0] - t) * 1000)
            time.sleep(args.gap)
        pub.loop_stop()
        pub.disconnect()
    finally:
        server.terminate()
        server.wait(10)
    floor = mqtt_floor(100)
    how = "sensing's ingester as committed"
    print(f"alert latency, MQTT publish -> SSE feed ({vendor}, {how}, {len(latencies)} alerts, {lost} missing):")
    print(f"  p50 {statistics.median(latencies):.1f} ms  p95 {pct(latencies, 95):.1f} ms  "
          f"p99 {pct(latencies, 99):.1f} ms  max {max(latencies):.1f} ms   (goal p99 < 200 ms)")
    print(f"  floor, MQTT publish -> subscriber round trip through the same broker: "
          f"p50 {statistics.median(floor):.2f} ms  p99 {pct(floor, 99):.2f} ms")
    print(f"  ratio p99 / floor p99: {pct(latencies, 99) / pct(floor, 99):.0f}x")
    return 0 if not lost else 1


if __name__ == "__main__":
    sys.exit(main())
