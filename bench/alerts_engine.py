"""Rule-engine throughput: how many observations per second the ``sensing.observations`` handler evaluates.

Run: ``.venv/bin/python bench/alerts_engine.py [--streams 5000 --batches 20]`` (``DATABASE_URL=...`` for
PostgreSQL; default a fresh SQLite file under /tmp).

Five county-wide rules on PM2.5 (threshold with hysteresis and duration, multi-level, rate of change)
watch every datastream; each batch is one observation per datastream, as the ingest path delivers
them, 0.2 % of them (``--cross``) crossing a threshold. Printed beside it, measured in the same run: the floor, the
same evaluator calls in a bare loop with no state loading, no state or alert writes. Three engine figures: all
batches; the first batch alone (every (rule, datastream) state is new and inserted once); and sustained (batches
2..N, states cached in memory: what a long-running ingest sees).
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RULES = [
    ("threshold", {"op": "above", "value": 150, "hysteresis": 10, "duration": 0}),
    ("threshold", {"op": "above", "value": 115, "hysteresis": 5, "duration": 600}),
    ("multi_level", {"levels": [75, 115, 150, 250], "hysteresis": 5}),
    ("rate", {"limit": 1000, "per": "hour", "window": 3600, "direction": "rise"}),
    ("threshold", {"op": "between", "low": 0, "high": 1, "hysteresis": 0.5}),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--streams", type=int, default=5000)
    ap.add_argument("--batches", type=int, default=20)
    ap.add_argument("--cross", type=float, default=0.002, help="share of observations crossing a threshold")
    ap.add_argument("--all-subscribers", action="store_true",
                    help="keep other modules' alerts.* handlers (e.g. the cockpit's) in the measured path")
    args = ap.parse_args()
    os.environ.setdefault("SMARTCOUNTY_DATA_DIR", tempfile.mkdtemp(prefix="sc-alerts-engine-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcounty.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from smartcounty.foundation.alerts import engine
    from smartcounty.foundation.alerts.models import Alert, Rule
    from smartcounty.foundation.alerts.schemas import RuleIn
    from smartcounty.foundation.alerts.services import create_rule, delete_rule
    from smartcounty.foundation.sensing.schemas import ObservationFact

    call_command("migrate", verbosity=0)
    from smartcounty.kernel import events

    excluded = set()
    if not args.all_subscribers:  # measure the engine (and this module's feed/notify handlers) alone
        for name in ("alerts.raised", "alerts.changed", "alerts.resolved"):
            excluded |= {m for m, _ in events._handlers[name] if m != "alerts"}
            events._handlers[name] = [(m, h) for m, h in events._handlers[name] if m == "alerts"]
    for old in Rule.objects.filter(name__startswith="bench-engine"):
        delete_rule(old)
    for i, (kind, params) in enumerate(RULES):
        create_rule(RuleIn(name=f"bench-engine {i}", kind=kind, property="pm25", params=params))
    engine.invalidate()
    rng = random.Random(371525)
    t0 = datetime.now(UTC) - timedelta(days=2)
    base = 10_000_000 + rng.randrange(10_000_000)  # datastream ids no earlier run used
    batches = []
    for b in range(args.batches):
        at = t0 + timedelta(minutes=5 * b)
        batches.append([ObservationFact(base + d, base + d, "pm25", "371525001", None, at,
                                        rng.choice((300.0, 160.0)) if rng.random() < args.cross else 40 + rng.random() * 30)
                        for d in range(args.streams)])
    n = args.streams * args.batches

    times = []
    for batch in batches:
        start = time.perf_counter()
        engine.on_observations("sensing.observations", batch)
        times.append(time.perf_counter() - start)
    took = sum(times)
    steady = sum(times[1:]) if len(times) > 1 else took
    n_steady = args.streams * (len(times) - 1) if len(times) > 1 else args.streams
    alerts = Alert.objects.filter(rule__name__startswith="bench-engine").count()

    compiled = [r for rules in engine._compiled()[0].values() for r in rules]
    memos = {}
    start = time.perf_counter()
    for batch in batches:
        for f in batch:
            t = f.time.timestamp()
            for r in compiled:
                key = (r.id, f.datastream_id)
                memo = memos.setdefault(key, {})
                r.kind.evaluate(r.params, memo, 0, r.level, t, f.value)
    floor = time.perf_counter() - start
    print(f"rule engine ({connection.vendor}, {len(compiled)} rules x {args.streams} datastreams, {n} observations, "
          f"{alerts} alerts raised):")
    print(f"  all batches: {n / took:,.0f} observations/s ({n * len(compiled) / took:,.0f} rule evaluations/s)"
          + (f"; other modules' alert handlers left out: {', '.join(sorted(excluded))}" if excluded else ""))
    print(f"  first batch (every rule state new, {args.streams * len(compiled):,} rows inserted): "
          f"{args.streams / times[0]:,.0f} observations/s")
    print(f"  sustained (batches 2..{len(times)}, states cached): {n_steady / steady:,.0f} observations/s")
    print(f"  floor, the same evaluator calls in a bare loop (no state I/O, no alerts): {n / floor:,.0f} "
          f"observations/s; engine/floor = {floor / took:.2f} (all), {floor / n * n_steady / steady:.2f} (sustained)")


if __name__ == "__main__":
    main()
