"""Benchmark (issue 12): the one workbench over 50 workflow definitions with 1,000,000 cases:
"my tasks" and "overdue" (one page of 50 rows as the API serves them, plus the total). Goal: p95 < 50 ms
on SQLite and on PostgreSQL.

Beside each figure it prints, measured in the same run on the same database:
  - the floor: the round trip of ``SELECT 1``, and
  - the peer: the plain indexed ``COUNT(*)`` of the same rows (the same WHERE, no rows fetched).

The 50 definitions are declared in this process (50 case types of 7 states; staff act in three of them),
the cases inserted by SQL (``bench.defNN`` types, 36 organisations, 70 % closed, 5 % of the open ones overdue).

Run (SQLite, default):  .venv/bin/python bench/cases_workbench_all.py
PostgreSQL:             DATABASE_URL=postgres://postgres@127.0.0.1:5432/forms .venv/bin/python bench/cases_workbench_all.py
Options: --cases N (default 1000000), --repeat R (default 50).
Data are generated once into SMARTCOUNTY_DATA_DIR (default /tmp/sc-workbench-all-bench) and reused.
"""

import argparse
import os
import random
import sys
import time

os.environ.setdefault("SMARTCOUNTY_DATA_DIR", "/tmp/sc-workbench-all-bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcounty.settings")

import django  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import timeit  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from smartcounty.foundation.cases import services  # noqa: E402
from smartcounty.foundation.cases.models import Case  # noqa: E402  (benchmark fixture: bulk rows)
from smartcounty.foundation.cases.schemas import CaseType, Limit, State, Transition, Who  # noqa: E402
from smartcounty.kernel import registry  # noqa: E402

DEFINITIONS = 50
STATES = ["s0", "s1", "s2", "s3", "s4", "s5", "closed"]
ORGS = list(range(1, 37))  # note: i % 20 = 4 rows (overdue) fall to even organisations


def declare() -> None:
    for n in range(DEFINITIONS):
        key = f"bench.def{n:02d}"
        if key in registry.case_types:
            continue
        states = tuple(State(s, f"环节{s}", lane="responsible" if s != "closed" else "none",
                             limit=Limit(2, "days") if s != "closed" else None, final=s == "closed")
                       for s in STATES)
        steps = tuple(Transition(f"t{i}", f"办理{i}", (STATES[i],), STATES[i + 1],
                                 (Who(("staff",) if i % 2 == 0 else ("org_admin",), "queue"),))
                      for i in range(len(STATES) - 1))
        registry.case_types.register(key, CaseType(key=key, title=f"事项{n:02d}", states=states, transitions=steps,
                                                   initial="s0", prefix="BW"), module="cases")


def _sql(vendor: str, lo: int, hi: int) -> str:
    if vendor == "postgresql":
        seq = f"generate_series({lo}::bigint, {hi - 1}::bigint) AS seq(i)"
        ts = "(TIMESTAMPTZ '2026-01-01 00:00:00+00' + ({}) * INTERVAL '1 second')"
        num = "'BW' || lpad(i::text, 9, '0')"
        typ = "'bench.def' || lpad((i % 50)::text, 2, '0')"
    else:
        seq = f"(WITH RECURSIVE s(i) AS (SELECT {lo} UNION ALL SELECT i + 1 FROM s WHERE i < {hi - 1}) SELECT i FROM s)"
        ts = "datetime('2026-01-01 00:00:00', '+' || ({}) || ' seconds')"
        num = "'BW' || printf('%09d', i)"
        typ = "'bench.def' || printf('%02d', i % 50)"
    created = "((i * 7919 + 13) % 31536000)"
    st = "((i * 31 + 7) % 10)"  # 0-2 open states s0..s2 spread, >= 3 closed (70 %)
    open_state = "CASE ((i * 7) % 6) " + " ".join(f"WHEN {k} THEN '{STATES[k]}'" for k in range(6)) + " END"
    closed = f"({st} >= 3)"
    cols = {
        "number": num, "case_type": typ, "category": "''", "title": "'bench'", "description": "''",
        "state": f"CASE WHEN {closed} THEN 'closed' ELSE {open_state} END", "source": "'bench'",
        "organisation_id": "1 + (i * 13 + 5) % 36",
        "queue_organisation_id": f"CASE WHEN {closed} THEN NULL ELSE 1 + (i * 13 + 5) % 36 END",
        "owner_organisation_id": "1", "supervisor_organisation_id": "2", "reporter_name": "''",
        "reporter_contact": "''", "town_code": "'371525001'", "grid_code": "'3715250010010' || ((i % 9) + 1)",
        "address": "''", "data": "'{}'", "created_at": ts.format(created), "updated_at": ts.format(created),
        "state_entered_at": ts.format(created),
        "due_at": f"CASE WHEN {closed} THEN NULL ELSE {ts.format(created + ' + 3600 * (1 + i % 200)')} END",
        "paused": "(1 = 0)", "paused_from": "''", "overdue": f"(NOT {closed} AND i % 20 = 4)",
        "ever_overdue": "(i % 10 = 0)", "is_closed": closed,
        "closed_at": f"CASE WHEN {closed} THEN {ts.format(created + ' + 18000')} ELSE NULL END",
        "handling_seconds": f"CASE WHEN {closed} THEN 600 + (i * 37) % 400000 ELSE NULL END",
        "reopen_count": "0", "rework_count": "0", "external_ref": "''",
    }
    return f"INSERT INTO cases_case ({', '.join(cols)}) SELECT {', '.join(cols.values())} FROM {seq}"


