"""MQTT ingest: SensorThings topics ``v1.1/Datastreams(<id>)/Observations``, QoS 1, ack after commit.

The subscriber keeps a persistent session under a fixed client id (MQTT 5: clean start off and a
session expiry; the equivalent of MQTT 3.1.1 ``clean_session=False``), so messages published while
it is down wait at the broker. Acks are manual: a message is acknowledged only after the batch that
stored it has committed. If the process dies before that, the broker delivers the message again,
and the (datastream, phenomenon time) key makes the second delivery a no-op. MQTT 5 also lets the
subscriber raise the broker's in-flight window (Receive Maximum, here the protocol's largest): with
3.1.1 Mosquitto keeps at most 20 unacknowledged messages per client, which would cap every batch at 20.

Where the time went (py-spy on the running ingester, see ``bench/sensing_mqtt.py``): paho's network
thread, not the database. For each PUBLISH paho 2.2 builds an MQTT 5 ``Properties`` object (a dict of
~40 entries, even when the packet carries none), an ``MQTTMessage`` with its own ``threading.Condition``,
matches the topic against its callback table, and makes three ``recv`` calls and one ``select``; each
ack is one more queued packet, one ``send`` and one wake-up of the network thread. Every one of those
system calls gives up the GIL, and the rule engine and other subscribers' threads are always ready to
take it, so the network thread queued behind them for every message. ``_Client`` keeps paho for
everything (connection, session, subscription, keep-alive, writes) and shortens that one path:

* reads are buffered (one ``recv`` of up to 64 KiB, then packets are cut from memory) and a read
  drains what arrived before returning to ``select`` (within a budget, so writes and pings still run);
* a QoS 1 PUBLISH without properties (what devices and Mosquitto send) becomes a plain
  ``(mid, topic, payload)`` tuple; anything else still goes through paho's own handling;
* what one read produced is handed to the batching thread in one step (one lock, one notify);
* the acks of a committed batch go out as one buffer of PUBACK packets (one queued write).

Batches close when they are full or when their oldest message has waited ``max_delay``: under load the
backlog that built up while the previous batch was being stored is taken at once (large batches),
while a lone message waits at most ``max_delay`` (alert latency).
"""

import logging
import os
import re
import socket
import struct
import threading
import time
from collections import deque

import orjson
import paho.mqtt
import paho.mqtt.client as mqtt
from django.db import close_old_connections
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from smartcounty.foundation.sensing import ingest as ingest_mod
from smartcounty.foundation.sensing.sta import publish as sta_publish
from smartcounty.kernel import process

log = logging.getLogger("smartcounty.sensing.mqtt")

TOPIC_RE = re.compile(r"(?:^|/)v1\.1/Datastreams\((\d+)\)/Observations$")
DEFAULT_TOPIC = "v1.1/+/Observations"
#: SensorThings' other creation topic: each payload names its Datastream (``{"Datastream": {"@iot.id": 5}}``)
ALL_TOPIC = "v1.1/Observations"
FROM_PAYLOAD = 0  # the route's datastream for ALL_TOPIC: the payload says
DEFAULT_CLIENT_ID = "smartcounty-ingest"
SESSION_EXPIRY_S = 7 * 86400
RECEIVE_MAXIMUM = 65535  # the largest MQTT 5 allows: the broker may have this many messages unacknowledged
BAD_TOPIC = "topic is not v1.1/Datastreams(<id>)/Observations or v1.1/Observations"
READ_SIZE = 65536
# Mosquitto drops QoS 1 messages for a subscriber that has not read its socket fast enough during a burst
# (it keeps few unwritten packets per client), even inside the Receive Maximum window; a larger kernel
# receive buffer absorbs the burst while the network thread waits for the GIL. Linux caps it at
# net.core.rmem_max (and doubles it). 0 leaves the system's default (and its autotuning).
RECEIVE_BUFFER = int(os.environ.get("SMARTCOUNTY_MQTT_RCVBUF", str(4 * 1024 * 1024)))
READS_PER_LOOP = 16  # socket reads per paho loop iteration (~1 MiB), then paho writes, pings and selects again
_PUBACK = 0x4002 << 16  # PUBACK fixed header (type 4, remaining length 2) as the high half of a 32-bit word
# The paho internals _Client relies on are those of 2.2 (pinned); another version gets paho's own paths.
SHORT_PATH = paho.mqtt.__version__.startswith("2.2.")
_routes: dict = {}


