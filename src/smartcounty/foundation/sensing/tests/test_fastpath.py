"""The ingest fast path (plain batches checked column by column, inserted without RETURNING) must
give exactly what the general path gives: rows, rollup, latest values, online events, facts and results."""

import math
from datetime import UTC

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartcounty.foundation.sensing import fastpath, services
from smartcounty.foundation.sensing import ingest as ingest_mod
from smartcounty.foundation.sensing.models import (
    Datastream,
    DeadLetter,
    HealthEvent,
    HourlyRollup,
    Observation,
)
from smartcounty.kernel import events

NOW = 1_795_000_000_000  # 2026-11-18
T0 = 1_794_900_000_000

plain_item = st.fixed_dictionaries(
    {"datastream": st.integers(1, 50), "phenomenonTime": st.integers(T0, NOW),
     "result": st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.integers(-10**6, 10**6))},
    optional={"resultTime": st.one_of(st.none(), st.integers(T0, NOW)), "resultQuality": st.sampled_from([0, 1, 2])})
odd_value = st.one_of(st.none(), st.booleans(), st.text(max_size=3), st.floats(), st.integers(-2**70, 2**70),
                      st.lists(st.integers(), max_size=2), st.just("good"), st.just("2026-11-18T00:00:00Z"))
odd_item = st.one_of(
    plain_item,
    st.dictionaries(st.sampled_from(["datastream", "Datastream", "phenomenonTime", "resultTime", "result",
                                     "resultQuality", "extra"]), odd_value, max_size=6),
    odd_value)


def _general(items, now_ms):
    out = []
    for item in items:
        try:
            out.append(ingest_mod.parse_item(item, now_ms))
        except (ingest_mod.Reject, TypeError, AttributeError):
            return None
    return out


@given(st.lists(plain_item, min_size=1, max_size=40))
def test_plain_batches_take_the_fast_path_with_the_general_rows(items):
    assert fastpath.columns(items, NOW) == _general(items, NOW)


@settings(max_examples=300)
@given(st.lists(odd_item, min_size=1, max_size=8))
def test_any_batch_is_either_declined_or_parsed_as_the_general_path_would(items):
    got = fastpath.columns(items, NOW)
    if got is not None:
        assert got == _general(items, NOW)
        assert all(math.isfinite(r[3]) for r in got)


@pytest.mark.parametrize("bad", [
    {"result": True}, {"result": None}, {"result": "text"}, {"result": float("nan")}, {"result": 10**400},
    {"phenomenonTime": "2026-11-18T00:00:00Z"}, {"phenomenonTime": 1}, {"phenomenonTime": NOW + 2 * 86_400_000},
    {"resultQuality": "suspect"}, {"resultQuality": 7}, {"resultQuality": True}, {"datastream": 0},
    {"datastream": "1"}, {"extra": 1}, {"resultTime": "2026-11-18T00:00:00Z"},
])
def test_anything_unusual_goes_to_the_general_path(bad):
    item = {"datastream": 1, "phenomenonTime": NOW - 1000, "result": 1.5}
    item.update(bad)
    assert fastpath.columns([dict(item, phenomenonTime=NOW - 2000), item], NOW) is None
    assert fastpath.columns([{"datastream": 1, "phenomenonTime": NOW, "result": 1}, 5], NOW) is None
    assert fastpath.columns([], NOW) is None


# --- the same batch through both paths, in the database -----------------------------------------------------

@pytest.fixture
def capture():
    got = []

    def handler(name, payload):
        got.append((name, payload))

    for name in (services.OBSERVATIONS, services.ONLINE):
        events.subscribe(name, handler, module="test")
    yield got
    for name in (services.OBSERVATIONS, services.ONLINE):
        events.unsubscribe(name, handler)


def _state():
    rows = Observation.objects.values_list("datastream_id", "phenomenon_ms", "result_ms", "result", "quality")
    # an absent result time is the time of ingest: the same "now" for both paths
    return (sorted((ds, ms, "now" if rt > NOW else rt, v, q) for ds, ms, rt, v, q in rows),
            sorted(HourlyRollup.objects.values_list("datastream_id", "hour_ms", "n", "total", "lo", "hi")),
            sorted(Datastream.objects.values_list("id", "last_ms", "last_value", "online")),
            sorted(HealthEvent.objects.values_list("datastream_id", "online", "last_ms")),
            sorted(DeadLetter.objects.values_list("datastream_id", "reason")))


def _reset():
    Observation.objects.all().delete()
    HourlyRollup.objects.all().delete()
    HealthEvent.objects.all().delete()
    DeadLetter.objects.all().delete()
    Datastream.objects.update(last_ms=None, last_value=None, online=False)


def _run(batches, capture, django_capture_on_commit_callbacks, **kw):
    capture.clear()
    with django_capture_on_commit_callbacks(execute=True):
        results = [services.ingest(b, source="http", **kw) for b in batches]
    return results, _state(), list(capture)


