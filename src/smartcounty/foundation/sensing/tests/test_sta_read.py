"""SensorThings 1.1 reads at /v1.1/ (Django's test client; the live-server tests use frost_sta_client)."""

import pytest

from smartcounty.foundation.sensing import services
from smartcounty.foundation.sensing.sta.entities import obs_id

pytestmark = pytest.mark.django_db
T0 = 1_700_000_000_000


@pytest.fixture
def rows(network):
    items = [{"datastream": network["pm25_1"].id, "phenomenonTime": T0 + i * 60_000, "result": float(i)}
             for i in range(10)]
    items += [{"datastream": network["level"].id, "phenomenonTime": T0 + i * 60_000, "result": 30.0 + i}
              for i in range(5)]
    services.ingest(items, source="http")
    return network


def get(client, url, headers=None, status=200):
    r = client.get(url, **(headers or {}))
    assert r.status_code == status, r.content
    return r.json()


def test_root_lists_every_entity_set(client):
    doc = get(client, "/v1.1/")
    names = {e["name"] for e in doc["value"]}
    assert names == {"Things", "Locations", "HistoricalLocations", "Datastreams", "Sensors", "ObservedProperties",
                     "Observations", "FeaturesOfInterest"}
    assert doc["value"][0]["url"].startswith("http://testserver/v1.1/")


def test_anonymous_is_refused(client, rows):
    assert client.get("/v1.1/Things").status_code == 401


def test_things_with_links_and_scope(client, rows, bearer):
    doc = get(client, "/v1.1/Things?$count=true", bearer("staff_a"))
    assert doc["@iot.count"] == 2  # B's river station is hidden from A
    t = doc["value"][0]
    assert t["@iot.selfLink"] == f"http://testserver/v1.1/Things({t['@iot.id']})"
    assert t["Datastreams@iot.navigationLink"].endswith(f"Things({t['@iot.id']})/Datastreams")
    hidden = rows["level"].thing_id
    assert client.get(f"/v1.1/Things({hidden})", **bearer("staff_a")).status_code == 404
    assert get(client, "/v1.1/Things?$count=true", bearer("platform"))["@iot.count"] == 3


def test_datastream_observations_paging_and_filter(client, rows, bearer):
    ds = rows["pm25_1"].id
    h = bearer("staff_a")
    doc = get(client, f"/v1.1/Datastreams({ds})/Observations?$top=3&$orderby=phenomenonTime desc&$count=true", h)
    assert doc["@iot.count"] == 10
    assert [o["result"] for o in doc["value"]] == [9.0, 8.0, 7.0]
    assert "$skip=3" in doc["@iot.nextLink"]
    nxt = doc["@iot.nextLink"].replace("http://testserver", "")
    assert [o["result"] for o in get(client, nxt, h)["value"]] == [6.0, 5.0, 4.0]
    f = "phenomenonTime ge 2023-11-14T22:16:20Z and result gt 2 and result lt 5"
    got = get(client, f"/v1.1/Observations?$filter={f}&$orderby=phenomenonTime", h)["value"]
    assert [o["result"] for o in got] == [3.0, 4.0]
    o = got[0]
    assert o["@iot.id"] == obs_id(ds, T0 + 3 * 60_000)
    assert get(client, f"/v1.1/Observations({o['@iot.id']})", h)["result"] == 3.0
    assert get(client, f"/v1.1/Observations({o['@iot.id']})/Datastream", h)["@iot.id"] == ds


def test_expand_nested_with_options(client, rows, bearer):
    h = bearer("platform")
    url = ("/v1.1/Things?$filter=properties/kind eq 'air'&$expand=Datastreams($expand=ObservedProperty;"
           "$expand=Observations($top=2;$orderby=result desc;$count=true))&$select=name,Datastreams")
    doc = get(client, url, h)
    assert len(doc["value"]) == 2
    first = next(t for t in doc["value"] if t["name"] == "清泉空气站")
    pm25 = next(d for d in first["Datastreams"] if d["ObservedProperty"]["properties"]["code"] == "pm25")
    assert [o["result"] for o in pm25["Observations"]] == [9.0, 8.0]
    assert pm25["Observations@iot.count"] == 10
    assert "Observations@iot.nextLink" in pm25
    assert "description" not in first


def test_filters(client, rows, bearer):
    h = bearer("platform")
    def names(q):
        return sorted(t["name"] for t in get(client, f"/v1.1/Things?$filter={q}", h)["value"])
    assert names("substringof('空气', name)") == ["清泉空气站", "贾镇空气站"]
    assert names("startswith(name, '卫') or endswith(name, '贾镇空气站')") == ["卫运河水位站", "贾镇空气站"]
    assert names("not (length(name) eq 5)") == ["卫运河水位站"]
    assert names("Datastreams/ObservedProperty/properties/code eq 'water_level'") == ["卫运河水位站"]
    poly = "geography'POLYGON((115.4 36.45, 115.5 36.45, 115.5 36.5, 115.4 36.5, 115.4 36.45))'"
    got = get(client, f"/v1.1/Locations?$filter=st_within(location, {poly})", h)["value"]
    assert [x["name"] for x in got] == ["清泉空气站"]
    got = get(client, "/v1.1/Observations?$filter=(result add 1) mul 2 gt 66 and year(phenomenonTime) eq 2023", h)
    assert sorted(o["result"] for o in got["value"]) == [33.0, 34.0]
    assert client.get("/v1.1/Things?$filter=name gt 3", **h).status_code == 400
    assert client.get("/v1.1/Things?$filter=nosuch eq 3", **h).status_code == 400


def test_queries_do_not_grow_with_rows(client, rows, bearer, django_assert_max_num_queries):
    h = bearer("platform")
    url = "/v1.1/Things?$count=true&$expand=Locations,Datastreams($expand=Sensor,Observations($top=3))"
    with django_assert_max_num_queries(9):  # token (2), count, things, locations, datastreams, sensors, observations
        doc = get(client, url, h)
    assert sum(len(d["Observations"]) for t in doc["value"] for d in t["Datastreams"]) == 6