def settings_from_env() -> dict:
    return {"host": os.environ.get("SMARTCOUNTY_MQTT_HOST", "127.0.0.1"),
            "port": int(os.environ.get("SMARTCOUNTY_MQTT_PORT", "1883")),
            "client_id": os.environ.get("SMARTCOUNTY_MQTT_CLIENT_ID", DEFAULT_CLIENT_ID)}


def _route(topic) -> tuple[int | None, str]:
    """A topic (bytes or str) to (datastream id or None, topic text); remembered, devices reuse few topics."""
    route = _routes.get(topic)
    if route is None:
        text = topic.decode("utf-8", "replace") if isinstance(topic, bytes) else topic
        m = TOPIC_RE.search(text)
        route = (int(m.group(1)) if m else FROM_PAYLOAD if text.endswith(ALL_TOPIC) else None, text)
        if len(_routes) >= 100_000:
            _routes.clear()
        _routes[topic] = route
    return route


def _check_ref(item: dict, ds: int) -> None:
    """An item that names a datastream itself must name the topic's."""
    ref = item.pop("Datastream", None) or item.pop("datastream", None)
    ref_id = ref.get("@iot.id") if isinstance(ref, dict) else ref
    if ref_id is not None and ref_id != ds:
        item["__bad__"] = f"payload names datastream {ref_id!r}, topic names {ds}"


