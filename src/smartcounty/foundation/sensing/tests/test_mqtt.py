"""MQTT ingest through the real Mosquitto broker, including a SIGKILL of the ingesting process."""

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt
import pytest
from django.db import connection

from smartcounty.foundation.sensing.models import DeadLetter, Observation

pytestmark = [pytest.mark.mqtt, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _db_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class IngesterProcess:
    def __init__(self, broker, client_id, prefix):
        env = dict(os.environ, DATABASE_URL=_db_url(), SMARTCOUNTY_SIMULATE="0")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "smartcounty.cli", "ingest_mqtt", "--host", broker[0], "--port", str(broker[1]),
             "--client-id", client_id, "--topic", f"{prefix}v1.1/+/Observations", "--batch", "100"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # "subscribed ..." once the session is in place
        if "subscribed" not in line:
            self.proc.kill()
            raise AssertionError(f"ingester did not start: {line!r} {self.proc.stderr.read()[-2000:]}")

    def stop(self, sig="term"):
        if sig == "kill":
            self.proc.kill()
        else:
            self.proc.terminate()
        self.proc.wait(20)
        return self.proc.stdout.read()  # after a clean stop: "stopped: <n> received, ..."


def _drop_session(broker, client_id):
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    c.connect(broker[0], broker[1], clean_start=True)
    c.loop_start()
    time.sleep(0.2)
    c.disconnect()
    c.loop_stop()


class Publisher:
    """Publishes QoS 1 and remembers which messages the broker acknowledged (PUBACK)."""

    def __init__(self, broker):
        self.acked = set()
        self.by_mid = {}
        self.lock = threading.Lock()
        self.c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}")
        self.c.max_inflight_messages_set(200)
        self.c.on_publish = self._on_publish
        self.c.connect(*broker)
        self.c.loop_start()

    def _on_publish(self, client, userdata, mid, reason_code, properties):
        with self.lock:
            self.acked.add(mid)

    def publish(self, topic, body, key):
        info = self.c.publish(topic, json.dumps(body), qos=1)
        with self.lock:
            self.by_mid[info.mid] = key
        return info

    def acked_keys(self):
        with self.lock:
            return {self.by_mid[m] for m in self.acked if m in self.by_mid}

    def close(self):
        self.c.disconnect()
        self.c.loop_stop()


def _stored_keys(ids):
    return set(Observation.objects.filter(datastream_id__in=ids).values_list("datastream_id", "phenomenon_ms"))


