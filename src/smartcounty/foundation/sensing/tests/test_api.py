import json
from datetime import UTC, datetime, timedelta

import pytest

from smartcounty.foundation.sensing import services
from smartcounty.foundation.sensing.models import DeadLetter, Observation, Thing
from smartcounty.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db
BASE = "/api/v1/sensing"
T0 = datetime(2026, 11, 27, 15, 50, tzinfo=UTC)


def post(client, url, body, headers=None, raw=False):
    data = body if raw else json.dumps(body)
    return client.post(BASE + url, data=data, content_type="application/json", **(headers or {}))


def get(client, url, headers=None, **params):
    return client.get(BASE + url, params, **(headers or {}))


def obs(ds, minutes=0, value=1.0):
    return {"datastream": ds.id, "phenomenonTime": (T0 + timedelta(minutes=minutes)).isoformat(), "result": value}


def test_ingest_batch_with_per_item_results(client, network, bearer):
    ds = network["pm25_1"]
    body = [obs(ds, 0, 10), obs(ds, 1, 11), obs(ds, 0, 99), {"datastream": ds.id, "result": 1, "x": 2}]
    r = post(client, "/observations", body, bearer("staff_a"))
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["results"] == ["created", "created", "duplicate", "rejected"]
    assert (out["created"], out["duplicates"], out["rejected"]) == (2, 1, 1)
    assert out["errors"][0]["index"] == 3 and "unknown field" in out["errors"][0]["error"]
    letter = DeadLetter.objects.get()
    assert letter.source == "http" and letter.organisation_id == ds.organisation_id


def test_ingest_sensorthings_data_array(client, network, bearer):
    ds = network["pm25_1"]
    body = [{"Datastream": {"@iot.id": ds.id}, "components": ["phenomenonTime", "result"],
             "dataArray@iot.count": 2, "dataArray": [[T0.isoformat(), 5], [(T0 + timedelta(minutes=1)).isoformat(), 6]]}]
    r = post(client, "/CreateObservations", body, bearer("staff_a"))
    assert r.status_code == 200 and r.json()["results"] == ["created", "created"]
    r = post(client, "/observations", body, bearer("staff_a"))
    assert r.json()["results"] == ["duplicate", "duplicate"]


def test_ingest_refuses_anonymous_residents_and_narrow_tokens(client, network, bearer):
    body = [obs(network["pm25_1"])]
    assert post(client, "/observations", body).status_code == 401
    assert post(client, "/observations", body, bearer("resident", ["*"])).status_code == 403
    assert post(client, "/observations", body, bearer("staff_a", ["accounts"])).status_code == 403
    assert post(client, "/CreateObservations", body).status_code == 401
    assert not Observation.objects.exists()


def test_ingest_into_another_organisations_datastream_is_refused(client, network, bearer):
    r = post(client, "/observations", [obs(network["pm25_1"]), obs(network["level"])], bearer("staff_b"))
    assert r.json()["results"] == ["rejected", "created"]
    assert "not allowed" in r.json()["errors"][0]["error"]
    assert not Observation.objects.filter(datastream=network["pm25_1"]).exists()


@pytest.mark.parametrize("body,status,code", [("{not json", 400, "malformed-json"), ("42", 422, "invalid"),
                                               ('[{"Datastream": {"@iot.id": 1}, "dataArray": []}]', 422, "invalid")])
