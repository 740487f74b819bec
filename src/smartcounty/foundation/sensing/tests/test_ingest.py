import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from smartcounty.foundation.sensing import services
from smartcounty.foundation.sensing.models import (
    Datastream,
    DeadLetter,
    HealthEvent,
    Observation,
    ObservedProperty,
)
from smartcounty.kernel import events

pytestmark = pytest.mark.django_db


@pytest.fixture
def facts():
    got = []

    def handler(name, payload):
        got.append((name, payload))

    for name in (services.OBSERVATIONS, services.ONLINE, services.OFFLINE):
        events.subscribe(name, handler, module="test")
    yield got
    for name in (services.OBSERVATIONS, services.ONLINE, services.OFFLINE):
        events.unsubscribe(name, handler)


def iso(dt):
    return dt.isoformat().replace("+00:00", "Z")


T0 = datetime(2026, 11, 27, 15, 55, tzinfo=UTC)  # 23:55 Beijing


def test_batch_stores_rows_keeps_latest_and_publishes_new_facts(network, facts, django_capture_on_commit_callbacks):
    ds = network["pm25_1"]
    items = [{"datastream": ds.id, "phenomenonTime": iso(T0 + timedelta(minutes=i)), "result": 30 + i}
             for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        res = services.ingest(items, source="http")
    assert (res.created, res.duplicates, res.rejected) == (5, 0, 0)
    assert Observation.objects.filter(datastream=ds).count() == 5
    ds.refresh_from_db()
    assert ds.last_value == 34.0 and services.from_ms(ds.last_ms) == T0 + timedelta(minutes=4) and ds.online
    obs = [p for n, p in facts if n == services.OBSERVATIONS]
    assert len(obs) == 1 and [f.value for f in obs[0]] == [30.0, 31.0, 32.0, 33.0, 34.0]
    f = obs[0][0]
    assert (f.datastream_id, f.thing_id, f.property, f.town, f.grid, f.time) == (
        ds.id, ds.thing_id, "pm25", "371525001", "37152500100001", T0)
    assert [p.online for n, p in facts if n == services.ONLINE] == [True]
    assert HealthEvent.objects.filter(datastream=ds, online=True).count() == 1


def test_repeated_observation_is_idempotent_and_not_published_again(network, facts,
                                                                     django_capture_on_commit_callbacks):
    ds = network["pm25_1"]
    item = {"datastream": ds.id, "phenomenonTime": iso(T0), "result": 12.5}
    with django_capture_on_commit_callbacks(execute=True):
        first = services.ingest([item, dict(item, result=99)], source="http")
        again = services.ingest([dict(item, result=77)], source="mqtt")
    assert (first.created, first.duplicates) == (1, 1)
    assert (again.created, again.duplicates) == (0, 1)
    assert [o.result for o in Observation.objects.filter(datastream=ds)] == [12.5]
    assert sum(len(p) for n, p in facts if n == services.OBSERVATIONS) == 1


def test_older_observation_does_not_replace_the_latest_value(network):
    ds = network["level"]
    services.ingest([{"datastream": ds.id, "phenomenonTime": iso(T0), "result": 3.2}], source="http")
    services.ingest([{"datastream": ds.id, "phenomenonTime": iso(T0 - timedelta(hours=1)), "result": 1.0}],
                    source="http")
    ds.refresh_from_db()
    assert ds.last_value == 3.2 and services.from_ms(ds.last_ms) == T0


@pytest.mark.parametrize("item,reason", [
    ({"Datastream": {"name": "x"}, "phenomenonTime": "2026-11-27T10:00:00Z", "result": 1}, "datastream"),
    ({"datastream": 999999, "phenomenonTime": "2026-11-27T10:00:00Z", "result": 1}, "does not exist"),
    ({"datastream": "DS", "phenomenonTime": "2026-11-27T10:00:00Z", "result": 1}, "datastream"),
    ({"datastream": 0, "phenomenonTime": "yesterday", "result": 1}, "datastream"),
    ({"datastream": None, "result": 1}, "datastream"),
    ({"phenomenonTime": "2026-11-27T10:00:00", "result": 1}, "offset"),
    ({"phenomenonTime": "1999-12-31T10:00:00Z", "result": 1}, "range"),
    ({"phenomenonTime": "2026-11-27T11:00:00Z/2026-11-27T10:00:00Z", "result": 1}, "interval"),
    ({"phenomenonTime": "2026-11-27T10:00:00Z", "result": 1, "parameters": [1]}, "parameters"),
    ({"phenomenonTime": "2026-11-27T10:00:00Z", "result": 1, "validTime": "soon"}, "validTime"),
    ({"phenomenonTime": "2026-11-27T10:00:00Z"}, "result"),
    ({"phenomenonTime": "2026-11-27T10:00:00Z", "result": None}, "result"),
    ({"phenomenonTime": "2026-11-27T10:00:00Z", "result": 1, "colour": "red"}, "unknown"),
    ({"phenomenonTime": "2026-11-27T10:00:00Z", "result": 1, "resultQuality": "great"}, "resultQuality"),
    ("not an object", "object"),
])
def test_bad_items_go_to_dead_letters_and_do_not_stop_the_batch(network, item, reason):
    ds = network["pm25_1"]
    if isinstance(item, dict) and "datastream" not in item and "Datastream" not in item:
        item = dict(item, datastream=ds.id)
    good = {"datastream": ds.id, "phenomenonTime": "2026-11-27T09:00:00Z", "result": 5}
    res = services.ingest([good, item], source="mqtt", topic="v1.1/Datastreams(1)/Observations")
    assert [r["status"] for r in res.items] == ["created", "rejected"]
    assert reason in res.items[1]["error"]
    letter = DeadLetter.objects.get()
    assert letter.source == "mqtt" and reason in letter.reason and letter.topic.startswith("v1.1/")
    assert json.loads(letter.payload) == item
    assert Observation.objects.count() == 1


def test_non_numeric_results_are_kept_as_json(network):
    """A property no module registers as numeric keeps JSON results; booleans are numbers (1 and 0) anywhere, and
    keep their JSON (true, false)."""
    ObservedProperty.objects.create(code="door_state", name_zh="门状态", name_en="Door state")
    ds = Datastream.objects.get(pk=services.create_datastream(network["pm25_1"].thing, "door_state").id)
    res = services.ingest([{"datastream": ds.id, "phenomenonTime": iso(T0), "result": {"state": "ok"}},
                           {"datastream": ds.id, "phenomenonTime": iso(T0 + timedelta(minutes=1)), "result": True,
                            "resultQuality": "suspect"},
                           {"datastream": network["pm25_1"].id,
                            "phenomenonTime": iso(T0), "result": False}], source="http")
    assert res.created == 3
    rows = list(Observation.objects.filter(datastream=ds).order_by("phenomenon_ms")
                .values_list("result", "result_json", "quality"))
    assert rows == [(None, '{"state": "ok"}', 0), (1.0, "true", 1)]


def test_sensorthings_data_array_is_expanded():
    body = [{"Datastream": {"@iot.id": 7}, "components": ["phenomenonTime", "result"],
             "dataArray@iot.count": 2, "dataArray": [["2026-11-27T10:00:00Z", 1], ["2026-11-27T10:01:00Z", 2]]}]
    assert services.expand_data_array(body) == [
        {"phenomenonTime": "2026-11-27T10:00:00Z", "result": 1, "datastream": 7},
        {"phenomenonTime": "2026-11-27T10:01:00Z", "result": 2, "datastream": 7}]
    with pytest.raises(services.Reject):
        services.expand_data_array([{"Datastream": {"@iot.id": 7}, "components": ["colour"], "dataArray": []}])


def test_not_allowed_datastreams_are_rejected_per_item(network):
    a_org = network["pm25_1"].organisation_id
    items = [{"datastream": network["pm25_1"].id, "phenomenonTime": iso(T0), "result": 1},
             {"datastream": network["level"].id, "phenomenonTime": iso(T0), "result": 1}]
    res = services.ingest(items, source="http", allowed=lambda org: org == a_org)
    assert [r["status"] for r in res.items] == ["created", "rejected"]
    assert Observation.objects.filter(datastream=network["level"]).count() == 0


def test_big_batch_spans_several_insert_chunks(network):
    ds = network["pm10_1"]
    start = services.to_ms(T0)
    items = [{"datastream": ds.id, "phenomenonTime": start - i * 1000, "result": float(i)} for i in range(12001)]
    res = services.ingest(items, source="http", publish=False)
    assert res.created == 12001
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*), MIN(result), MAX(result) FROM sensing_observation WHERE datastream_id = %s",
                    [ds.id])
        assert cur.fetchone() == (12001, 0.0, 12000.0)
    assert Datastream.objects.get(pk=ds.pk).last_value == 0.0


