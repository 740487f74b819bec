"""Ingest's limits: numbers for numeric properties, bounded result text, bounded dead letters per request."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from smartcounty.foundation.sensing import ingest, services
from smartcounty.foundation.sensing.models import Datastream, DeadLetter, Observation, ObservedProperty

pytestmark = pytest.mark.django_db
BASE = "/api/v1/sensing"
T0 = datetime(2026, 11, 27, 15, 50, tzinfo=UTC)
MS0 = int(T0.timestamp() * 1000)


def post(client, body, headers):
    return client.post(f"{BASE}/observations", data=json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize("result", ["NaN", "Infinity", "-inf", "12.5", "high", {"value": 3}, [1, 2]])
def test_numeric_properties_take_numbers_only(network, result):
    ds = network["pm25_1"]
    services.ingest([{"datastream": ds.id, "phenomenonTime": MS0, "result": 30}], source="http")
    res = services.ingest([{"datastream": ds.id, "phenomenonTime": MS0 + 60_000, "result": result}], source="http")
    assert res.statuses() == ["rejected"] and "takes a number" in res.errors()[0]["error"]
    letter = DeadLetter.objects.get()
    assert "takes a number" in letter.reason and letter.datastream_id == ds.id
    assert Observation.objects.filter(datastream=ds).count() == 1
    ds.refresh_from_db()
    assert (ds.last_ms, ds.last_value) == (MS0, 30.0)  # the latest value is untouched, never null


@pytest.fixture
def door(network):
    """A datastream of a property no module registers (so not numeric): it takes text and JSON."""
    ObservedProperty.objects.create(code="door_state", name_zh="门状态", name_en="Door state")
    return Datastream.objects.get(pk=services.create_datastream(network["pm25_1"].thing, "door_state").id)


def test_text_results_are_kept_up_to_the_limit_and_rejected_beyond(network, door):
    ok = "x" * (ingest.MAX_RESULT_TEXT - 2)  # its JSON text has two quotes more
    res = services.ingest([{"datastream": door.id, "phenomenonTime": MS0, "result": ok},
                           {"datastream": door.id, "phenomenonTime": MS0 + 1, "result": "y" * 1_500_000},
                           {"datastream": door.id, "phenomenonTime": MS0 + 2, "result": {"k": "z" * 5000}},
                           {"datastream": door.id, "phenomenonTime": MS0 + 3, "result": "NaN"}], source="http")
    assert res.statuses() == ["created", "rejected", "rejected", "created"]
    assert all("longer than" in e["error"] for e in res.errors())
    assert list(Observation.objects.filter(datastream=door).values_list("result_json", flat=True)
                .order_by("phenomenon_ms")) == [json.dumps(ok), '"NaN"']
    assert max(len(p) for p in DeadLetter.objects.values_list("payload", flat=True)) <= 20000


def test_deeply_nested_results_are_rejected_with_a_reason(network, door):
    deep = []
    for _ in range(200):
        deep = [deep]
    res = services.ingest([{"datastream": door.id, "phenomenonTime": MS0, "result": deep},
                           {"datastream": door.id, "phenomenonTime": MS0 + 1, "result": deep, "x": 1}], source="http")
    assert res.statuses() == ["rejected", "rejected"] and "nested deeper" in res.errors()[0]["error"]
    assert "nested deeper" in DeadLetter.objects.order_by("id").last().payload  # the payload is not kept


def test_dead_letters_per_batch_are_capped_with_one_summary_row(network):
    ds = network["pm25_1"]
    bad = [{"datastream": ds.id, "phenomenonTime": MS0 + k, "result": "NaN"} for k in range(5000)]
    bad += [{"datastream": ds.id, "phenomenonTime": MS0 + k, "result": -5} for k in range(5000, 9000)]
    res = services.ingest(bad, source="http")
    assert res.rejected == 9000
    assert DeadLetter.objects.count() == ingest.MAX_DEAD_LETTERS + 1
    summary = DeadLetter.objects.order_by("id").last()
    counted = json.loads(summary.payload)
    assert counted["not_kept"] == 9000 - ingest.MAX_DEAD_LETTERS and "8900 more" in summary.reason
    assert sum(counted["reasons"].values()) == 8900 and len(counted["reasons"]) == 2


def test_a_request_has_at_most_max_request_items(client, network, bearer):
    ds = network["pm25_1"]
    items = [{"datastream": ds.id, "phenomenonTime": MS0 + k, "result": "bad"}
             for k in range(ingest.MAX_REQUEST_ITEMS + 1)]
    r = post(client, items, bearer("staff_a"))
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert not DeadLetter.objects.exists() and not Observation.objects.exists()


def test_nan_through_the_api_leaves_the_latest_value(client, network, bearer):
    ds = network["pm25_1"]
    assert post(client, [{"datastream": ds.id, "phenomenonTime": MS0, "result": 12}], bearer("staff_a")).json()[
        "results"] == ["created"]
    later = (T0 + timedelta(minutes=5)).isoformat()
    r = post(client, [{"datastream": ds.id, "phenomenonTime": later, "result": "NaN"}], bearer("staff_a"))
    assert r.json()["results"] == ["rejected"]
    assert Datastream.objects.get(pk=ds.pk).last_value == 12.0


def test_ids_and_times_past_int64_are_rejected_per_item(network):
    ds = network["pm25_1"]
    res = services.ingest([{"datastream": 2**63, "phenomenonTime": MS0, "result": 1},
                           {"datastream": {"@iot.id": 2**64}, "phenomenonTime": MS0, "result": 1},
                           {"datastream": ds.id, "phenomenonTime": MS0, "resultTime": 2**63, "result": 1},
                           {"datastream": ds.id, "phenomenonTime": MS0 + 1, "result": 1}], source="http")
    assert res.statuses() == ["rejected", "rejected", "rejected", "created"]
