"""Background service: once at start and then every ``SMARTCOUNTY_PLAN_EVERY_S`` seconds (default an hour), send
the day's reminders (临近提醒, 到期催办) and refresh every registered KPI."""

import logging
import os

from django.db import close_old_connections

log = logging.getLogger("smartcounty.plan")


def every() -> float:
    try:
        return max(60.0, float(os.environ.get("SMARTCOUNTY_PLAN_EVERY_S", "3600")))
    except ValueError:
        return 3600.0


def run_once() -> dict:
    from smartcounty.domains.plan import kpistore, work

    made = work.remind()
    values = kpistore.refresh()
    return {"reminders": made, "kpis": len(values)}


def run(stop, interval: float | None = None, first_wait: float = 30.0) -> None:
    wait = first_wait  # let the web server come up first
    while not stop.wait(wait):
        wait = interval or every()
        try:
            close_old_connections()
            run_once()
        except Exception:  # pragma: no cover - logged and retried next round
            log.exception("plan reminders or KPI refresh failed")
        finally:
            close_old_connections()
