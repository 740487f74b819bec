"""Benchmark (issue 5): with 1,000,000 cases, (a) the workbench list filtered by organisation and
state and (b) the statistics of one month. Goal: p95 < 50 ms each.

Beside each figure it prints, measured in the same run on the same database:
  - the floor: the round trip of ``SELECT 1`` (what any query costs at least), and
  - the peers: the same month by the raw aggregate over the cases table (what the statistics cost
    before the daily rollup), and the raw aggregate over the whole table (a full scan).

The statistics of a month read whole days (Asia/Shanghai) from the daily rollup ``cases_dailystat``; the
month is a calendar month in Beijing time, as the statistics page and API ask for it. A second line
measures a month between UTC midnights (partial days at both ends, read from the cases table).
The generator inserts rows with SQL, bypassing the engine, so the rollup is rebuilt after it
(``smartcounty rebuild_case_stats``, timed and printed).

Run (SQLite, default):  .venv/bin/python bench/cases_workbench.py
PostgreSQL:             DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_cases_bench .venv/bin/python bench/cases_workbench.py
Options: --cases N (default 1000000), --repeat R (default 50).
Data are generated once into SMARTCOUNTY_DATA_DIR (default /tmp/sc-cases-bench) and reused.
"""

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime

os.environ.setdefault("SMARTCOUNTY_DATA_DIR", "/tmp/sc-cases-bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcounty.settings")

import django  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import timeit  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Sum  # noqa: E402

from smartcounty.foundation.cases import rollup, services  # noqa: E402
from smartcounty.foundation.cases.models import Case, DailyStat  # noqa: E402  (benchmark fixture: bulk rows)
from smartcounty.foundation.cases.workcalendar import BEIJING  # noqa: E402

STATES = ["collected", "registered", "dispatched", "handling", "feedback", "verifying", "verified", "closed",
          "evaluated", "rejected"]
ORGS = list(range(1, 37))
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)


def _sql(vendor: str, lo: int, hi: int) -> str:
    """One INSERT ... SELECT of cases lo..hi-1, every column derived from the row number (deterministic)."""
    if vendor == "postgresql":
        seq = f"generate_series({lo}::bigint, {hi - 1}::bigint) AS seq(i)"
        ts = "(TIMESTAMPTZ '2026-01-01 00:00:00+00' + ({}) * INTERVAL '1 second')"
        cat = "'BN' || lpad(i::text, 9, '0')"
    else:
        seq = f"(WITH RECURSIVE s(i) AS (SELECT {lo} UNION ALL SELECT i + 1 FROM s WHERE i < {hi - 1}) SELECT i FROM s)"
        ts = "datetime('2026-01-01 00:00:00', '+' || ({}) || ' seconds')"
        cat = "'BN' || printf('%09d', i)"
    created = "((i * 7919 + 13) % 31536000)"
    st = "((i * 31 + 7) % 10)"
    state = "CASE " + st + " " + " ".join(f"WHEN {k} THEN '{v}'" for k, v in enumerate(STATES)) + " END"
    closed = f"({st} >= 7)"
    cats = ["E0101", "E0103", "E0501", "E0503", "C0101", "C0201", "C0302", "C0401"]
    category = "CASE (i * 3) % 8 " + " ".join(f"WHEN {k} THEN '{v}'" for k, v in enumerate(cats)) + " END"
    cols = {
        "number": cat, "case_type": "'citymgmt.case'", "category": category, "title": "'bench'", "description": "''",
        "state": state, "source": "'bench'", "organisation_id": "1 + (i * 17 + 3) % 36",
        "queue_organisation_id": f"CASE WHEN {closed} THEN NULL ELSE 1 + (i * 13 + 5) % 36 END",
        "owner_organisation_id": "1", "supervisor_organisation_id": "2", "reporter_name": "''",
        "reporter_contact": "''", "town_code": "'371525001'", "grid_code": "'3715250010010' || ((i % 9) + 1)",
        "address": "''", "data": "'{}'", "created_at": ts.format(created), "updated_at": ts.format(created),
        "state_entered_at": ts.format(created),
        "due_at": f"CASE WHEN {closed} THEN NULL ELSE {ts.format(created + ' + 3600 * (1 + i % 200)')} END",
        "paused": "(1 = 0)", "paused_from": "''", "overdue": f"(NOT {closed} AND i % 20 = 1)",
        "ever_overdue": "(i % 10 = 0)", "is_closed": closed,
        "closed_at": f"CASE WHEN {closed} THEN {ts.format(created + ' + 18000')} ELSE NULL END",
        "handling_seconds": f"CASE WHEN {closed} THEN 600 + (i * 37) % 400000 ELSE NULL END",
        "reopen_count": "0", "rework_count": "CASE WHEN i % 20 = 0 THEN 1 ELSE 0 END", "external_ref": "''",
    }
    return (f"INSERT INTO cases_case ({', '.join(cols)}) SELECT {', '.join(cols.values())} FROM {seq}")