def decode(messages) -> tuple[list, list, list, list]:
    """``(mid, topic, payload)`` messages to (items, raw payloads, topics, bad): ``bad`` are (reason,
    payload, topic). A raw payload stays bytes: it is only decoded if its item becomes a dead letter."""
    items, raws, topics, bad = [], [], [], []
    loads = orjson.loads
    routes = _routes
    for _mid, topic, payload in messages:
        route = routes.get(topic) or _route(topic)
        ds = route[0]
        if ds is None:
            bad.append((BAD_TOPIC, payload, route[1]))
            continue
        try:
            body = loads(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            bad.append((f"payload is not JSON: {exc}", payload, route[1]))
            continue
        if ds == FROM_PAYLOAD:  # v1.1/Observations: ingest reads each item's own Datastream
            for item in body if isinstance(body, list) else [body]:
                items.append(item)
                raws.append(payload)
                topics.append(route[1])
            continue
        if type(body) is dict:
            if "datastream" in body or "Datastream" in body:
                _check_ref(body, ds)
            body["datastream"] = ds
            items.append(body)
            raws.append(payload)
            topics.append(route[1])
            continue
        for item in body if isinstance(body, list) else [body]:
            if isinstance(item, dict):
                _check_ref(item, ds)
                item["datastream"] = ds
            items.append(item)
            raws.append(payload)
            topics.append(route[1])
    return items, raws, topics, bad


def store(messages, seconds: dict | None = None) -> ingest_mod.IngestResult | None:
    """Store one batch of messages in one transaction (dead letters included); ``seconds`` adds up the time
    spent decoding and ingesting."""
    t0 = time.perf_counter()
    items, raws, topics, bad = decode(messages)
    t1 = time.perf_counter()
    try:
        with process.write_transaction():
            for reason, payload, topic in bad:
                ingest_mod.dead_letter(reason, payload, source="mqtt", topic=topic)
            if items:
                return ingest_mod.ingest(items, source="mqtt", raw_items=raws, topic=topics)
        return None
    finally:
        if seconds is not None:
            seconds["decode"] += t1 - t0
            seconds["ingest"] += time.perf_counter() - t1


class _Client(mqtt.Client):
    """paho's client with a short path for what this process receives in bulk (see the module docstring).

    It overrides two of paho's internal methods (``_sock_recv``, ``_handle_publish``) and uses one
    (``_packet_queue``); paho-mqtt is pinned in pyproject.toml and the MQTT tests run against Mosquitto."""

    def __init__(self, deliver, **kwargs):
        super().__init__(**kwargs)
        self._short = SHORT_PATH and self._protocol == mqtt.MQTTv5
        self._deliver = deliver  # called from the network thread with a list of (mid, topic, payload)
        self._received: list = []
        self._rbuf = b""
        self._rpos = 0
        self._reads_left = 0

    def _create_socket(self):
        self._rbuf, self._rpos = b"", 0  # nothing of an earlier connection is read on a new one
        sock = super()._create_socket()
        if self._short and RECEIVE_BUFFER:
            try:  # room in the kernel for a burst while this thread waits for the GIL (see RECEIVE_BUFFER)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
            except (OSError, AttributeError):
                pass
        return sock

    def _sock_recv(self, bufsize: int) -> bytes:
        if not self._short:
            return super()._sock_recv(bufsize)
        pos = self._rpos
        if pos >= len(self._rbuf):
            if self._reads_left <= 0:
                raise BlockingIOError  # the read budget of this loop is spent: paho will select() again
            try:
                data = super()._sock_recv(max(bufsize, READ_SIZE))
            except BlockingIOError:
                self._reads_left = 0  # nothing more has arrived
                raise
            self._reads_left -= 1
            if not data:
                return data
            self._rbuf, pos = data, 0
        end = pos + bufsize
        self._rpos = end
        return self._rbuf[pos:end]

    def loop_read(self, max_packets: int = 1) -> mqtt.MQTTErrorCode:
        """Read every packet that arrived (up to READS_PER_LOOP socket reads), then hand them over at once."""
        self._reads_left = READS_PER_LOOP
        fast = self._short
        try:
            rc = super().loop_read(max_packets)  # one packet per call (and a socket read when the buffer is empty)
            while fast and not rc and self._sock is not None and (self._rpos < len(self._rbuf) or self._reads_left > 0):
                if self._in_packet["command"] == 0:
                    self._cut_publishes()
                rc = super().loop_read(max_packets)
            return rc
        finally:
            self._reads_left = 0
            if self._received:
                received, self._received = self._received, []
                self._deliver(received)

    def _cut_publishes(self) -> None:
        """Take the complete QoS 1 PUBLISH packets without properties at the head of the read buffer as
        tuples; stop at anything else (another packet type, a partial packet) and leave it to paho."""
        buf, pos = self._rbuf, self._rpos
        size = len(buf)
        out = self._received
        while pos + 2 < size and buf[pos] & 0xF6 == 0x32:  # PUBLISH, QoS 1 (any DUP/RETAIN flag)
            length, shift, i = 0, 0, pos + 1
            while i < size and shift < 28:
                byte = buf[i]
                i += 1
                length |= (byte & 0x7F) << shift
                shift += 7
                if byte < 0x80:
                    break
            else:
                break  # partial (or malformed) remaining length: paho reads it
            end = i + length
            if length < 5 or end > size:
                break  # partial (or malformed) packet: paho's way
            topic_end = i + 2 + (buf[i] << 8 | buf[i + 1])
            if topic_end + 3 > end or buf[topic_end + 2] != 0:
                break  # properties (or malformed): paho's way
            out.append((buf[topic_end] << 8 | buf[topic_end + 1], buf[i + 2:topic_end], buf[topic_end + 3:end]))
            pos = end
        self._rpos = pos

    def _handle_publish(self) -> mqtt.MQTTErrorCode:
        packet = self._in_packet["packet"]
        if self._short and self._in_packet["command"] & 0x06 == 0x02:  # QoS 1
            end = 2 + (packet[0] << 8 | packet[1])
            if len(packet) > end + 2 and packet[end + 2] == 0:  # no properties
                self._received.append((packet[end] << 8 | packet[end + 1], bytes(packet[2:end]),
                                       bytes(packet[end + 3:])))
                return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS
        return super()._handle_publish()  # paho's way; the message comes back through on_message

    def ack_many(self, mids) -> None:
        """Acknowledge QoS 1 messages by packet id: one buffer of PUBACK packets, one queued write."""
        if not self._short:
            for mid in mids:
                if mid:
                    self.ack(mid, 1)
            return
        words = [_PUBACK | mid for mid in mids if mid]
        if words:
            self._packet_queue(mqtt.PUBACK, struct.pack(f"!{len(words)}I", *words), 0, 0)


class Ingester:
    def __init__(self, host="127.0.0.1", port=1883, client_id=DEFAULT_CLIENT_ID, topic=DEFAULT_TOPIC,
                 batch_size=5000, max_delay=0.05, receive_maximum=RECEIVE_MAXIMUM, on_ready=None, publish=None):
        self.host, self.port, self.topic = host, port, topic
        self.publish = os.environ.get("SMARTCOUNTY_STA_PUBLISH", "1") != "0" if publish is None else publish
        self.batch_size, self.max_delay = batch_size, max_delay
        self.on_ready = on_ready
        self.received = 0
        self.stored = 0
        self.batches = 0
        self.seconds = {"decode": 0.0, "ingest": 0.0, "ack": 0.0, "wait": 0.0}
        self._buf: deque = deque()  # (arrival time, [(mid, topic, payload), ...]) as the network thread read them
        self._buffered = 0
        self._cv = threading.Condition()
        self.client = _Client(self._deliver, callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
                              client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=True)
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
        # "no local": what this connection publishes (new observations, sta.publish) never comes back to it
        topics = [self.topic, ALL_TOPIC] if self.topic == DEFAULT_TOPIC else [self.topic]
        client.subscribe([(t, SubscribeOptions(qos=1, noLocal=True)) for t in topics])

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        log.info("subscribed to %s", self.topic)
        if self.on_ready:
            self.on_ready()

    def _on_message(self, client, userdata, msg):
        """paho's general path (a PUBLISH with properties, or QoS 0): the same tuple as the short path."""
        if sta_publish.from_us(getattr(msg, "properties", None)):  # another process's publication of a stored row
            if msg.qos:
                client.ack(msg.mid, msg.qos)
            return
        try:
            topic = msg.topic
        except UnicodeDecodeError:
            topic = "(not UTF-8)"
        client._received.append((msg.mid if msg.qos else 0, topic, msg.payload))

    def _deliver(self, received: list) -> None:
        with self._cv:
            self._buf.append((time.monotonic(), received))
            was = self._buffered
            self._buffered += len(received)
            self.received += len(received)
            # Wake the batcher when its max_delay clock starts and when a batch is full.
            if was == 0 or self._buffered >= self.batch_size > was:
                self._cv.notify()

    def _take(self, stop) -> list:
        """The next batch: full, or as soon as its oldest message has waited max_delay."""
        with self._cv:
            while not stop.is_set() and self._buffered < self.batch_size:
                if self._buf:
                    left = self._buf[0][0] + self.max_delay - time.monotonic()
                    if left <= 0:
                        break
                    self._cv.wait(left)
                else:
                    self._cv.wait(0.2)
            batch: list = []
            while self._buf and len(batch) < self.batch_size:
                arrived, chunk = self._buf.popleft()
                room = self.batch_size - len(batch)
                if len(chunk) > room:
                    self._buf.appendleft((arrived, chunk[room:]))
                    chunk = chunk[:room]
                batch.extend(chunk)
            self._buffered -= len(batch)
            return batch

    def account(self) -> str:
        """Where the batching thread's time went (seconds), for logs and benchmarks."""
        parts = ", ".join(f"{k} {v:.2f} s" for k, v in self.seconds.items())
        return f"{self.received} received, {self.stored} stored in {self.batches} batches: {parts}"

    def run(self, stop: threading.Event) -> None:
        self.client.connect(self.host, self.port, keepalive=30, clean_start=False, properties=self._props)
        self.client.loop_start()
        if self.publish:  # SensorThings' MQTT extension: new observations go out through this connection
            sta_publish.enable(self.client)
        seconds = self.seconds
        try:
            while not stop.is_set():
                t0 = time.perf_counter()
                batch = self._take(stop)
                seconds["wait"] += time.perf_counter() - t0
                if not batch:
                    continue
                while not stop.is_set():
                    try:
                        store(batch, seconds)
                        break
                    except Exception:
                        # Not acknowledged: keep the batch and retry (the broker holds the messages).
                        log.exception("storing an MQTT batch failed; retrying")
                        close_old_connections()
                        stop.wait(1.0)
                else:
                    return
                t0 = time.perf_counter()
                self.client.ack_many([m[0] for m in batch])  # committed: now the broker may forget them
                seconds["ack"] += time.perf_counter() - t0
                self.stored += len(batch)
                self.batches += 1
                log.debug("stored and acknowledged %d messages", len(batch))
        finally:
            if self.publish:
                sta_publish.disable()
            self.client.disconnect()
            self.client.loop_stop()
