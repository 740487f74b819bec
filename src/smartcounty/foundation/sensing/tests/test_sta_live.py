"""SensorThings 1.1 against a live server with the reference client ``frost_sta_client``, and its MQTT
extension through the real Mosquitto: a subscriber receives each new observation after commit."""

import queue
import uuid

import frost_sta_client as fsc
import orjson
import paho.mqtt.client as mqtt
import pytest
import requests

from smartcounty.foundation.accounts.services import issue_token
from smartcounty.foundation.sensing import services
from smartcounty.foundation.sensing.models import Observation
from smartcounty.foundation.sensing.sta import publish

pytestmark = [pytest.mark.mqtt, pytest.mark.django_db(transaction=True)]
T0 = 1_780_000_000_000  # 2026-05-28


@pytest.fixture
def sta(live_server, network, people):
    services.ingest([{"datastream": network["pm25_1"].id, "phenomenonTime": T0 + i * 60_000, "result": float(i)}
                     for i in range(20)], source="http")

    def service(name="admin_a", scopes=("sensing",)):
        _, secret = issue_token(people[name], "frost", list(scopes))
        return fsc.SensorThingsService(live_server.url + "/v1.1",
                                       auth_handler=fsc.AuthHandler(username="token", password=secret))
    return service


def test_frost_client_lists_filters_and_expands(sta, network):
    svc = sta()
    things = svc.things().query().list()
    assert sorted(t.name for t in things) == ["清泉空气站", "贾镇空气站"]  # B's river station stays hidden
    ds = network["pm25_1"].id
    got = svc.observations().query().filter(
        f"Datastream/id eq {ds} and phenomenonTime ge 2026-05-28T20:32:40Z and result gt 5").orderby(
        "phenomenonTime", "ASC").top(4).list()
    assert [o.result for o in got.entities] == [6.0, 7.0, 8.0, 9.0]
    assert got.next_link and "$skip=4" in got.next_link
    assert [o.result for o in got] == [float(i) for i in range(6, 20)]  # the client follows @iot.nextLink
    stream = svc.datastreams().find(ds)
    assert stream.name == network["pm25_1"].name and stream.unit_of_measurement.symbol == "ug/m3"
    expanded = svc.things().query().expand("Datastreams($expand=ObservedProperty,Sensor;$orderby=id asc)").list()
    streams = [d for t in expanded for d in t.datastreams]
    assert {d.observed_property.name for d in streams} == {"PM2.5", "PM10"}
    counted = svc.observations().query().count().top(1).list()
    assert counted.count == 20


def test_frost_client_creates(sta, network):
    svc = sta()
    ds = svc.datastreams().find(network["pm25_1"].id)
    obs = fsc.Observation(result=33.0, phenomenon_time="2026-11-27T10:00:00Z", datastream=ds,
                          parameters={"method": "β-ray"})
    svc.create(obs)
    assert obs.id is not None
    again = svc.observations().find(obs.id)
    assert again.result == 33.0 and again.parameters == {"method": "β-ray"}
    dav = fsc.DataArrayValue()
    dav.datastream = ds
    dav.components = {fsc.DataArrayValue.Property.PHENOMENON_TIME, fsc.DataArrayValue.Property.RESULT}
    for i in range(3):
        dav.add_observation(fsc.Observation(phenomenon_time=f"2026-11-27T11:0{i}:00Z", result=float(i), datastream=ds))
    doc = fsc.DataArrayDocument()
    doc.add_data_array_value(dav)
    made = svc.observations().create(doc)
    assert len(made) == 3 and all(o.self_link.startswith(svc.url.url) for o in made)
    assert Observation.objects.filter(datastream_id=ds.id).count() == 24
    thing = fsc.Thing(name="frost 新站", description="试点", properties={"code": f"frost-{uuid.uuid4().hex[:6]}"})
    thing.locations = [fsc.Location(name="新站", encoding_type="application/geo+json",
                                    location={"type": "Point", "coordinates": [115.45, 36.47]})]
    svc.create(thing)
    assert svc.things().find(thing.id).name == "frost 新站"


def test_writes_need_the_sensing_scope_and_private_things_stay_hidden(sta, network, live_server, people):
    svc = sta("admin_a", scopes=("places",))
    with pytest.raises(Exception):  # noqa: B017 (frost wraps the 403 in an error of its own)
        svc.things().query().list()
    _, secret = issue_token(people["admin_a"], "x", ["sensing"])
    thing_b = network["level"].thing_id
    r = requests.get(f"{live_server.url}/v1.1/Things({thing_b})", timeout=5, auth=("token", secret))
    assert r.status_code == 404
    body = {"result": 1, "Datastream": {"@iot.id": network["pm25_1"].id}}
    r = requests.post(f"{live_server.url}/v1.1/Observations", timeout=5, json=body)
    assert r.status_code == 401 and r.json()["type"] == "error"
    _, places_only = issue_token(people["admin_a"], "y", ["places"])
    r = requests.post(f"{live_server.url}/v1.1/Observations", timeout=5, json=body, auth=("token", places_only))
    assert r.status_code == 403


def test_new_observations_reach_an_mqtt_subscriber(sta, network, live_server):
    got: queue.Queue = queue.Queue()
    ds, thing = network["pm25_1"].id, network["pm25_1"].thing_id
    base = f"{live_server.url}/v1.1"
    sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"sta-sub-{uuid.uuid4().hex[:8]}",
                      protocol=mqtt.MQTTv5)
    ready = queue.Queue()
    sub.on_subscribe = lambda *a: ready.put(True)
    sub.on_message = lambda c, u, msg: got.put((msg.topic, orjson.loads(msg.payload)))
    sub.connect("127.0.0.1", 1883)
    sub.subscribe([(f"v1.1/Datastreams({ds})/Observations", 0),
                   (f"v1.1/Things({thing})/Datastreams({ds})/Observations", 0)])
    sub.loop_start()
    publish.enable()
    publish._state["base"] = base  # links of this live server (other servers share the broker)
    try:
        ready.get(timeout=5)
        svc = sta()
        obs = fsc.Observation(result=41.5, phenomenon_time="2026-11-27T12:00:00Z",
                              datastream=svc.datastreams().find(ds))
        svc.create(obs)
        seen = {}
        while len(seen) < 2:
            topic, body = got.get(timeout=10)
            if body["@iot.selfLink"].startswith(base):
                seen[topic] = body
        assert set(seen) == {f"v1.1/Datastreams({ds})/Observations",
                             f"v1.1/Things({thing})/Datastreams({ds})/Observations"}
        body = seen[f"v1.1/Datastreams({ds})/Observations"]
        assert body["@iot.id"] == obs.id and body["result"] == 41.5
        assert body["phenomenonTime"] == "2026-11-27T12:00:00.000Z"
    finally:
        publish.disable()
        sub.disconnect()
        sub.loop_stop()
