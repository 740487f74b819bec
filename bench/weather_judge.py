"""Weather signal judging benchmark (SQLite and PostgreSQL): the cost of ``weather.live.judge_all(at)``, which
the weather module runs on the hot ``sensing.observations`` event, on a realistic stored history.

Each engine gets a fresh database with the demo sensor network, and the simulator writes 72 hours of the
weather station's and the rain gauges' history up to a fixed time, each datastream at its own interval (the
station every minute, the gauges every 5 minutes; ``simulate --once --backfill-hours 72 --only weather,rain`` is the
same with a 5-minute step). Then ``judge_all`` runs 50 times at that time, and each judge alone 50 times (where the
time goes). Peer, measured in the same run: one bare ``SELECT MAX(result)`` over the station temperature's
last 24 h (the smallest query any temperature judge could make), 50 times.

Then a burst of older history through ``sensing.ingest`` in batches of 2,000 observations (each spanning hours), with
weather's subscriber alone on ``sensing.observations`` (in its background worker, as in a server), timed until the
last batch is judged; peer: the same amount of history with no subscriber at all.

    .venv/bin/python bench/weather_judge.py [--engines sqlite,postgres] [--runs 50] [--step-s 60]
"""

import argparse
import os
import statistics
import sys
import time
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sensing_common import run_child  # noqa: E402

NOW = "2026-11-25T06:00:00+00:00"
HOURS = 72
BURST_HOURS = 84
BATCH = 2000


def timed(fn, runs):
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out), statistics.mean(out)


def child(engine, runs, step_s):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcounty.settings")
    django.setup()
    from django.db import connection

    from smartcounty.domains.weather import live
    from smartcounty.foundation.sensing import services as sensing
    from smartcounty.foundation.sensing.simulator import Simulator, load_streams
    from smartcounty.kernel import registry

    registry.demo_loaders.get("sensing").load()
    at = datetime.fromisoformat(NOW)
    t0 = time.perf_counter()
    sim = Simulator(backfill_hours=HOURS, step_ms=step_s * 1000)
    sim.streams = [s for s in load_streams() if s.kind in ("weather", "rain")]
    sim.backfill(sensing.to_ms(at))
    load = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM sensing_observation")
        rows = cur.fetchone()[0]
    station = sensing.latest_values(property_code="temperature", thing_kind="weather").first()
    end = sensing.to_ms(at) + 1
    start = sensing.to_ms(at) - 24 * 3_600_000

    def peer():
        with connection.cursor() as cur:
            cur.execute("SELECT MAX(result) FROM sensing_observation WHERE datastream_id = %s AND phenomenon_ms >= %s "
                        "AND phenomenon_ms < %s", [station.id, start, end])
            cur.fetchone()

    live.judge_all(at)  # warm up (first alerts raised)
    peer()
    judge_med, judge_mean = timed(lambda: live.judge_all(at), runs)
    peer_med, peer_mean = timed(peer, runs)
    print(f"[{engine}] {rows:,} observations ({HOURS} h of the weather station and the rain gauges, every "
          f"max({step_s} s, the datastream's interval); stored in {load:.1f} s)")
    print(f"[{engine}] judge_all(at): {judge_med * 1000:.2f} ms median, {judge_mean * 1000:.2f} ms mean over {runs} "
          f"runs; peer, one bare SELECT MAX(result) over the station temperature's 24 h: {peer_med * 1000:.3f} ms "
          f"median (ratio {judge_med / peer_med:.0f})")
    parts = []
    for kind, judge in live.JUDGES.items():
        med, _ = timed(lambda judge=judge: judge(at), runs)
        parts.append(f"{kind} {med * 1000:.2f}")
    print(f"[{engine}] each judge alone, ms median: {', '.join(parts)}")
    burst(engine, live, sensing, sim, at, step_s)
    print(f"[{engine}] load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def burst(engine, live, sensing, sim, at, step_s):
    from smartcounty.kernel import events

    event = sensing.OBSERVATIONS
    for _module, handler in list(events._handlers[event]):
        events.unsubscribe(event, handler)
    judged = []
    judge_all = live.judge_all

    def counted(*args, **kwargs):
        judged.append(args[0])
        return judge_all(*args, **kwargs)

    live.judge_all = counted

    def run(start_ms):
        items = []
        for s in sim.streams:
            step = max(step_s * 1000, s.interval_ms)
            first = start_ms - start_ms % step
            items += sim._items(s, range(first, start_ms + BURST_HOURS * 3_600_000, step))
        items.sort(key=lambda it: it["phenomenonTime"])
        t0 = time.perf_counter()
        for k in range(0, len(items), BATCH):
            sensing.ingest(items[k:k + BATCH], source="bench")
        stored = time.perf_counter() - t0
        events.wait_idle(600)
        drained = time.perf_counter() - t0
        pacer = getattr(live, "pacer", None)
        while pacer is not None and (pacer.armed or pacer.held is not None):
            time.sleep(0.005)
        return stored, drained, time.perf_counter() - t0, len(items), items[-1]["phenomenonTime"]

    at_ms = sensing.to_ms(at)
    peer, _, _, n, _ = run(at_ms - (HOURS + 2 * BURST_HOURS) * 3_600_000)
    events.subscribe(event, live.on_observations, module="weather")
    stored, drained, done, n2, newest = run(at_ms - (HOURS + BURST_HOURS) * 3_600_000)
    print(f"[{engine}] a burst of {n2:,} observations of history in {-(-n2 // BATCH)} batches of {BATCH:,} with "
          f"weather's subscriber alone: stored in {stored:.2f} s, its queue drained at {drained:.2f} s, the last "
          f"judging done at {done:.2f} s; {len(judged)} judge_all, the last at "
          f"{max(judged).isoformat() if judged else '-'} (the newest observation: "
          f"{sensing.from_ms(newest).isoformat()}); peer, the same amount with no "
          f"subscriber: stored in {peer:.2f} s")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--engines", default="sqlite,postgres")
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--step-s", type=int, default=60, help="simulated history step (300: the simulate command's)")
    p.add_argument("--child")
    a = p.parse_args()
    if a.child:
        child(a.child, a.runs, a.step_s)
        return
    for engine in a.engines.split(","):
        run_child(__file__, engine, "weather", "--runs", str(a.runs), "--step-s", str(a.step_s))


if __name__ == "__main__":
    main()
