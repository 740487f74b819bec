"""The daily statistics rollup gives the same statistics as the raw query over the cases table, after a
seeded random history of creations, transitions (assignments, send-backs, closes, reopens, evaluations,
pauses) and escalation sweeps; for whole-day periods (read from the rollup) and periods with partial days."""

import random
from datetime import timedelta

import pytest
from django.core.management import call_command

from smartcounty.foundation.cases import rollup, services
from smartcounty.foundation.cases.models import Case, DailyStat
from smartcounty.foundation.cases.tests.conftest import bj
from smartcounty.kernel.problems import ApiError

pytestmark = pytest.mark.django_db(transaction=False)


def _history(w, rng, steps=220):
    users = [w.centre_staff, w.dept_staff, w.other_staff, w.resident]
    orgs = [w.dept.pk, w.other.pk, w.centre.pk]
    t = bj(2026, 11, 1, 6, 0)
    cases = []
    for _ in range(steps):
        t += timedelta(minutes=rng.randrange(0, 300))
        r = rng.random()
        if r < 0.3 or not cases:
            kw = {"organisation_id": rng.choice(orgs)} if rng.random() < 0.3 else {}
            cases.append(services.create_case(
                "cases.test", title="井盖缺失", category=rng.choice(["road", "light"]), reporter=w.resident,
                now=t, grid_code=rng.choice(["", "37152500100101", "37152500100102"]),
                town_code=rng.choice(["371525001", "371525002"]), **kw).pk)
        elif r < 0.35:
            services.sweep(now=t)
        else:
            case = Case.objects.get(pk=rng.choice(cases))
            options = [(u, tr) for u in users for tr in services.allowed_transitions(case, u)]
            if not options:
                continue
            user, tr = rng.choice(options)
            try:
                services.transition(case.pk, tr.key, actor=user, now=t, note="说明",
                                    data={"organisation_id": rng.choice(orgs), "result": "已处理",
                                          "rating": rng.randrange(1, 6)})
            except ApiError as e:
                assert e.status == 409  # a reopen after the reopening period
    return t


def _sorted(rows):
    return sorted(rows, key=lambda r: r["key"])


def _periods(rng, end):
    days = (end.date() - bj(2026, 11, 1).date()).days + 2
    out = [(None, None), (bj(2026, 11, 3), None), (None, bj(2026, 11, 5))]
    for _ in range(6):
        a = rng.randrange(0, days)
        b = rng.randrange(a + 1, days + 1)
        out.append((bj(2026, 11, 1) + timedelta(days=a), bj(2026, 11, 1) + timedelta(days=b)))  # whole days
        lo = bj(2026, 11, 1) + timedelta(minutes=rng.randrange(0, days * 1440))
        out.append((lo, lo + timedelta(minutes=rng.randrange(1, 4 * 1440))))  # partial days at both ends
        out.append((lo, None))
        out.append((None, lo))
    out.append((bj(2026, 11, 2, 3, 0), bj(2026, 11, 2, 20, 0)))  # within one day
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollup_statistics_equal_raw_statistics(world, seed):
    rng = random.Random(seed)
    end = _history(world, rng)
    filters = [{}, {"case_type": "cases.test"}, {"organisation_id": world.dept.pk}, {"town_code": "371525001"},
               {"grid_code": "37152500100101", "case_type": "cases.test"}]
    compared = 0
    for since, until in _periods(rng, end):
        for by in services.GROUPS:
            for f in filters:
                fast = services.statistics(by, since=since, until=until, **f)
                raw = services.raw_statistics(by, since=since, until=until, **f)
                assert _sorted(fast) == _sorted(raw), (by, since, until, f)
                compared += bool(raw)
    assert compared > 100
    # the rollup kept by the engine equals the one rebuilt from the cases table (rows of all zeros aside)
    kept = {tuple(getattr(s, f) for f in rollup.KEY + rollup.SUMS)
            for s in DailyStat.objects.all() if s.total}
    call_command("rebuild_case_stats", verbosity=0)
    rebuilt = {tuple(getattr(s, f) for f in rollup.KEY + rollup.SUMS) for s in DailyStat.objects.all()}
    assert kept == rebuilt
    assert sum(r[6] for r in rebuilt) == sum(r["total"] for r in services.raw_statistics("case_type"))


def test_rebuild_command_restores_a_lost_rollup(world):
    rng = random.Random(9)
    _history(world, rng, steps=80)
    before = services.statistics("organisation", since=bj(2026, 11, 1), until=bj(2026, 12, 1))
    assert before and before == services.statistics("organisation", since=bj(2026, 11, 1), until=bj(2026, 12, 1))
    DailyStat.objects.all().delete()
    assert services.statistics("organisation", since=bj(2026, 11, 1), until=bj(2026, 12, 1)) == []
    call_command("rebuild_case_stats", verbosity=0)
    call_command("rebuild_case_stats", verbosity=0)  # idempotent
    assert services.statistics("organisation", since=bj(2026, 11, 1), until=bj(2026, 12, 1)) == before


def test_whole_day_period_reads_the_rollup_in_one_query(world, django_assert_num_queries):
    rng = random.Random(4)
    _history(world, rng, steps=40)
    with django_assert_num_queries(1):
        services.statistics("category", since=bj(2026, 11, 1), until=bj(2026, 12, 1), case_type="cases.test")
    with django_assert_num_queries(3):  # partial days at both ends from the cases table
        services.statistics("category", since=bj(2026, 11, 1, 8), until=bj(2026, 12, 1, 8))