def generate(n: int) -> None:
    have = Case.objects.count()
    if have >= n:
        print(f"using {have:,} existing cases")
        return
    t0 = time.perf_counter()
    for lo in range(have, n, 100_000):
        hi = min(n, lo + 100_000)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(_sql(connection.vendor, lo, hi))
        sys.stdout.write(f"\r  generated {hi:,} cases")
        sys.stdout.flush()
    with connection.cursor() as cur:
        cur.execute("ANALYZE" if connection.vendor != "postgresql" else "VACUUM ANALYZE cases_case")
    print(f"\n  generated {n - have:,} cases in {time.perf_counter() - t0:.0f} s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    declare()
    call_command("migrate", verbosity=0)
    generate(args.cases)
    rng = random.Random(12)
    User = get_user_model()

    def staff(orgs=ORGS):
        # The generator's row number sets both the organisation and the state (and overdue), by parity: even
        # organisations hold cases in s0/s2/s4 (staff act), odd ones s1/s3/s5 (org_admin act). Each sampled user has the role that acts on its organisation's open cases.
        org = rng.choice(orgs)
        return User(username="bench", role="staff" if org % 2 == 0 else "org_admin", organisation_id=org,
                    is_active=True)

    def floor():
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()

    late_orgs = sorted({1 + (i * 13 + 5) % 36 for i in range(4, 400, 20)})  # the organisations with overdue cases

    def page(view):
        orgs = late_orgs if view == "overdue" else ORGS
        return lambda: services.workbench_page(staff(orgs), services.WorkbenchFilters(view=view), limit=50)

    def count(view):
        orgs = late_orgs if view == "overdue" else ORGS
        return lambda: services.workbench_count(staff(orgs), services.WorkbenchFilters(view=view))

    sample = services.workbench_page(staff(), services.WorkbenchFilters(view="mine"), limit=50)
    late = services.workbench_page(staff(late_orgs), services.WorkbenchFilters(view="overdue"), limit=50)
    print(f"database: {connection.vendor}, cases: {Case.objects.count():,} across {DEFINITIONS} definitions, "
          f"repeats: {args.repeat}; one organisation's tasks ≈ {sample.count:,}, overdue ≈ {late.count:,}")
    f50, f95 = timeit(floor, args.repeat)
    print(f"{'floor: SELECT 1 round trip':52s} p50 {f50:7.2f} ms  p95 {f95:7.2f} ms")
    for view, title in (("mine", "my tasks"), ("overdue", "overdue")):
        p50, p95 = timeit(page(view), args.repeat)
        c50, c95 = timeit(count(view), args.repeat)
        verdict = "meets" if p95 < 50 else "MISSES"
        print(f"{'workbench ' + title + ' (50 rows + count)':52s} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  "
              f"({verdict} the 50 ms goal)")
        print(f"{'  peer: plain indexed COUNT(*) of the same rows':52s} p50 {c50:7.2f} ms  p95 {c95:7.2f} ms  "
              f"(page/count {p95 / max(c95, 1e-6):.1f}×)")


if __name__ == "__main__":
    main()