def _wait(cond, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    return False


def test_sigkill_mid_stream_loses_no_acknowledged_observation(mqtt_broker, network):
    prefix = f"sc-test/{uuid.uuid4().hex[:10]}/"
    client_id = f"sc-ingest-test-{uuid.uuid4().hex[:8]}"
    ids = [network["pm25_1"].id, network["pm10_1"].id, network["level"].id]
    t0 = datetime.now(UTC) - timedelta(hours=2)
    ing = IngesterProcess(mqtt_broker, client_id, prefix)
    pub = Publisher(mqtt_broker)
    n = 900
    done = threading.Event()

    def stream():
        for i in range(n):
            ds = ids[i % 3]
            when = t0 + timedelta(seconds=i)
            pub.publish(f"{prefix}v1.1/Datastreams({ds})/Observations",
                        {"phenomenonTime": when.isoformat(), "result": i}, (ds, round(when.timestamp() * 1000)))
            if i % 3 == 2:
                time.sleep(0.004)
        done.set()

    threading.Thread(target=stream, daemon=True).start()
    try:
        stored = Observation.objects.filter(datastream_id__in=ids)
        assert _wait(lambda: stored.count() >= 150, 30), "nothing stored before the kill"
        ing.stop("kill")  # SIGKILL mid-stream: whatever was in flight is neither committed nor acknowledged
        killed_at = stored.count()
        assert killed_at < n, "the stream ended before the kill; the test proves nothing"
        ing = IngesterProcess(mqtt_broker, client_id, prefix)  # same client id: the session resumes
        assert done.wait(60)
        assert _wait(lambda: len(pub.acked_keys()) == n, 30), "the broker did not acknowledge every publish"
        acked = pub.acked_keys()
        assert _wait(lambda: acked <= _stored_keys(ids), 60), f"missing {len(acked - _stored_keys(ids))} acknowledged"
        time.sleep(0.5)
        # each stored exactly once, nothing else (other modules may derive rows of other datastreams, e.g. AQI)
        assert Observation.objects.filter(datastream_id__in=ids).count() == n == len(acked)
        assert not DeadLetter.objects.exists()
    finally:
        ing.stop()
        pub.close()
        _drop_session(mqtt_broker, client_id)


def test_mqtt_bad_payloads_go_to_dead_letters(mqtt_broker, network):
    prefix = f"sc-test/{uuid.uuid4().hex[:10]}/"
    client_id = f"sc-ingest-test-{uuid.uuid4().hex[:8]}"
    ds = network["pm25_1"].id
    ing = IngesterProcess(mqtt_broker, client_id, prefix)
    pub = Publisher(mqtt_broker)
    try:
        topic = f"{prefix}v1.1/Datastreams({ds})/Observations"
        pub.c.publish(topic, b"{not json", qos=1)
        pub.c.publish(f"{prefix}v1.1/Things(3)/Observations", b'{"result": 1}', qos=1)
        pub.c.publish(topic, json.dumps({"phenomenonTime": "2026-11-27T10:00:00Z", "result": 7}), qos=1)
        pub.c.publish(topic, json.dumps({"phenomenonTime": "2026-11-27T10:00:00Z", "result": 8}), qos=1)  # repeat
        pub.c.publish(topic, json.dumps({"phenomenonTime": "soon", "result": 9}), qos=1)
        mine = Observation.objects.filter(datastream_id=ds)
        assert _wait(lambda: DeadLetter.objects.count() == 3 and mine.count() == 1, 30)
        reasons = sorted(DeadLetter.objects.values_list("reason", flat=True))
        assert any("not JSON" in r for r in reasons) and any("topic" in r for r in reasons)
        assert any("ISO 8601" in r for r in reasons)
        assert list(mine.values_list("result", flat=True)) == [7.0]
        assert all(t.startswith(prefix) for t in DeadLetter.objects.values_list("topic", flat=True))
    finally:
        ing.stop()
        pub.close()
        _drop_session(mqtt_broker, client_id)


def test_mqtt_properties_qos0_and_large_payloads_are_stored(mqtt_broker, network):
    """The ingester's short path takes QoS 1 PUBLISH packets without MQTT 5 properties; everything else
    (properties, QoS 0) goes through paho's own handling; a payload larger than one socket read is cut
    across reads. All of them are stored, and the QoS 1 ones acknowledged (nothing is redelivered)."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    prefix = f"sc-test/{uuid.uuid4().hex[:10]}/"
    client_id = f"sc-ingest-test-{uuid.uuid4().hex[:8]}"
    pm25, level = network["pm25_1"].id, network["level"].id
    t0 = round((datetime.now(UTC) - timedelta(hours=3)).timestamp()) * 1000
    ing = IngesterProcess(mqtt_broker, client_id, prefix)
    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub5-{uuid.uuid4().hex[:8]}",
                      protocol=mqtt.MQTTv5)
    pub.connect(*mqtt_broker)
    pub.loop_start()
    try:
        topic = f"{prefix}v1.1/Datastreams({pm25})/Observations"
        props = Properties(PacketTypes.PUBLISH)
        props.PayloadFormatIndicator = 1
        props.ContentType = "application/json"
        props.UserProperty = ("station", "air-1")
        pub.publish(topic, json.dumps({"phenomenonTime": t0, "result": 1}), qos=1, properties=props).wait_for_publish(5)
        pub.publish(topic, json.dumps({"phenomenonTime": t0 + 1000, "result": 2}), qos=0).wait_for_publish(5)
        big = [{"phenomenonTime": t0 + k * 1000, "result": k / 10} for k in range(3000)]  # ~130 kB
        pub.publish(f"{prefix}v1.1/Datastreams({level})/Observations", json.dumps(big), qos=1).wait_for_publish(5)
        for k in range(200):  # and the short path right after them
            pub.publish(topic, json.dumps({"phenomenonTime": t0 + (10 + k) * 1000, "result": k}), qos=1)
        assert _wait(lambda: Observation.objects.filter(datastream_id=level).count() == 3000
                     and Observation.objects.filter(datastream_id=pm25).count() == 202, 30)
        assert sorted(Observation.objects.filter(datastream_id=pm25, phenomenon_ms__lt=t0 + 2000)
                      .values_list("result", flat=True)) == [1.0, 2.0]
        assert "stopped: 203 received, 203 stored" in ing.stop()
        # Everything was acknowledged: a new ingester on the same session is delivered nothing again.
        ing = IngesterProcess(mqtt_broker, client_id, prefix)
        time.sleep(1.0)
        assert "stopped: 0 received" in ing.stop()
        assert Observation.objects.filter(datastream_id__in=[pm25, level]).count() == 3202
        assert not DeadLetter.objects.exists()
    finally:
        ing.stop()
        pub.loop_stop()
        pub.disconnect()
        _drop_session(mqtt_broker, client_id)
