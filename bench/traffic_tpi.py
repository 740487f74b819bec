"""County TPI benchmark (SQLite and PostgreSQL): ``traffic.congestion.compute`` for 5,000 segments from one
5-minute window of 50,000 speed observations (10 per segment's stream), goal < 200 ms.

Each engine gets a fresh database with 5,000 segments (all four road classes), one speed datastream each
mapped onto it, and the window's 50,000 observations stored through ``sensing.ingest`` (plus the windows before
and after, so the window is cut out of a larger table). Timed, median of ``--runs``: the TPI without storing
(segments and stream map read, per-stream window statistics from sensing, levels and the weighted index), and
with storing (the snapshot and the 5,000 segment states written). Peer, in the same run: a bare
``SELECT datastream_id, COUNT(result), SUM(result) ... GROUP BY datastream_id`` over the same rows.

    .venv/bin/python bench/traffic_tpi.py [--engines sqlite,postgres] [--runs 20]
"""

import argparse
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sensing_common import run_child  # noqa: E402

SEGMENTS = 5000
PER_WINDOW = 10
# Monday 2026-11-30 08:00 Beijing time
WINDOW = 1_795_996_800_000


def timed(fn, runs):
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out) * 1000


def child(engine, runs):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcounty.settings")
    django.setup()
    from django.db import connection, transaction

    from smartcounty.domains.traffic import congestion, tpi
    from smartcounty.domains.traffic.models import RoadSegment, SegmentStream
    from smartcounty.foundation.sensing import services as sensing

    sensing.sync_observed_properties()
    t0 = time.perf_counter()
    r = random.Random(1)
    segs, stream_ids = [], []
    with transaction.atomic():
        for i in range(SEGMENTS):
            cls = tpi.CLASSES[i % 4]
            lon, lat = 115.3 + 0.3 * r.random(), 36.3 + 0.3 * r.random()
            t = sensing.create_thing(f"bench-seg-{i}", f"基准路段{i}", lon=lon, lat=lat, kind="traffic_fcd")
            ds = sensing.create_datastream(t, "traffic_speed", expected_interval_s=30)
            stream_ids.append(ds.id)
            segs.append(RoadSegment(code=f"B{i:05d}", name=f"基准路段{i}", road_class=cls, length_m=200 + 1800 * r.random(),
                                    free_flow_kmh=tpi.FREE_FLOW[cls], coordinates=[[lon, lat], [lon + 0.005, lat]],
                                    west=lon, east=lon + 0.005, south=lat, north=lat))
        RoadSegment.objects.bulk_create(segs, batch_size=1000)
        ids = dict(RoadSegment.objects.values_list("code", "id"))
        SegmentStream.objects.bulk_create([SegmentStream(segment_id=ids[f"B{i:05d}"], datastream_id=d)
                                           for i, d in enumerate(stream_ids)], batch_size=1000)
    items = []
    for w in (-1, 0, 1):
        for k in range(PER_WINDOW):
            ms = WINDOW + w * 300_000 + k * 30_000
            items += [{"datastream": d, "phenomenonTime": ms, "result": round(5 + 80 * r.random(), 1)}
                      for d in stream_ids]
    for k in range(0, len(items), 10_000):
        sensing.ingest(items[k:k + 10_000], source="bench", publish=False)
    setup = time.perf_counter() - t0

    def bare():
        with connection.cursor() as cur:
            cur.execute("SELECT datastream_id, COUNT(result), SUM(result) FROM sensing_observation "
                        "WHERE phenomenon_ms >= %s AND phenomenon_ms < %s GROUP BY datastream_id",
                        [WINDOW, WINDOW + 300_000])
            return cur.fetchall()

    rows = bare()
    n_obs = sum(r[1] for r in rows)
    res = congestion.compute(WINDOW, store=False)
    assert res["segments"] == SEGMENTS and n_obs == SEGMENTS * PER_WINDOW, (res["segments"], n_obs)
    t_bare = timed(bare, runs)
    t_tpi = timed(lambda: congestion.compute(WINDOW, store=False), runs)
    t_store = timed(lambda: congestion.compute(WINDOW), max(3, runs // 4))
    print(f"[{engine}] {SEGMENTS} segments, {n_obs:,} observations in the window ({len(items):,} stored; set-up "
          f"{setup:.0f} s; load {os.getloadavg()[0]:.2f}): TPI {res['tpi']} ({tpi.LEVEL_NAMES[res['level']]})")
    print(f"[{engine}]   TPI computed (read + index):          {t_tpi:7.1f} ms   goal < 200 ms")
    print(f"[{engine}]   TPI computed and stored (5,000 states): {t_store:7.1f} ms")
    print(f"[{engine}]   peer: bare GROUP BY over the same rows: {t_bare:7.1f} ms   ratio TPI / bare {t_tpi / t_bare:.2f}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--engines", default="sqlite,postgres")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--child")
    a = p.parse_args()
    if a.child:
        child(a.child, a.runs)
        return
    for engine in a.engines.split(","):
        run_child(__file__, engine, "traffic", "--runs", str(a.runs))


if __name__ == "__main__":
    main()
