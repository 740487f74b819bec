"""Benchmark (issue 12): case transitions per second on a published workflow definition, on SQLite, with the
history row, the audit row, the rollup and the ``cases.*`` events of every step on (as in production).
Goal: >= 500 transitions/s.

Beside it, measured in the same run on the same rows: a bare ORM update of the state (one ``UPDATE`` per
row in its own transaction), the floor of any transition.

Run: .venv/bin/python bench/cases_transitions.py [--cases 300] [--rounds 4]
(a fresh SQLite database in a temporary SMARTCOUNTY_DATA_DIR; DATABASE_URL is ignored).
"""

import argparse
import os
import sys
import tempfile
import time

os.environ["SMARTCOUNTY_DATA_DIR"] = tempfile.mkdtemp(prefix="sc-transitions-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcounty.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from smartcounty.foundation.cases import services  # noqa: E402
from smartcounty.foundation.cases.models import Case  # noqa: E402  (benchmark baseline: the bare ORM update)

DEFINITION = {
    "key": "bench.loop", "title": "往返流程", "prefix": "BL", "filed_by": ["staff"],
    "legal_limit": {"amount": 20, "unit": "working_days"},
    "states": [
        {"key": "waiting", "title": "待办", "start": True, "roles": ["staff"], "limit": {"amount": 2, "unit": "hours"}},
        {"key": "working", "title": "办理中", "roles": ["staff"], "limit": {"amount": 1, "unit": "working_days"}},
        {"key": "done", "title": "办结", "terminal": True, "lane": "none"},
    ],
    "transitions": [
        {"key": "take", "title": "接办", "from": ["waiting"], "to": "working", "roles": ["staff"], "relation": "owner"},
        {"key": "hand_back", "title": "退回", "from": ["working"], "to": "waiting", "roles": ["staff"],
         "relation": "owner"},
        {"key": "finish", "title": "办结", "from": ["working"], "to": "done", "roles": ["staff"], "relation": "owner"},
    ],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=4, help="transitions per case (take / hand back, alternating)")
    args = ap.parse_args()
    call_command("migrate", verbosity=0)
    org_model = get_user_model()._meta.get_field("organisation").related_model
    org = org_model.objects.create(code="bench-centre", name="基准测试中心")
    staff = get_user_model().objects.create_user(username="bench", password="Bench-2026-pass!", role="staff",
                                                 organisation=org, kind="staff")
    services.save_workflow(DEFINITION)
    services.publish_workflow("bench.loop")
    services.configure_case_type("bench.loop", owner_organisation_id=org.pk)
    ids = [services.create_case("bench.loop", title=f"案件{i}", actor=staff).pk for i in range(args.cases)]
    # Warm up as a running server is: a few transitions first, uncounted (the first ones load the URL conf
    # and every module's views, over a second; that is start-up, not a transition).
    for pk in [services.create_case("bench.loop", title="预热", actor=staff).pk for _ in range(5)]:
        services.transition(pk, "take", actor=staff, note="")
        services.transition(pk, "hand_back", actor=staff, note="")

    steps = ("take", "hand_back")
    t0 = time.perf_counter()
    for r in range(args.rounds):
        for pk in ids:
            services.transition(pk, steps[r % 2], actor=staff, note="")
    engine_s = time.perf_counter() - t0
    n = args.rounds * len(ids)

    states = ("working", "waiting")
    t0 = time.perf_counter()
    for r in range(args.rounds):
        for pk in ids:
            with transaction.atomic():
                Case.objects.filter(pk=pk).update(state=states[r % 2], updated_at=timezone.now())
    bare_s = time.perf_counter() - t0

    print(f"cases {len(ids)}, transitions {n} (SQLite, history + audit + rollup + events)")
    print(f"engine transitions: {n / engine_s:8.0f} /s  ({engine_s * 1000 / n:.2f} ms each)  goal >= 500/s")
    print(f"bare ORM update   : {n / bare_s:8.0f} /s  ({bare_s * 1000 / n:.2f} ms each)")
    return 0 if n / engine_s >= 500 else 1


if __name__ == "__main__":
    sys.exit(main())