def generate(n: int) -> None:
    have = Case.objects.count()
    if have >= n:
        print(f"using {have:,} existing cases")
        return
    t0 = time.perf_counter()
    step = 100_000
    for lo in range(have, n, step):
        hi = min(n, lo + step)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(_sql(connection.vendor, lo, hi))
        sys.stdout.write(f"\r  generated {hi:,} cases")
        sys.stdout.flush()
    with connection.cursor() as cur:
        cur.execute("ANALYZE" if connection.vendor != "postgresql" else "VACUUM ANALYZE cases_case")
    print(f"\n  generated {n - have:,} cases in {time.perf_counter() - t0:.0f} s")


def ensure_rollup() -> None:
    """Rebuild the daily rollup if it does not count every case (rows inserted by SQL bypass the engine)."""
    counted = DailyStat.objects.aggregate(n=Sum("total"))["n"] or 0
    if counted == Case.objects.count():
        return
    t0 = time.perf_counter()
    with transaction.atomic():
        rows = rollup.rebuild()
    with connection.cursor() as cur:
        cur.execute("ANALYZE" if connection.vendor != "postgresql" else "VACUUM ANALYZE cases_dailystat")
    print(f"  rebuilt the daily rollup: {rows:,} rows in {time.perf_counter() - t0:.1f} s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    call_command("migrate", verbosity=0)
    generate(args.cases)
    ensure_rollup()
    rng = random.Random(7)
    total = Case.objects.count()

    def floor():
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()

    def workbench():
        # what the workbench page and GET /api/v1/cases/queue do: one page of 50 and the total
        qs = services.queue(rng.choice(ORGS), state=rng.choice(STATES[:7]))
        list(qs[:50])
        qs.count()

    def bounds(tz):
        m = rng.randrange(1, 13)
        return datetime(2026, m, 1, tzinfo=tz), datetime(2026 + (m == 12), m % 12 + 1, 1, tzinfo=tz)

    def month():
        since, until = bounds(BEIJING)
        services.statistics("organisation", since=since, until=until, case_type="citymgmt.case")

    def month_utc():
        since, until = bounds(UTC)
        services.statistics("organisation", since=since, until=until, case_type="citymgmt.case")

    def month_raw():
        since, until = bounds(BEIJING)
        services.raw_statistics("organisation", since=since, until=until, case_type="citymgmt.case")

    def full_scan():
        services.raw_statistics("organisation", case_type="citymgmt.case")

    print(f"database: {connection.vendor}, cases: {total:,}, repeats: {args.repeat}")
    f50, f95 = timeit(floor, args.repeat)
    print(f"floor   SELECT 1 round trip              p50 {f50:7.2f} ms  p95 {f95:7.2f} ms")
    for name, fn, goal in (("workbench (organisation + state, 50 rows + count)", workbench, 50),
                           ("statistics of one month by organisation", month, 50),
                           ("  the same, month between UTC midnights", month_utc, 50)):
        p50, p95 = timeit(fn, args.repeat)
        verdict = "meets" if p95 < goal else "MISSES"
        print(f"{name:50s} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  ({verdict} the {goal} ms goal; "
              f"{p95 / f95:.0f}× the floor)")
    p50, p95 = timeit(month_raw, max(5, args.repeat // 5))
    print(f"{'peer: the same month by the raw aggregate':50s} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  (cases table)")
    p50, p95 = timeit(full_scan, max(3, args.repeat // 10))
    print(f"{'peer: the raw aggregate over the whole year':50s} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  (full scan)")


if __name__ == "__main__":
    main()
