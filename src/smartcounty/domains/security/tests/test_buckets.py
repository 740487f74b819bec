"""CrowdSec-style leaky buckets: capacity, leak, distinct values, overflow resets, parsing, bounded memory."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.security import buckets

SQLI = buckets.parse("10/1s")


def test_parse():
    assert buckets.parse("10/1s") == buckets.Spec(10, 1.0)
    assert buckets.parse("600/50ms").leak == pytest.approx(0.05)
    assert buckets.parse("1/1m").leak == 60.0 and buckets.parse("2/1h").leak == 3600.0
    assert buckets.parse("5/10s", distinct=True).distinct
    for bad in ("", "10", "0/1s", "10/0s", "ten/1s", "10/1d"):
        with pytest.raises(ValueError):
            buckets.parse(bad)


def test_the_eleventh_event_in_a_burst_overflows_capacity_ten():
    b = buckets.Buckets()
    assert [b.pour("sqli", "ip", SQLI, now=0.0) for _ in range(10)] == [None] * 10
    assert b.pour("sqli", "ip", SQLI, now=0.0) == 11
    assert b.pour("sqli", "ip", SQLI, now=0.0) is None  # the bucket starts empty again
    assert b.level("sqli", "ip", SQLI, now=0.0) == 1


def test_it_leaks_one_event_per_leak_period():
    b = buckets.Buckets()
    for _ in range(10):
        b.pour("sqli", "ip", SQLI, now=0.0)
    assert b.level("sqli", "ip", SQLI, now=3.0) == pytest.approx(7.0)
    # one a second never overflows a bucket leaking one a second
    b2 = buckets.Buckets()
    assert all(b2.pour("sqli", "ip", SQLI, now=float(t)) is None for t in range(100))


def test_keys_and_scenarios_are_apart():
    b = buckets.Buckets()
    spec = buckets.parse("1/60s")
    assert b.pour("scanner", "a", spec, now=0.0) is None
    assert b.pour("scanner", "b", spec, now=0.0) is None
    assert b.pour("xss", "a", spec, now=0.0) is None
    assert b.pour("scanner", "a", spec, now=0.0) == 2


def test_distinct_pours_a_value_once():
    spec = buckets.parse("5/10s", distinct=True)
    b = buckets.Buckets()
    for _ in range(20):
        assert b.pour("not_found", "ip", spec, value="/same", now=0.0) is None
    for i in range(4):
        assert b.pour("not_found", "ip", spec, value=f"/p{i}", now=1.0) is None
    assert b.pour("not_found", "ip", spec, value="/p5", now=1.0) == 6


def test_memory_is_bounded():
    b = buckets.Buckets(max_buckets=100)
    for i in range(1000):
        b.pour("flood", f"ip{i}", SQLI, now=float(i))
    assert len(b) <= 100


@given(st.lists(st.floats(min_value=0, max_value=0.5), min_size=1, max_size=60), st.integers(1, 20))
def test_never_overflows_before_capacity_plus_one_events(gaps, capacity):
    spec = buckets.Spec(capacity, 1.0)
    b, now = buckets.Buckets(), 0.0
    for n, gap in enumerate(gaps, start=1):
        now += gap
        if b.pour("s", "k", spec, now=now) is not None:
            assert n >= capacity + 1
            break


@given(st.integers(1, 30), st.floats(min_value=0.01, max_value=10))
def test_a_burst_of_capacity_plus_one_always_overflows(capacity, leak):
    spec = buckets.Spec(capacity, leak)
    b = buckets.Buckets()
    results = [b.pour("s", "k", spec, now=5.0) for _ in range(capacity + 1)]
    assert results[:-1] == [None] * capacity and results[-1] == capacity + 1