def _both(batches, monkeypatch, capture, django_capture_on_commit_callbacks, **kw):
    taken = []
    real = fastpath.insert_new

    def counting(rows):
        taken.append(len(rows))
        return real(rows)

    monkeypatch.setattr(fastpath, "insert_new", counting)
    fast = _run(batches, capture, django_capture_on_commit_callbacks, **kw)
    _reset()
    monkeypatch.setattr(fastpath, "columns", lambda *args: None)  # every batch item by item
    general = _run(batches, capture, django_capture_on_commit_callbacks, **kw)
    return fast, general, taken


def _batch(ids, start, n, step=20_000):
    return [{"datastream": ids[k % len(ids)], "phenomenonTime": start + (k // len(ids)) * step,
             "result": round(math.sin(k) * 50 + 60, 3)} for k in range(n)]


H = 3_600_000


@pytest.mark.django_db
def test_plain_batches_store_exactly_what_the_general_path_stores(network, monkeypatch, capture,
                                                                  django_capture_on_commit_callbacks):
    ids = [ds.id for ds in network.values()]
    start = (T0 // H) * H + H - 100_000  # the batches cross an hour
    batches = [_batch(ids, start, 40), _batch(ids, start + 400_000, 30), _batch(ids[:1], start - 5 * H, 3)]
    batches[1][3]["resultTime"] = start
    batches[1][4]["resultQuality"] = 2
    fast, general, taken = _both(batches, monkeypatch, capture, django_capture_on_commit_callbacks)
    assert fast == general
    assert taken == [40, 30, 3]  # every batch took the fast path
    results, (rows, rollup, latest, health, _dead), published = fast
    assert [r.created for r in results] == [40, 30, 3] and len(rows) == 73
    assert sum(n for _ds, _h, n, *_ in rollup) == 73 and len({h for _ds, h, *_x in rollup}) == 3
    assert all(online for *_x, online in latest) and len(health) == 4
    assert [len(p) for name, p in published if name == services.OBSERVATIONS] == [40, 30, 3]


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["stored-before", "twice-in-batch", "unknown-datastream", "forbidden",
                                  "implausible"])
def test_a_plain_batch_with_a_problem_is_answered_item_by_item(case, network, monkeypatch, capture,
                                                               django_capture_on_commit_callbacks):
    ids = [network["pm25_1"].id, network["level"].id]
    first = _batch(ids, T0, 6)
    second = _batch(ids, T0 + 40_000, 6)  # overlaps the first batch's last two rounds
    allowed = None
    if case == "twice-in-batch":
        second = _batch(ids, T0 + 200_000, 6)
        second.append(dict(second[0], result=7))
    elif case == "implausible":  # PM2.5 cannot be negative
        second = _batch(ids, T0 + 200_000, 6) + [{"datastream": ids[0], "phenomenonTime": T0 + 900_000, "result": -3}]
    elif case == "unknown-datastream":
        second = _batch(ids, T0 + 200_000, 6) + [{"datastream": 999_999, "phenomenonTime": T0, "result": 1}]
    elif case == "forbidden":
        second = _batch(ids, T0 + 200_000, 6)
        org_of_level = network["level"].organisation_id

        def allowed(org):
            return org != org_of_level
    batches = [first, second]
    fast, general, _taken = _both(batches, monkeypatch, capture, django_capture_on_commit_callbacks)
    assert fast[0] == general[0] and fast[1] == general[1]
    if allowed is not None:
        _reset()
        fast, general, _taken = _both([second], monkeypatch, capture, django_capture_on_commit_callbacks,
                                      allowed=allowed)
        assert fast[1] == general[1]
        statuses = [i["status"] for i in fast[0][0].items]
        assert statuses.count("rejected") == 3 and statuses.count("created") == 3
        return
    statuses = [i["status"] for i in fast[0][1].items]
    assert "created" in statuses and ({"duplicate", "rejected"} & set(statuses))
    rows, rollup = fast[1][0], fast[1][1]
    assert sum(n for _ds, _h, n, *_ in rollup) == len(rows)  # nothing counted twice by a rolled-back try


def test_all_created_items_behave_like_the_list_they_stand_for():
    from smartcounty.foundation.sensing.schemas import AllCreated, IngestResult

    items = [{"index": i, "status": "created"} for i in range(4)]
    lazy = AllCreated(4)
    assert lazy == items and items == lazy and list(lazy) == items and len(lazy) == 4
    assert lazy[-1] == items[-1] and lazy[1:3] == items[1:3]
    with pytest.raises(IndexError):
        lazy[4]
    assert IngestResult(4, 0, 0, lazy).statuses() == ["created"] * 4 == IngestResult(4, 0, 0, items).statuses()
    mixed = IngestResult(1, 0, 1, [{"index": 0, "status": "created"},
                                   {"index": 1, "status": "rejected", "error": "result: null"}])
    assert mixed.statuses() == ["created", "rejected"] and mixed.errors() == [{"index": 1, "error": "result: null"}]


@pytest.mark.django_db
def test_a_datastream_deleted_while_the_batch_is_prepared_is_answered_by_the_general_path(network, monkeypatch):
    gone, kept = network["pm25_2"], network["pm25_1"]
    real = fastpath.hourly_groups

    def deleting(rows):  # runs after the datastreams were read, before the write transaction
        Datastream.objects.filter(pk=gone.pk).delete()
        return real(rows)

    monkeypatch.setattr(fastpath, "hourly_groups", deleting)
    res = services.ingest(_batch([kept.id, gone.id], T0, 4), source="http")
    assert [i["status"] for i in res.items] == ["created", "rejected", "created", "rejected"]
    assert Observation.objects.filter(datastream_id=gone.pk).count() == 0
    assert Observation.objects.filter(datastream_id=kept.pk).count() == 2


@given(st.lists(st.tuples(st.integers(1, 6), st.integers(T0, NOW), st.one_of(st.none(), st.floats(-1e3, 1e3))),
                max_size=60),
       st.dictionaries(st.integers(1, 6), st.sampled_from(["pm25", "pm10", "water_level"]), min_size=6, max_size=6))
def test_an_observation_batch_selects_each_propertys_rows_and_reads_as_facts(readings, props):
    from datetime import datetime

    from smartcounty.foundation.sensing.schemas import ObservationBatch, ObservationFact

    rows = [(ds, ms, ms, value, None, 0) for ds, ms, value in readings]
    meta = {ds: (ds, 100 + ds, prop, "371525001" if ds % 2 else "", "") for ds, prop in props.items()}
    batch = fastpath.batch(rows, meta)
    assert set(batch.info) == {r[0] for r in rows}  # only the datastreams with rows
    for code in ("pm25", "pm10", "water_level", "co"):
        assert batch.select(code) == [r for r in rows if props[r[0]] == code]
    facts = [ObservationFact(ds, 100 + ds, props[ds], "371525001" if ds % 2 else None, None,
                             datetime.fromtimestamp(ms / 1000, UTC), value) for ds, ms, _rt, value, _t, _q in rows]
    assert list(batch) == facts and len(batch) == len(facts) and batch == facts
    assert batch[1:3] == facts[1:3] and (not rows or batch[-1] == facts[-1])
    again = ObservationBatch.of(facts)  # what a handler makes of a plain list of facts
    assert list(again) == facts and ObservationBatch.of(batch) is batch
    assert again.properties == batch.properties
    kept = ObservationBatch.from_bytes(batch.to_bytes())  # what the outbox keeps and a replay hands out
    assert (kept.rows, kept.info, list(kept)) == (batch.rows, batch.info, facts)
    assert ObservationBatch.from_bytes(ObservationBatch.encode(facts)).rows == again.rows


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(T0, T0 + 10**6), st.floats(-1e6, 1e6)), min_size=1,
                max_size=30, unique_by=lambda r: r[:2]),
       st.sampled_from(["numeric", "quality", "json"]))
