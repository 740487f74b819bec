"""Automatic steps: a transition with a ``timer`` is taken by the system once the case has been in its source
state that long (and the step's guard holds). ``run_timers`` runs each minute in the worker (``cases.timers``)."""

import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from smartcounty.foundation.cases import engine
from smartcounty.foundation.cases.models import Case
from smartcounty.foundation.cases.workflow import guards
from smartcounty.kernel.problems import ApiError

log = logging.getLogger("smartcounty.cases")
BATCH = 500


def _due(case, t, cal):
    return engine._after(cal, case.state_entered_at, engine._seconds(t.timer), engine._natural(t.timer))


def run_timers(now=None) -> dict:
    """Take every automatic step that is due at ``now``; returns how many were taken and how many waited on."""
    now = now or timezone.now()
    cal = engine.calendar()
    taken = waiting = 0
    for case_id in list(Case.objects.filter(timer_at__lte=now).order_by("timer_at", "id")
                        .values_list("id", flat=True)[:BATCH]):
        case = Case.objects.get(pk=case_id)
        ct = engine.type_of(case)
        timed = sorted((t for t in ct.transitions if t.timer is not None and case.state in t.source),
                       key=lambda t: _due(case, t, cal))
        ready = [t for t in timed if _due(case, t, cal) <= now and guards.holds(t.guard, case.data, case.category)]
        if ready:
            try:
                engine.transition(case.pk, ready[0].key, actor=None, system=True, now=now,
                                  note=_("Taken automatically when its time limit passed."))
                taken += 1
                continue
            except ApiError:
                log.exception("automatic step %s of case %s failed", ready[0].key, case.number)
        later = [_due(case, t, cal) for t in timed if _due(case, t, cal) > now]
        Case.objects.filter(pk=case.pk).update(timer_at=min(later) if later else None)
        waiting += 1
    return {"taken": taken, "waiting": waiting}


def timer_runner(stop) -> None:
    """Background service: take due automatic steps once a minute until ``stop`` is set."""
    from django.db import close_old_connections

    while not stop.is_set():
        try:
            close_old_connections()
            run_timers()
        except Exception:
            log.exception("automatic steps failed")
        stop.wait(60)
