"""Benchmark (issue 13): applications taken in at the window per second, each with three materials' metadata,
the case (history row, rollup, clock), the audit rows and the events on, as in production. Goal >= 200/s on
SQLite and on PostgreSQL.

Beside it, in the same run: the workflow engine's own floor (``cases.create_case`` of the same type, no
application row, no materials) and the bare ORM floor (one application row and three material rows inserted
in one transaction, nothing else).

Run: .venv/bin/python bench/services_submit.py [--n 1000] [--database sqlite|postgres]
"""

import argparse
import time

from services_common import setup

ITEM = "城乡居民基本养老保险参保登记"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = ap.parse_args()
    vendor = setup(args.database)
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from smartcounty.domains.services import services
    from smartcounty.domains.services.models import Application, Material, ServiceItem, SubmittedMaterial
    from smartcounty.foundation.accounts import services as accounts
    from smartcounty.foundation.cases import services as cases

    clerk = get_user_model().objects.create_user(username="bench-window", password="Bench-2026-pass!", role="staff",
                                                 organisation_id=accounts.organisation("approval").id, kind="staff")
    item = ServiceItem.objects.get(name=ITEM)
    mats = list(Material.objects.filter(item=item).values_list("id", flat=True))
    assert len(mats) == 3

    def submit(i):
        return services.submit(clerk, item.code, channel="window", applicant_name=f"申请人{i}",
                               applicant_phone="13905351234", window="综合受理1号窗口",
                               materials=[{"material_id": m, "file_name": f"{i}-{m}.pdf", "size": 120_000 + m,
                                           "sha256": f"{i:032x}{m:032x}"} for m in mats])

    for i in range(10):  # warm-up (URL conf, compiled types, caches), uncounted
        submit(-i)
    t0 = time.perf_counter()
    for i in range(args.n):
        submit(i)
    full = args.n / (time.perf_counter() - t0)

    t0 = time.perf_counter()
    for i in range(args.n):
        cases.create_case("services.application", title=f"引擎{i}", category=item.code, source="window",
                          organisation_id=item.organisation_id, actor=clerk)
    engine = args.n / (time.perf_counter() - t0)

    t0 = time.perf_counter()
    now = timezone.now()
    for i in range(args.n):
        with transaction.atomic():
            app = Application.objects.create(item=item, applicant_name=f"裸{i}", channel="window", created_at=now,
                                             organisation_id=item.organisation_id)
            SubmittedMaterial.objects.bulk_create([SubmittedMaterial(application=app, material_id=m, name="x",
                                                                     source="upload", supplied_at=now)
                                                   for m in mats])
    bare = args.n / (time.perf_counter() - t0)
    print(f"services window submissions, {vendor}, {args.n} applications with 3 materials each")
    print(f"  services.submit (case, history, audit, events, materials): {full:.0f}/s  (goal >= 200/s)")
    print(f"  cases.create_case alone (engine floor): {engine:.0f}/s")
    print(f"  bare ORM insert (1 application + 3 material rows): {bare:.0f}/s")


if __name__ == "__main__":
    main()
