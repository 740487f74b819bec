"""SensorThings 1.1 writes: creates, updates, deletes, CreateObservations, and who may make them."""

import json

import pytest

from smartcounty.foundation.sensing import services
from smartcounty.foundation.sensing.models import Datastream, DeadLetter, Observation, ObservedProperty, Thing
from smartcounty.foundation.sensing.sta.entities import obs_id

pytestmark = pytest.mark.django_db
T0 = 1_700_000_000_000


@pytest.fixture
def door(network):
    ObservedProperty.objects.create(code="door_state", name_zh="门状态", name_en="Door state")
    return Datastream.objects.get(pk=services.create_datastream(network["pm25_1"].thing, "door_state").id)


def post(client, url, body, headers, status=201):
    r = client.post(url, json.dumps(body), content_type="application/json", **headers)
    assert r.status_code == status, r.content
    return r


def test_writes_need_a_token_with_the_sensing_scope(client, network, bearer, people):
    ds = network["pm25_1"].id
    body = {"phenomenonTime": "2026-11-27T10:00:00Z", "result": 5, "Datastream": {"@iot.id": ds}}
    post(client, "/v1.1/Observations", body, {}, 401)
    client.force_login(people["staff_a"])  # a session reads but does not write (no CSRF check here)
    assert client.get("/v1.1/Things").status_code == 200
    post(client, "/v1.1/Observations", body, {}, 401)
    client.logout()
    post(client, "/v1.1/Observations", body, bearer("staff_a", scopes=("places",)), 403)
    post(client, "/v1.1/Observations", body, bearer("staff_b"), 403)  # B may not feed A's datastream
    post(client, "/v1.1/Observations", body, bearer("resident"), 403)
    r = post(client, "/v1.1/Observations", body, bearer("staff_a"))
    ms = 1_795_773_600_000
    assert r["Location"] == f"http://testserver/v1.1/Observations({obs_id(ds, ms)})"
    assert Observation.objects.filter(datastream_id=ds, phenomenon_ms=ms, result=5.0).exists()
    post(client, "/v1.1/Observations", body, bearer("staff_a"), 409)


def test_standard_observation_properties_are_stored(client, network, bearer):
    h = bearer("staff_a")
    ds = network["pm25_1"].id
    foi = post(client, "/v1.1/FeaturesOfInterest", {"name": "清泉", "feature": {"type": "Point",
                                                                                 "coordinates": [115.4, 36.4]}},
               bearer("admin_a"))["Location"].rsplit("(", 1)[1].rstrip(")")
    body = {"phenomenonTime": "2026-11-27T10:00:00Z/2026-11-27T11:00:00Z", "resultTime": "2026-11-27T11:00:05Z",
            "validTime": "2026-11-27T10:00:00Z/2026-11-28T10:00:00Z", "parameters": {"method": "β-ray"},
            "result": 12.5, "FeatureOfInterest": {"@iot.id": int(foi)}, "@iot.id": 99}
    link = post(client, f"/v1.1/Datastreams({ds})/Observations", body, h)["Location"]
    got = client.get(link.replace("http://testserver", ""), **h).json()
    assert got["phenomenonTime"] == "2026-11-27T10:00:00.000Z/2026-11-27T11:00:00.000Z"
    assert got["validTime"] == "2026-11-27T10:00:00.000Z/2026-11-28T10:00:00.000Z"
    assert got["parameters"] == {"method": "β-ray"}
    assert got["resultTime"] == "2026-11-27T11:00:05.000Z"


def test_create_observations_answers_links_or_error(client, network, bearer):
    ds = network["pm25_1"].id
    body = [{"Datastream": {"@iot.id": ds}, "components": ["phenomenonTime", "result", "parameters"],
             "dataArray": [["2026-11-27T10:00:00Z", 1, {"a": 1}], ["2026-11-27T10:01:00Z", "x"],
                           ["2026-11-27T10:02:00Z", -5, None], ["2026-11-27T10:03:00Z", 3, None]]}]
    r = post(client, "/v1.1/CreateObservations", body, bearer("staff_a"))
    out = r.json()
    assert out[1] == "error" and out[2] == "error"  # a malformed row and an implausible PM2.5
    assert out[0].endswith(f"Observations({obs_id(ds, 1_795_773_600_000)})")
    assert out[3].endswith(f"Observations({obs_id(ds, 1_795_773_780_000)})")
    assert Observation.objects.filter(datastream_id=ds).count() == 2
    assert DeadLetter.objects.count() == 2
    assert post(client, "/v1.1/CreateObservations", body, bearer("staff_b")).json() == ["error"] * 4


