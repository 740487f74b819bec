"""MQTT ingest: SensorThings topics ``v1.1/Datastreams(<id>)/Observations``, QoS 1, ack after commit.

The subscriber keeps a persistent session under a fixed client id (MQTT 5: clean start off and a
session expiry; the equivalent of MQTT 3.1.1 ``clean_session=False``), so messages published while
it is down wait at the broker. Acks are manual: a message is acknowledged only after the batch that
stored it has committed. If the process dies before that, the broker delivers the message again,
and the (datastream, phenomenon time) key makes the second delivery a no-op. MQTT 5 also lets the
subscriber raise the broker's in-flight window (Receive Maximum): with 3.1.1 Mosquitto keeps at most
20 unacknowledged messages per client, which would cap every batch at 20.
"""

import logging
import os
import re
import threading
import time
from collections import deque

import orjson
import paho.mqtt.client as mqtt
from django.db import close_old_connections, transaction
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from smartcounty.foundation.sensing import ingest as ingest_mod

log = logging.getLogger("smartcounty.sensing.mqtt")

TOPIC_RE = re.compile(r"(?:^|/)v1\.1/Datastreams\((\d+)\)/Observations$")
DEFAULT_TOPIC = "v1.1/+/Observations"
DEFAULT_CLIENT_ID = "smartcounty-ingest"
SESSION_EXPIRY_S = 7 * 86400


def settings_from_env() -> dict:
    return {"host": os.environ.get("SMARTCOUNTY_MQTT_HOST", "127.0.0.1"),
            "port": int(os.environ.get("SMARTCOUNTY_MQTT_PORT", "1883")),
            "client_id": os.environ.get("SMARTCOUNTY_MQTT_CLIENT_ID", DEFAULT_CLIENT_ID)}


def decode(messages) -> tuple[list, list, list, list]:
    """MQTT messages to (items, raw payloads, topics, bad): ``bad`` are (reason, payload, topic)."""
    items, raws, topics, bad = [], [], [], []
    for msg in messages:
        topic = msg.topic
        m = TOPIC_RE.search(topic)
        if m is None:
            bad.append(("topic is not v1.1/Datastreams(<id>)/Observations", msg.payload, topic))
            continue
        ds = int(m.group(1))
        try:
            body = orjson.loads(msg.payload)
        except (ValueError, UnicodeDecodeError) as exc:
            bad.append((f"payload is not JSON: {exc}", msg.payload, topic))
            continue
        body = body if isinstance(body, list) else [body]
        text = msg.payload.decode("utf-8", "replace")
        for item in body:
            if isinstance(item, dict):
                ref = item.pop("Datastream", None) or item.pop("datastream", None)
                ref_id = ref.get("@iot.id") if isinstance(ref, dict) else ref
                if ref_id is not None and ref_id != ds:
                    item["__bad__"] = f"payload names datastream {ref_id!r}, topic names {ds}"
                item["datastream"] = ds
            items.append(item)
            raws.append(text)
            topics.append(topic)
    return items, raws, topics, bad


def store(messages) -> ingest_mod.IngestResult | None:
    """Store one batch of messages in one transaction (dead letters included)."""
    items, raws, topics, bad = decode(messages)
    with transaction.atomic():
        for reason, payload, topic in bad:
            ingest_mod.dead_letter(reason, payload, source="mqtt", topic=topic)
        if items:
            return ingest_mod.ingest(items, source="mqtt", raw_items=raws, topic=topics)
    return None


class Ingester:
    def __init__(self, host="127.0.0.1", port=1883, client_id=DEFAULT_CLIENT_ID, topic=DEFAULT_TOPIC,
                 batch_size=5000, max_delay=0.05, receive_maximum=20000, on_ready=None):
        self.host, self.port, self.topic = host, port, topic
        self.batch_size, self.max_delay = batch_size, max_delay
        self.on_ready = on_ready
        self.stored = 0
        self._buf: deque = deque()
        self._cv = threading.Condition()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                                  protocol=mqtt.MQTTv5, manual_ack=True)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self._props = Properties(PacketTypes.CONNECT)
        self._props.SessionExpiryInterval = SESSION_EXPIRY_S
        self._props.ReceiveMaximum = receive_maximum

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.error("MQTT connect refused: %s", reason_code)
            return
        client.subscribe(self.topic, qos=1)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        log.info("subscribed to %s", self.topic)
        if self.on_ready:
            self.on_ready()

    def _on_message(self, client, userdata, msg):
        with self._cv:
            self._buf.append(msg)
            # Wake the batcher on the first message (its max_delay clock starts) and on a full batch.
            if len(self._buf) == 1 or len(self._buf) >= self.batch_size:
                self._cv.notify()

    def _take(self, stop) -> list:
        deadline = None
        with self._cv:
            while not stop.is_set():
                if len(self._buf) >= self.batch_size:
                    break
                if self._buf:
                    deadline = deadline or time.monotonic() + self.max_delay
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._cv.wait(left)
                else:
                    self._cv.wait(0.2)
            n = min(len(self._buf), self.batch_size)
            return [self._buf.popleft() for _ in range(n)]

    def run(self, stop: threading.Event) -> None:
        self.client.connect(self.host, self.port, keepalive=30, clean_start=False, properties=self._props)
        self.client.loop_start()
        try:
            while not stop.is_set():
                batch = self._take(stop)
                if not batch:
                    continue
                while not stop.is_set():
                    try:
                        store(batch)
                        break
                    except Exception:
                        # Not acknowledged: keep the batch and retry (the broker holds the messages).
                        log.exception("storing an MQTT batch failed; retrying")
                        close_old_connections()
                        stop.wait(1.0)
                else:
                    return
                for msg in batch:
                    self.client.ack(msg.mid, msg.qos)
                self.stored += len(batch)
                log.debug("stored and acknowledged %d messages", len(batch))
        finally:
            self.client.disconnect()
            self.client.loop_stop()