def test_malformed_bodies_are_problems_and_change_nothing(client, network, bearer, body, status, code):
    r = post(client, "/observations", body, bearer("staff_a"), raw=True)
    assert r.status_code == status and r["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == code
    assert not Observation.objects.exists()


def _fill(network):
    services.ingest([obs(d, i, float(i)) for d in network.values() for i in range(3)], source="http")


def test_latest_values_are_scoped_to_the_readers_organisation(client, network, bearer, django_assert_max_num_queries):
    _fill(network)
    assert get(client, "/datastreams").status_code == 401
    assert get(client, "/datastreams", bearer("resident", ["*"])).status_code == 403
    h = bearer("staff_a")
    with django_assert_max_num_queries(4):  # token, count, page (+ token last-use stamp)
        r = get(client, "/datastreams", h)
    assert r.status_code == 200
    assert {d["id"] for d in r.json()["items"]} == {network[k].id for k in ("pm25_1", "pm10_1", "pm25_2")}
    item = next(d for d in r.json()["items"] if d["id"] == network["pm25_1"].id)
    assert item["property"] == "pm25" and item["last_value"] == 2.0 and item["online"] is True
    assert item["town"] == "371525001" and item["last_time"].startswith("2026-11-27T15:52")
    r = get(client, "/datastreams", bearer("staff_b"))
    assert [d["id"] for d in r.json()["items"]] == [network["level"].id]
    r = get(client, "/datastreams", bearer("platform"), property="pm25", town="371525101")
    assert [d["id"] for d in r.json()["items"]] == [network["pm25_2"].id]
    r = get(client, "/datastreams", bearer("platform"), bbox="115.2,36.5,115.35,36.6")
    assert [d["id"] for d in r.json()["items"]] == [network["level"].id]
    r = get(client, "/datastreams", bearer("platform"), bbox="115,nope")
    assert r.status_code == 422 and r.json()["field"] == "bbox"


def test_datastream_observations_and_aggregates(client, network, bearer, django_assert_max_num_queries):
    _fill(network)
    ds = network["pm25_1"]
    h = bearer("staff_a")
    with django_assert_max_num_queries(5):
        r = get(client, f"/datastreams/{ds.id}/observations", h, limit=2,
                start=T0.isoformat(), end=(T0 + timedelta(hours=1)).isoformat())
    assert r.status_code == 200, r.content
    assert r.json()["count"] == 3 and [o["result"] for o in r.json()["items"]] == [0.0, 1.0]
    assert r.json()["items"][0]["resultQuality"] == "good"
    r = get(client, f"/datastreams/{ds.id}/aggregates", bearer("staff_a"), bucket="1day",
            start=(T0 - timedelta(days=1)).isoformat(), end=(T0 + timedelta(days=1)).isoformat())
    assert r.status_code == 200 and r.json()[0]["count"] == 3 and r.json()[0]["mean"] == 1.0
    r = get(client, f"/datastreams/{ds.id}/aggregates", bearer("staff_a"), bucket="week",
            start=T0.isoformat(), end=(T0 + timedelta(days=1)).isoformat())
    assert r.status_code == 422 and r.json()["field"] == "bucket"


@pytest.mark.parametrize("suffix", ["", "/observations", "/aggregates?bucket=1h&start=2026-11-27T00:00:00Z"
                                    "&end=2026-11-28T00:00:00Z", "/health"])
def test_one_datastream_refuses_anonymous_and_other_organisations(client, network, bearer, suffix):
    url = f"{BASE}/datastreams/{network['pm25_1'].id}{suffix}"
    assert client.get(url).status_code == 401
    assert client.get(url, **bearer("staff_b")).status_code == 403
    assert client.get(url, **bearer("staff_a")).status_code == 200
    assert client.get(url, **bearer("platform")).status_code == 200


def test_things_list_and_create(client, network, bearer, orgs, django_assert_max_num_queries):
    a, b = orgs
    assert get(client, "/things").status_code == 401
    h = bearer("staff_b")
    with django_assert_max_num_queries(5):  # token, count, page, locations (+ last-use stamp)
        r = get(client, "/things", h)
    assert [t["code"] for t in r.json()["items"]] == ["river-1"]
    assert r.json()["items"][0]["town"] == "371525106"
    body = {"code": "rain-1", "name": "斜店雨量站", "lon": 115.5, "lat": 36.6, "kind": "rain", "organisation_id": a.id}
    assert post(client, "/things", body).status_code == 401
    assert post(client, "/things", body, bearer("staff_a")).status_code == 403  # staff may not manage
    assert post(client, "/things", body, bearer("admin_b")).status_code == 403  # wrong organisation
    r = post(client, "/things", dict(body, colour="red"), bearer("admin_a"))
    assert r.status_code == 422 and not Thing.objects.filter(code="rain-1").exists()
    r = post(client, "/things", dict(body, lat="north"), bearer("admin_a"))
    assert r.status_code == 422
    r = post(client, "/things", body, bearer("admin_a"))
    assert r.status_code == 201 and r.json()["lon"] == 115.5
    assert AuditEntry.objects.filter(action="sensing.thing_create").count() == 1
    assert post(client, "/things", body, bearer("admin_a")).status_code == 409
    thing = r.json()["id"]
    ds_body = {"thing": thing, "observed_property": "rainfall", "expected_interval_s": 300}
    assert post(client, "/datastreams", ds_body, bearer("admin_b")).status_code == 403
    assert post(client, "/datastreams", dict(ds_body, observed_property="colour"), bearer("admin_a")).status_code == 422
    r = post(client, "/datastreams", ds_body, bearer("admin_a"))
    assert r.status_code == 201 and r.json()["property"] == "rainfall" and r.json()["unit"] == "mm"
    assert post(client, "/datastreams", ds_body, bearer("admin_a")).status_code == 409


def test_dead_letters_are_for_administrators_and_audited(client, network, bearer, orgs):
    post(client, "/observations", [{"datastream": network["pm25_1"].id, "result": "x", "colour": 1}], bearer("staff_a"))
    post(client, "/observations", [{"datastream": network["level"].id, "colour": 1}], bearer("staff_b"))
    assert DeadLetter.objects.count() == 2
    assert get(client, "/deadletters").status_code == 401
    assert get(client, "/deadletters", bearer("staff_a")).status_code == 403
    r = get(client, "/deadletters", bearer("admin_a"))
    assert r.status_code == 200 and r.json()["count"] == 1
    assert r.json()["items"][0]["datastream_id"] == network["pm25_1"].id
    r = get(client, "/deadletters", bearer("platform"))
    assert r.json()["count"] == 2
    assert AuditEntry.objects.filter(action="sensing.deadletters_read").count() == 2


def test_data_array_into_another_organisations_datastream_is_refused(client, network, bearer):
    body = [{"Datastream": {"@iot.id": network["pm25_1"].id}, "components": ["phenomenonTime", "result"],
             "dataArray": [[T0.isoformat(), 5]]}]
    r = post(client, "/CreateObservations", body, bearer("staff_b"))
    assert r.status_code == 200 and r.json()["results"] == ["rejected"]
    assert post(client, "/CreateObservations", body, bearer("resident", ["*"])).status_code == 403
    assert not Observation.objects.exists()
