"""The SensorThings MQTT extension, outbound: every new observation is published after commit.

Topics (QoS 0, as the standard's subscriptions are read): ``v1.1/Datastreams(<id>)/Observations``,
``v1.1/Things(<id>)/Datastreams(<id>)/Observations`` and ``v1.1/Observations``; the payload is the
Observation as ``GET`` returns it (``@iot.id``, ``@iot.selfLink``, times, result; ``parameters`` and
``validTime`` are read over HTTP). It is a subscriber of ``sensing.observations`` (a background, durable
event: ingest never waits for the broker, and a crash replays what was not yet published).

The ingester must not read its own publications back: in its process the publisher sends through the
ingester's own connection, whose subscriptions are MQTT 5 "no local"; and every publication carries the
user property ``smartcounty-origin``, which an ingester in another process sees and drops (an equivalent
of no-local across connections). Enabled by the MQTT ingester (``mqtt.Ingester``) in its process, or by
``SMARTCOUNTY_STA_PUBLISH=1`` for a process that ingests over HTTP only.
"""

import logging
import os
import threading
import time

import orjson
import paho.mqtt
import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from smartcounty.foundation.sensing.sta.entities import iso, obs_id

log = logging.getLogger("smartcounty.sensing.sta")

ORIGIN = ("smartcounty-origin", "sta")
#: ``_packet_queue`` is paho 2.2's (pinned, as ``sensing.mqtt`` relies on it too); another version: ``publish``
SHORT_PATH = paho.mqtt.__version__.startswith("2.2.")
EVENT = "sensing.observations"
_lock = threading.Lock()
_state: dict = {"client": None, "own": False, "want_own": False, "pid": None, "base": ""}


def base_url() -> str:
    return os.environ.get("SMARTCOUNTY_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/") + "/v1.1"


def _props() -> Properties:
    props = Properties(PacketTypes.PUBLISH)
    props.UserProperty = [ORIGIN]
    return props


def from_us(properties) -> bool:
    """Whether a received message carries this publisher's origin property."""
    return ORIGIN in (getattr(properties, "UserProperty", None) or [])


def enable(client=None, *, host: str | None = None, port: int | None = None) -> None:
    """Publish new observations through ``client`` (the ingester's), or a connection of our own, opened in the
    process that publishes (a server's workers fork after start-up: a connection made before would have no network
    thread there). The handler is subscribed by sensing's app config at start-up, before a process takes its outbox
    lane, so a durable replay knows it; without a connection it does nothing."""
    with _lock:
        _state["base"] = base_url()
        if client is None:
            _state.update(want_own=True, host=host, port=port)
            return
        if _state.get("own") and _state["client"] is not None and _state["client"] is not client:
            _stop(_state["client"])
        _state.update(client=client, own=False, want_own=False, pid=os.getpid())


def _own_client():
    """This process's own connection (made on first use, waiting up to 2 s for the broker)."""
    with _lock:
        client = _state["client"]
        if client is not None and _state.get("pid") == os.getpid():
            return client
        client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5,
                             client_id="")
        client.connect_async(_state.get("host") or os.environ.get("SMARTCOUNTY_MQTT_HOST", "127.0.0.1"),
                             int(_state.get("port") or os.environ.get("SMARTCOUNTY_MQTT_PORT", "1883")), keepalive=30)
        client.loop_start()
        _state.update(client=client, own=True, pid=os.getpid())
    for _ in range(40):
        if client.is_connected():
            break
        time.sleep(0.05)
    return client


def _stop(client) -> None:
    try:
        client.disconnect()
        client.loop_stop()
    except Exception:  # noqa: BLE001 (shutting down)
        pass


def disable() -> None:
    with _lock:
        if _state.get("own") and _state["client"] is not None and _state.get("pid") == os.getpid():
            _stop(_state["client"])
        _state.update(client=None, own=False, want_own=False)


def messages(batch, base: str):
    """(topic, payload) of each stored row of a ``sensing.observations`` batch."""
    info = batch.info
    dumps = orjson.dumps
    for ds, ms, rt, value, text, quality in batch.rows:
        ident = obs_id(ds, ms)
        body = {"@iot.id": ident, "@iot.selfLink": f"{base}/Observations({ident})", "phenomenonTime": iso(ms),
                "resultTime": iso(rt), "result": orjson.loads(text) if text is not None else value}
        if quality:
            body["resultQuality"] = {1: "suspect", 2: "bad"}.get(quality, str(quality))
        payload = dumps(body)
        yield f"v1.1/Datastreams({ds})/Observations", payload
        stream = info.get(ds)
        if stream is not None:
            yield f"v1.1/Things({stream.thing_id})/Datastreams({ds})/Observations", payload
        yield "v1.1/Observations", payload


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | 0x80 if n else byte)
        if not n:
            return bytes(out)


_KEY, _VALUE = (x.encode() for x in ORIGIN)
_PROPS = b"\x26" + len(_KEY).to_bytes(2, "big") + _KEY + len(_VALUE).to_bytes(2, "big") + _VALUE
_PROPS = _varint(len(_PROPS)) + _PROPS


def packet(topic: str, payload: bytes) -> bytes:
    """An MQTT 5 PUBLISH packet, QoS 0, carrying the origin user property."""
    t = topic.encode()
    body = len(t).to_bytes(2, "big") + t + _PROPS + payload
    return b"\x30" + _varint(len(body)) + body


def on_observations(event: str, batch) -> None:
    """Publish a stored batch: one buffer of PUBLISH packets handed to the connection in one step (paho's
    ``publish`` per message costs several times the ingest of a row); paho's own way if its version differs."""
    from smartcounty.foundation.sensing.schemas import ObservationBatch

    client = _own_client() if _state.get("want_own") else _state["client"]
    if client is None or not client.is_connected():
        return  # QoS 0: nobody is waiting for what a broker that is down would have dropped anyway
    batch = ObservationBatch.of(batch)
    base = _state["base"] or base_url()
    if SHORT_PATH:
        data = b"".join(packet(topic, payload) for topic, payload in messages(batch, base))
        if data:
            client._packet_queue(mqtt.PUBACK, data, 0, 0)  # not PUBLISH: no per-message bookkeeping in paho
        return
    props = _props()
    for topic, payload in messages(batch, base):
        client.publish(topic, payload, qos=0, properties=props)
