"""Forward and backward traces through 1,000,000 traceability events, and the recall of one farm batch.

Run: ``.venv/bin/python bench/traceability_trace.py [--width 10000 --depth 20 --events-per-batch 5]``
(``DATABASE_URL=postgres://.../<db>`` for PostgreSQL: the traceability tables of that database are emptied;
default a fresh SQLite file under /tmp).

The rows: ``depth`` levels of ``width`` batches (200,000 by default), five events each (1,000,000). Each batch
of level k+1 comes from the batch in its place at level k; every third one also merges in its right-hand
neighbour, every fifth is split off its second left-hand neighbour: a forward trace from a farm batch fans
out over the 20 levels to several hundred batches, a backward trace from a shop batch fans in the same.
Rows are written in bulk (COPY on PostgreSQL); the event hash chain is not built here (its cost is one
SHA-256 per event at write time, not on the trace path).

Printed, per direction, over ``--samples`` random start batches: the service's trace (``reach``: the recursive
query and its rows in Python), the whole trace read (``traced``: batches, links and events of every batch
found) and, beside them, the same recursive SQL run bare through the driver (the floor); then the recall of
one farm batch (every downstream batch marked and given a recall event, in one transaction) with the batches
it found.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import django_on_own_database, p95  # noqa: E402


def parents_of(level: int, i: int, width: int):
    if level == 0:
        return []
    out = [(level - 1, i)]
    if i % 3 == 0:
        out.append((level - 1, (i + 1) % width))   # a merge
    if i % 5 == 0:
        out.append((level - 1, (i - 2) % width))   # split off the neighbour two to the left
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--width", type=int, default=10_000)
    ap.add_argument("--depth", type=int, default=20)
    ap.add_argument("--events-per-batch", type=int, default=5)
    ap.add_argument("--samples", type=int, default=200)
    args = ap.parse_args()
    django_on_own_database("trace")
    from django.db import connection, transaction

    from smartcounty.domains.traceability import services
    from smartcounty.domains.traceability.models import Batch, Event, Link
    from smartcounty.domains.traceability.services import trace

    W, D, E = args.width, args.depth, args.events_per_batch
    bt, lt, et = Batch._meta.db_table, Link._meta.db_table, Event._meta.db_table
    with connection.cursor() as cur:
        for t in (et, lt, bt):
            cur.execute(f"DELETE FROM {t}")
    t_build = time.perf_counter()
    now = datetime(2026, 9, 1, tzinfo=UTC)
    bid = lambda level, i: level * W + i + 1  # noqa: E731
    kinds = ("create", "store", "inspect", "transport", "sell")
    stages = ("production", "storage", "storage", "transport", "sale")
    batches = ((bid(k, i), f"GXB{k:02d}{i:07d}", "鸭梨", 100.0, "kg", "production" if k == 0 else "processing", "id",
                "371525196803010011", "演示果农", None, "", now + timedelta(hours=k), None, "")
               for k in range(D) for i in range(W))
    links = ((bid(k - 1, j), bid(k, i), "merge" if j != i else "process")
             for k in range(1, D) for i in range(W) for (_l, j) in parents_of(k, i, W))
    events = ((bid(k, i) * E + e, bid(k, i), kinds[e % 5], stages[e % 5], now + timedelta(hours=k, minutes=e), "演示",
               "冠县", None, None, "[]", "[]", "[]", "", "", "0" * 64, f"{bid(k, i) * E + e:064x}")
              for k in range(D) for i in range(W) for e in range(E))
    bcols = ("id, code, product, quantity, unit, stage, producer_kind, producer_code, producer_name, organisation_id, "
             "origin, created_at, recalled_at, recall_reason")
    ecols = "id, batch_id, kind, stage, time, who, place, lon, lat, readings, inputs, outputs, result, note, prev_hash, hash"
    n_links = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            raw = connection.connection
            with raw.cursor() as cur:
                with cur.copy(f"COPY {bt} ({bcols}) FROM STDIN") as cp:
                    for r in batches:
                        cp.write_row(r)
                with cur.copy(f"COPY {lt} (parent_id, child_id, kind) FROM STDIN") as cp:
                    for r in links:
                        cp.write_row(r)
                        n_links += 1
                with cur.copy(f"COPY {et} ({ecols}) FROM STDIN") as cp:
                    for r in events:
                        cp.write_row(r)
        else:
            with connection.cursor() as cur:
                def chunks(gen, n=20000):
                    buf = []
                    for r in gen:
                        buf.append(r)
                        if len(buf) == n:
                            yield buf
                            buf = []
                    if buf:
                        yield buf
                for rows in chunks(batches):
                    cur.executemany(f"INSERT INTO {bt} ({bcols}) VALUES ({', '.join(['%s'] * 14)})", rows)
                for rows in chunks(links):
                    cur.executemany(f"INSERT INTO {lt} (parent_id, child_id, kind) VALUES (%s, %s, %s)", rows)
                    n_links += len(rows)
                for rows in chunks(events):
                    cur.executemany(f"INSERT INTO {et} ({ecols}) VALUES ({', '.join(['%s'] * 16)})", rows)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":  # rows were written with their ids: move the sequences past them
            for t in (bt, lt, et):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))")
        cur.execute("ANALYZE")
    built = time.perf_counter() - t_build
    n_events = Event.objects.count()
    print(f"{connection.vendor}: {W * D:,} batches, {n_links:,} links, {n_events:,} events, depth {D} "
          f"(written in {built:.1f} s)")
    rng = random.Random(371525)
    for direction, level in (("forward", 0), ("backward", D - 1)):
        starts = [bid(level, rng.randrange(W)) for _ in range(args.samples)]
        codes = dict(Batch.objects.filter(pk__in=starts).values_list("id", "code"))
        svc, full, bare, found = [], [], [], []
        sql = trace.FORWARD_SQL if direction == "forward" else trace.BACKWARD_SQL
        raw = connection.connection if connection.vendor == "postgresql" else None
        for s in starts:
            t = time.perf_counter()
            ids = services.reach(s, direction)
            svc.append(time.perf_counter() - t)
            found.append(len(ids))
            t = time.perf_counter()
            services.traced(codes[s], direction)
            full.append(time.perf_counter() - t)
            t = time.perf_counter()
            if raw is not None:
                with raw.cursor() as c:
                    c.execute(sql.replace("%s", "%s", 1), [s])
                    c.fetchall()
            else:
                with connection.cursor() as c:
                    c.execute(sql, [s])
                    c.fetchall()
            bare.append(time.perf_counter() - t)
        ms = lambda xs: f"p50 {1000 * statistics.median(xs):.1f} ms, p95 {1000 * p95(xs):.1f} ms"  # noqa: E731
        print(f"  {direction:8s} trace ({statistics.mean(found):.0f} batches on average, max {max(found)}): "
              f"service reach {ms(svc)} | whole trace with events {ms(full)} | bare recursive SQL {ms(bare)} "
              f"| target p95 < 50 ms")
    farm = Batch.objects.get(pk=bid(0, rng.randrange(W)))
    t = time.perf_counter()
    out = services.recall(farm.code, reason="bench")
    took = time.perf_counter() - t
    print(f"  recall of farm batch {farm.code}: {out['batches']} batches found and recalled in {1000 * took:.0f} ms "
          f"(bare forward SQL for the same batch beside it: ", end="")
    t = time.perf_counter()
    services.reach(farm.pk, "forward")
    print(f"{1000 * (time.perf_counter() - t):.1f} ms)")


if __name__ == "__main__":
    main()