@pytest.mark.parametrize("stream,value,ok", [
    ("pm25_1", -0.1, False), ("pm25_1", 0, True), ("pm25_1", 900.5, True),
    ("level", -3.2, True),  # a water level may be below its gauge's datum: no range
])
def test_implausible_results_go_to_dead_letters_with_the_range(network, stream, value, ok):
    ds = network[stream]
    good = {"datastream": ds.id, "phenomenonTime": "2026-11-27T09:00:00Z", "result": 5}
    res = services.ingest([good, {"datastream": ds.id, "phenomenonTime": "2026-11-27T09:01:00Z", "result": value}],
                          source="http")
    assert res.statuses() == ["created", "created" if ok else "rejected"]
    assert Observation.objects.count() == (2 if ok else 1)
    if not ok:
        assert "outside the plausible range of pm25 (0 to )" in res.errors()[0]["error"]
        assert "plausible range" in DeadLetter.objects.get().reason


def test_every_builtin_range_accepts_its_bounds_and_rejects_beyond():
    from smartcounty.foundation.sensing.properties import BUILTINS

    bounded = [p for p in BUILTINS if p.minimum is not None or p.maximum is not None]
    assert {"rainfall", "humidity", "pm25", "wind_speed", "ph"} <= {p.code for p in bounded}
    for p in bounded:
        for edge, step in ((p.minimum, -0.01), (p.maximum, 0.01)):
            if edge is not None:
                assert not p.outside(edge) and p.outside(edge + step), (p.code, edge)
