"""The engine's fast paths give exactly the results of the reference evaluators.

- ``engine._fast`` (threshold and multi-level with hoisted thresholds) against ``rules.evaluate_threshold`` /
  ``rules.evaluate_multi_level`` for every level in force and any value;
- ``rules.evaluate_rate`` (window updated in place) against the straightforward filter-and-append window.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from smartcounty.foundation.alerts import engine, rules
from smartcounty.foundation.alerts.rules import MultiLevelParams, RateParams, ThresholdParams

finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)
values = st.one_of(st.none(), finite, st.sampled_from([0.0, 10.0, 20.0, 9.5, 20.5, 95.0, 100.0, 105.0]))


def compiled(kind, params, level=2):
    c = engine.CompiledRule(1, "r", kind, params, "pm25", "county", "", None, None, level, None)
    return engine._fast(c)


@given(op=st.sampled_from(["above", "below", "between", "outside"]), hyst=st.sampled_from([0.0, 0.5, 5.0]),
       level=st.integers(0, 4), rule_level=st.integers(1, 4), v=values)
def test_fast_threshold_equals_the_evaluator(op, hyst, level, rule_level, v):
    kw = {"value": 100.0} if op in ("above", "below") else {"low": 10.0, "high": 20.0}
    p = ThresholdParams(op=op, hysteresis=hyst, **kw)
    fast = compiled(rules.THRESHOLD, p, rule_level)
    assert fast(level, v) == rules.evaluate_threshold(p, {}, level, rule_level, 0.0, v)


@given(direction=st.sampled_from(["above", "below"]), hyst=st.sampled_from([0.0, 2.0, 10.0]),
       gaps=st.lists(st.one_of(st.none(), st.floats(1, 50)), min_size=4, max_size=4)
       .filter(lambda g: any(x is not None for x in g)),
       level=st.integers(0, 4), v=values)
def test_fast_multi_level_equals_the_evaluator(direction, hyst, gaps, level, v):
    t, levels = 50.0, []
    for g in gaps:
        if g is None:
            levels.append(None)
        else:
            t += g
            levels.append(t if direction == "above" else 1000.0 - t)
    p = MultiLevelParams(direction=direction, levels=levels, hysteresis=hyst)
    fast = compiled(rules.MULTI_LEVEL, p)
    assert fast(level, v) == rules.evaluate_multi_level(p, {}, level, 2, 0.0, v)


def test_rate_and_custom_kinds_have_no_fast_path():
    assert compiled(rules.RATE, RateParams(limit=1)) is None


def reference_rate(p, memo, level, rule_level, t, v):
    """The window written plainly: filter, keep (t, v) if at least window / MAX_SAMPLES after the last kept
    sample, then measure from the oldest sample to (t, v)."""
    if v is None:
        return None
    samples = [s for s in memo.get("w", []) if s[0] >= t - p.window and s[0] < t]
    if not samples or t - samples[-1][0] >= p.window / rules.MAX_SAMPLES:
        samples.append([t, v])
    memo["w"] = samples
    rate = rules.rate_in_window([samples[0], [t, v]], p.per)
    if rate is None:
        return None
    signed = rate if p.direction == "rise" else -rate if p.direction == "fall" else abs(rate)
    memo["rate"] = rate
    holds = signed > (p.limit - p.hysteresis if level > 0 else p.limit)
    return rule_level if holds else 0


@settings(max_examples=60)
@given(steps=st.lists(st.tuples(st.floats(0.05, 900), st.one_of(st.none(), finite)), min_size=1, max_size=700),
       window=st.sampled_from([60.0, 600.0, 3600.0]), direction=st.sampled_from(["rise", "fall", "either"]),
       hyst=st.sampled_from([0.0, 1.0]))
def test_in_place_rate_window_equals_the_reference(steps, window, direction, hyst):
    p = RateParams(limit=5, per="minute", window=window, direction=direction, hysteresis=hyst)
    fast_memo, ref_memo, fast_level, ref_level, t = {}, {}, 0, 0, 0.0
    for dt, v in steps:
        t += dt
        a = rules.evaluate_rate(p, fast_memo, fast_level, 3, t, v)
        b = reference_rate(p, ref_memo, ref_level, 3, t, v)
        assert a == b
        fast_level = fast_level if a is None else a
        ref_level = ref_level if b is None else b
        assert fast_memo == ref_memo


def test_rate_window_with_an_out_of_order_memo_is_filtered_like_the_reference():
    p = RateParams(limit=1, per="minute", window=600)
    memo = {"w": [[100.0, 1.0], [700.0, 5.0]]}
    ref = {"w": [[100.0, 1.0], [700.0, 5.0]]}
    assert rules.evaluate_rate(p, memo, 0, 2, 650.0, 9.0) == reference_rate(p, ref, 0, 2, 650.0, 9.0)
    assert memo == ref