def test_rows_are_stored_as_given_whether_numeric_and_good_or_not(network, readings, shape):
    """SQLite binds rows with no JSON result and good quality as four parameters each; the others as six.
    Either way the table holds exactly the rows."""
    ids = [ds.id for ds in network.values()]
    rows = [(ids[i], ms, NOW - k % 2, value, None, 0) for k, (i, ms, value) in enumerate(readings)]
    if shape == "quality":
        rows[0] = (*rows[0][:5], 2)
    elif shape == "json":
        rows[0] = (*rows[0][:3], None, '{"a": 1}', 0)
    try:
        assert fastpath.write(rows, returning=False)[0] == len(rows)
        stored = set(Observation.objects.values_list("datastream_id", "phenomenon_ms", "result_ms", "result",
                                                     "result_json", "quality"))
        assert stored == set(rows)
    finally:
        Observation.objects.all().delete()


@given(st.integers(0, 60_000))
def test_any_number_of_rows_is_cut_into_few_statement_shapes(n):
    sizes = list(fastpath.chunk_sizes(n))
    assert sum(sizes) == n
    assert all(s == fastpath.SQLITE_CHUNK or (s < fastpath.SQLITE_CHUNK and s & (s - 1) == 0) for s in sizes)
    assert len(sizes) <= n // fastpath.SQLITE_CHUNK + 12  # 5,000 = 0b1001110001000: at most 12 powers of two below


@given(st.text(max_size=5), st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))),
       st.booleans())
def test_a_health_event_is_kept_in_the_outbox_as_it_was(prop, last, online):
    from smartcounty.foundation.sensing.schemas import DatastreamHealth

    h = DatastreamHealth(3, 4, prop, "371525001", None, last, online)
    assert DatastreamHealth.from_bytes(DatastreamHealth.encode(h)) == h