def test_booleans_and_objects_are_kept(client, network, bearer, door):
    h = bearer("staff_a")
    for i, value in enumerate([True, {"state": "open", "angle": 30}]):
        post(client, "/v1.1/Observations", {"Datastream": {"@iot.id": door.id}, "result": value,
                                            "phenomenonTime": T0 + i}, h)
    got = client.get(f"/v1.1/Datastreams({door.id})/Observations?$orderby=phenomenonTime", **h).json()["value"]
    assert [o["result"] for o in got] == [True, {"state": "open", "angle": 30}]


def test_things_datastreams_patch_and_delete(client, network, bearer):
    h = bearer("admin_a")
    body = {"name": "新站", "description": "试点", "properties": {"code": "sta-new-1", "kind": "air"},
            "Locations": [{"name": "新站", "encodingType": "application/geo+json",
                           "location": {"type": "Point", "coordinates": [115.45, 36.47]}}],
            "Datastreams": [{"name": "新站 PM2.5", "unitOfMeasurement": {"name": "微克每立方米", "symbol": "µg/m³"},
                             "ObservedProperty": {"properties": {"code": "pm25"}},
                             "Sensor": {"name": "β射线颗粒物监测仪", "encodingType": "text/html"}}]}
    post(client, "/v1.1/Things", body, bearer("staff_a"), 403)  # staff do not manage things
    link = post(client, "/v1.1/Things", body, h)["Location"]
    tid = int(link.rsplit("(", 1)[1].rstrip(")"))
    thing = Thing.objects.get(pk=tid)
    assert thing.organisation_id == network["pm25_1"].organisation_id and thing.code == "sta-new-1"
    ds = Datastream.objects.get(thing=thing)
    assert ds.property_code == "pm25" and ds.unit_symbol == "µg/m³" and ds.sensor.name == "β射线颗粒物监测仪"
    r = client.patch(f"/v1.1/Things({tid})", json.dumps({"name": "新站二"}), content_type="application/json", **h)
    assert r.status_code == 200 and Thing.objects.get(pk=tid).name == "新站二"
    r = client.patch(f"/v1.1/Things({tid})", json.dumps([{"op": "replace", "path": "/properties/owner",
                                                          "value": "环保局"}]),
                     content_type="application/json-patch+json", **h)
    assert r.status_code == 200 and Thing.objects.get(pk=tid).properties["owner"] == "环保局"
    other = bearer("admin_b")
    assert client.patch(f"/v1.1/Things({tid})", json.dumps({"name": "x"}), content_type="application/json",
                        **other).status_code == 404
    assert client.delete(f"/v1.1/Things({tid})", **other).status_code == 404
    loc = post(client, f"/v1.1/Things({tid})/Locations", {"name": "挪", "location": {
        "type": "Point", "coordinates": [115.5, 36.5]}}, h)
    assert loc["Location"].startswith("http://testserver/v1.1/Locations(")
    assert Datastream.objects.get(pk=ds.pk).lon == 115.5
    hist = client.get(f"/v1.1/Things({tid})/HistoricalLocations", **h).json()["value"]
    assert len(hist) == 2
    assert client.delete(f"/v1.1/Things({tid})", **h).status_code == 200
    assert not Thing.objects.filter(pk=tid).exists()


def test_unknown_observed_property_is_refused(client, network, bearer):
    body = {"name": "x", "Thing": {"@iot.id": network["pm25_1"].thing_id},
            "ObservedProperty": {"name": "Colour", "definition": "http://example.org/colour"}}
    r = post(client, "/v1.1/Datastreams", body, bearer("admin_a"), 400)
    assert "registered" in r.json()["message"]


def test_observation_delete_recomputes_the_hour(client, network, bearer):
    from smartcounty.foundation.sensing.models import HourlyRollup

    ds = network["pm25_1"]
    services.ingest([{"datastream": ds.id, "phenomenonTime": T0 + i * 1000, "result": float(i)} for i in range(3)],
                    source="http")
    assert client.delete(f"/v1.1/Observations({obs_id(ds.id, T0 + 2000)})", **bearer("staff_a")).status_code == 403
    assert client.delete(f"/v1.1/Observations({obs_id(ds.id, T0 + 2000)})", **bearer("admin_a")).status_code == 200
    roll = HourlyRollup.objects.get(datastream_id=ds.id)
    assert (roll.n, roll.total, roll.hi) == (2, 1.0, 1.0)
