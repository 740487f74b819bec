"""Benchmark (issue 18): refreshing every registered plan KPI on the demo county. Goal: < 1 s per refresh.

Each KPI is computed from live platform data through its module's services (cases' statistics, the
environment's daily AQI, the catalog's open data, the plan's own tasks and projects) and one value per KPI is
stored. Beside the refresh it prints, measured in the same run on the same database, the floor: a bare
``COUNT(*)`` over the plan's tasks through the ORM (what the cheapest query costs), and each KPI's own time.

Run (SQLite, default):  .venv/bin/python bench/plan_kpis.py
PostgreSQL:             DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_plan_bench .venv/bin/python bench/plan_kpis.py
Options: --repeat R (default 20), --backfill-hours H (simulated sensor history for the AQI, default 72).
The demo is loaded once into SMARTCOUNTY_DATA_DIR (default /tmp/sc-plan-bench) or the database and reused.
"""

import argparse
import os
import statistics as stats
import sys
import time

os.environ.setdefault("SMARTCOUNTY_DATA_DIR", "/tmp/sc-plan-bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcounty.settings")
os.environ.setdefault("SMARTCOUNTY_SIMULATE", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from smartcounty.domains.plan import services  # noqa: E402
from smartcounty.domains.plan.models import KpiValue, Task  # noqa: E402  (benchmark: the bare count floor)
from smartcounty.domains.plan.schemas import Reader  # noqa: E402
from smartcounty.kernel import registry  # noqa: E402


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--backfill-hours", type=int, default=72)
    args = ap.parse_args()
    os.makedirs(os.environ["SMARTCOUNTY_DATA_DIR"], exist_ok=True)
    call_command("migrate", "--noinput", verbosity=0)
    if not Task.objects.exists():
        t = time.perf_counter()
        call_command("demo", verbosity=0)
        call_command("simulate", "--once", "--backfill-hours", str(args.backfill_hours))
        print(f"demo loaded with {args.backfill_hours} h of sensor history in {time.perf_counter() - t:.1f} s")
    kpis = sorted(registry.kpis.items(), key=lambda kv: (kv[1].order, kv[0]))
    print(f"database: {connection.vendor}; {len(kpis)} KPIs registered; {Task.objects.count()} tasks; "
          f"{args.repeat} rounds")
    services.refresh_kpis()  # warm caches (the working calendar, templates of nothing) once
    floor = timed(lambda: Task.objects.count(), args.repeat)
    each = {key: timed(kpi.compute, args.repeat) for key, kpi in kpis}
    before = KpiValue.objects.count()
    refresh = timed(services.refresh_kpis, args.repeat)
    assert KpiValue.objects.count() == before + args.repeat * len(kpis)
    print(f"bare COUNT(*) of tasks       median {ms(stats.median(floor))}  max {ms(max(floor))}")
    for key, times in each.items():
        print(f"  {key:28s} median {ms(stats.median(times))}  max {ms(max(times))}")
    med, worst = stats.median(refresh), max(refresh)
    print(f"refresh of all {len(kpis)} KPIs      median {ms(med)}  max {ms(worst)}  "
          f"({med / stats.median(floor):.0f}x the bare count)  goal < 1000 ms (median): {'met' if med < 1 else 'MISSED'}")
    latest = {k.key: k.value for k in services.kpis(Reader(None, None, sees=True, manages=False))}
    print("values: " + ", ".join(f"{k}={v}" for k, v in latest.items()))
    return 0 if med < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
