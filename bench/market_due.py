"""Due and overdue special equipment among 200,000 pieces: the bulk computations beside a bare scan.

Run: ``.venv/bin/python bench/market_due.py [--pieces 200000 --units 4000]`` (``DATABASE_URL=postgres://.../<db>``
for PostgreSQL: the market tables of that database are emptied; default a fresh SQLite file under /tmp).

The rows: ``--pieces`` pieces of every kind (half of them elevators), first used over the last 30 years, each
with a last inspection drawn around its last interval (the mix of overdue and due pieces is printed); their next due dates
come from the schedule rules at write time (as ``record_inspection`` and the import keep them) and are written
in bulk. Printed (median of ``--repeat`` runs, and the first run of the notices):

- ``due_summary``: overdue / due-within-a-month / in-use counts, all kinds and per kind (the cockpit and list
  figures; two aggregate queries over the indexed ``next_due``);
- ``overdue_by_unit``: overdue pieces per user unit (what the daily check raises alerts from);
- ``send_notices``: the month-ahead reminders and overdue notices, two INSERT ... SELECT statements (first run:
  every due and overdue piece; second run: nothing new);
- beside them, the floor: a bare ``SELECT id, next_due, status`` of every row through the driver, classified
  in Python (what computing the states row by row would at least cost), and a bare ``COUNT(*)``.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import django_on_own_database  # noqa: E402


def timed(fn, repeat):
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pieces", type=int, default=200_000)
    ap.add_argument("--units", type=int, default=4_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    django_on_own_database("market")
    from django.db import connection, transaction

    from smartcounty.domains.market import services
    from smartcounty.domains.market.models import Equipment, Kind, Reminder, Unit
    from smartcounty.domains.market.services import due as dues
    from smartcounty.domains.market.services.equipment import next_due, soon

    with connection.cursor() as cur:
        for m in (Reminder, Equipment, Unit):
            cur.execute(f"DELETE FROM {connection.ops.quote_name(m._meta.db_table)}")
    services.ensure_kind_rules()
    table = services.equipment.interval_table()
    rnd = random.Random(22)
    on = date(2026, 12, 4)
    t_build = time.perf_counter()
    with transaction.atomic():
        Unit.objects.bulk_create([Unit(uscc=f"U{i:017d}", name=f"使用单位{i}") for i in range(args.units)],
                                 batch_size=5000)
        unit_ids = list(Unit.objects.values_list("id", flat=True))
        kinds = [Kind.ELEVATOR] * 6 + [k for k in Kind.values if k != Kind.ELEVATOR]
        rows = []
        for n in range(args.pieces):
            kind = rnd.choice(kinds)
            first_use = on - timedelta(days=rnd.randint(30, 30 * 365))
            r = rnd.random()
            months = 12 if kind == Kind.ELEVATOR else table[kind]
            # how long ago the last inspection was, in days: overdue (3 %), due within a month (8 %), current
            span = months * 30.4
            ago = span + rnd.uniform(5, 200) if r < 0.03 else span - rnd.uniform(0, 30) if r < 0.11 \
                else rnd.uniform(10, span - 40)
            last = on - timedelta(days=int(ago))
            last = last if last > first_use else None
            due = next_due(kind, first_use, last, None, table)
            rows.append(Equipment(kind=kind, registration_code=f"{n:020d}", name=f"设备{n}",
                                  unit_id=unit_ids[n % len(unit_ids)], first_use=first_use, last_inspection=last,
                                  next_due=due.on, next_task=due.task))
            if len(rows) >= 10_000:
                Equipment.objects.bulk_create(rows, batch_size=5000)
                rows = []
        Equipment.objects.bulk_create(rows, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {Equipment._meta.db_table}")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    build = time.perf_counter() - t_build
    scope = services.Scope(True)
    s = services.due_summary(scope, on=on, by_kind=True)
    print(f"market due/overdue on {connection.vendor}: {s['total']:,} pieces in use, {s['overdue']:,} overdue, "
          f"{s['due']:,} due within a month ({args.units:,} units; built in {build:.1f} s)")

    t_summary = timed(lambda: services.due_summary(scope, on=on, by_kind=True), args.repeat)
    t_units = timed(lambda: dues.overdue_by_unit(on), args.repeat)
    t = time.perf_counter()
    with transaction.atomic():
        made = dues.send_notices(on)
    t_notices_first = time.perf_counter() - t
    t = time.perf_counter()
    with transaction.atomic():
        again = dues.send_notices(on)
    t_notices_again = time.perf_counter() - t

    eq = connection.ops.quote_name(Equipment._meta.db_table)
    limit = soon(on)

    def bare_scan():
        counts = {"overdue": 0, "due": 0, "ok": 0}
        with connection.cursor() as cur:
            cur.execute(f"SELECT id, next_due, status FROM {eq}")
            for _id, nd, status in cur.fetchall():
                if status != "in_use":
                    continue
                if isinstance(nd, str):
                    nd = date.fromisoformat(nd)
                counts["overdue" if nd < on else "due" if nd <= limit else "ok"] += 1
        return counts

    def bare_count():
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {eq}")
            return cur.fetchone()[0]

    assert bare_scan()["overdue"] == s["overdue"]
    t_scan = timed(bare_scan, args.repeat)
    t_count = timed(bare_count, args.repeat)
    t = time.perf_counter()
    moved = services.set_interval("boiler", table["boiler"] + 12)
    t_move = time.perf_counter() - t
    print(f"  due_summary (all kinds and per kind)     {t_summary * 1000:8.1f} ms")
    print(f"  overdue_by_unit                          {t_units * 1000:8.1f} ms")
    print(f"  send_notices, first run                  {t_notices_first * 1000:8.1f} ms  "
          f"({made['reminded']:,} reminders, {made['overdue']:,} overdue notices)")
    print(f"  send_notices, again (nothing new)        {t_notices_again * 1000:8.1f} ms  "
          f"({again['reminded'] + again['overdue']} made)")
    total = t_summary + t_units + t_notices_first
    print(f"  the whole due/overdue computation        {total * 1000:8.1f} ms  (target < 2000 ms)")
    print(f"  floor: bare SELECT of every row, classified in Python  {t_scan * 1000:8.1f} ms")
    print(f"  floor: bare COUNT(*)                     {t_count * 1000:8.1f} ms")
    print(f"  (interval change for boilers: {moved:,} pieces moved onto the new interval in {t_move:.1f} s)")


if __name__ == "__main__":
    main()
