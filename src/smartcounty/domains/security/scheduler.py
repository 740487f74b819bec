"""Background service: once at start and then every ``SMARTCOUNTY_SECURITY_CERT_EVERY_S`` seconds (default six
hours) read every registered site's certificate (warning 30 and 7 days before expiry), warn of overdue 等保
assessments, and prune old security events."""

import logging

from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger("smartcounty.security")


def every() -> float:
    return max(60.0, float(getattr(settings, "SMARTCOUNTY_SECURITY_CERT_EVERY_S", 6 * 3600)))


def run_once() -> dict:
    from smartcounty.domains.security import services

    return {"sites": services.check_all_sites(), "overdue_systems": services.warn_systems(),
            "pruned": services.prune()}


def run(stop, interval: float | None = None, first_wait: float = 60.0) -> None:
    wait = first_wait  # let the web server come up first
    while not stop.wait(wait):
        wait = interval or every()
        try:
            close_old_connections()
            run_once()
        except Exception:  # pragma: no cover - logged and retried next round
            log.exception("certificate checks or assessment warnings failed")
        finally:
            close_old_connections()
