"""Test-wide fixtures. Real services (PostgreSQL, Mosquitto) are used, never mocks: when one is
missing, its tests skip with the reason, except under CI=true, where that is a failure."""

import itertools
import os
import socket
import tempfile

import pytest

# Handlers of background events run inline in tests, so they see the test's own transaction
# (the environment variable reaches servers that tests start as subprocesses too).
os.environ.setdefault("SMARTCOUNTY_EVENTS_INLINE", "1")
# The suite runs on kept connections (pytest-django's test databases); servers it starts set their own pool.
os.environ.setdefault("SMARTCOUNTY_DB_POOL_MAX", "0")
# The suite (and the servers it starts) calls the API far faster than any client should; the rate-limit
# tests set their own small limits (kernel/tests/test_ratelimit.py).
for _name in ("ANON", "TOKEN", "INGEST", "AUTH_FAILURES", "SIGNUP"):
    os.environ.setdefault(f"SMARTCOUNTY_RATE_{_name}", "1000000/m")

# The security module's scenarios (domains/security) see the suite's bursts of requests, 404s and attack
# payloads (stored-XSS and fuzz tests) from 127.0.0.1: their buckets are set out of reach, as the rate limits
# are; the security tests set their own small buckets. The block list is never re-read on a timer (a read
# inside a test would show in its query count); the access log goes to a temporary file.
for _name in ("SQLI", "XSS", "TRAVERSAL", "PROBE", "SCANNER", "NOT_FOUND", "SIGNIN_IP", "SIGNIN_USER", "FLOOD"):
    os.environ.setdefault(f"SMARTCOUNTY_SECURITY_{_name}", "1000000/1s")
os.environ.setdefault("SMARTCOUNTY_SECURITY_BLOCK_REFRESH_S", "0")
os.environ.setdefault("SMARTCOUNTY_SECURITY_ACCESS_LOG",
                      os.path.join(tempfile.mkdtemp(prefix="sc-access-"), "access.log"))

# Audit checkpoints name rows of one database; the test database is emptied between tests, so the
# suite (and the servers it starts) never writes them beside real data (see ``audit_checkpoints``).
os.environ.setdefault("SMARTCOUNTY_AUDIT_CHECKPOINTS", os.path.join(tempfile.mkdtemp(prefix="sc-audit-"), "cp.log"))


# Property tests check behaviour, not speed: no per-example deadline (on a loaded machine a slow example failed
# with DeadlineExceeded or Flaky); speed targets are benchmarks under bench/.
try:
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("smartcounty", deadline=None)
    _hypothesis_settings.load_profile("smartcounty")
except ImportError:  # hypothesis is a dev dependency
    pass


_audit_files = itertools.count()


@pytest.fixture(autouse=True)
def audit_checkpoints(request, tmp_path_factory):
    """Each test its own audit checkpoint file: a checkpoint of one test's rows would fail the
    next test's ``audit verify``."""
    from django.conf import settings

    old = settings.SMARTCOUNTY_AUDIT_CHECKPOINTS
    path = tmp_path_factory.getbasetemp() / "audit" / f"checkpoints-{next(_audit_files)}.log"  # made on first write
    settings.SMARTCOUNTY_AUDIT_CHECKPOINTS = str(path)
    yield path
    settings.SMARTCOUNTY_AUDIT_CHECKPOINTS = old


def pytest_configure(config):
    from django.conf import settings

    settings.SMARTCOUNTY_EVENTS_INLINE = True
    for name in ("ANON", "TOKEN", "INGEST", "AUTH_FAILURES", "SIGNUP"):
        setattr(settings, f"SMARTCOUNTY_RATE_{name}", os.environ[f"SMARTCOUNTY_RATE_{name}"])
    settings.SMARTCOUNTY_SECURITY_BUCKETS = {
        name: os.environ[f"SMARTCOUNTY_SECURITY_{name.upper()}"] for name in (
            "sqli", "xss", "traversal", "probe", "scanner", "not_found", "signin_ip", "signin_user", "flood")}
    settings.SMARTCOUNTY_SECURITY_BLOCK_REFRESH_S = float(os.environ["SMARTCOUNTY_SECURITY_BLOCK_REFRESH_S"])
    settings.SMARTCOUNTY_SECURITY_ACCESS_LOG = os.environ["SMARTCOUNTY_SECURITY_ACCESS_LOG"]


def service_available(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    if service_available(host, port):
        return
    reason = f"{name} is not reachable at {host}:{port}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
    pytest.skip(reason)


@pytest.fixture
def mqtt_broker():
    host = os.environ.get("SMARTCOUNTY_MQTT_HOST", "127.0.0.1")
    port = int(os.environ.get("SMARTCOUNTY_MQTT_PORT", "1883"))
    require_service("Mosquitto MQTT broker", host, port)
    return host, port


@pytest.fixture
def postgres_db(settings):
    """For tests that only make sense on PostgreSQL (the suite itself also runs whole on PostgreSQL)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "127.0.0.1", 5432)
        pytest.skip("this run uses SQLite; the PostgreSQL run (DATABASE_URL) covers this test")
    return connection


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One line at the end naming every suite that was skipped and why (outside CI; under CI=true a
    missing service or browser is a failure, not a skip). A suite is a test folder (``tests/browser``,
    ``src/smartcounty/foundation/sensing/tests``...)."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    suites: dict[str, dict[str, int]] = {}
    for report in skipped:
        path = report.nodeid.split("::", 1)[0]
        suite = path.rsplit("/", 1)[0] if "/" in path else path
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        suites.setdefault(suite, {}).setdefault(reason, 0)
        suites[suite][reason] += 1
    parts = []
    for suite, reasons in sorted(suites.items()):
        why = "; ".join(f"{reason} ({n})" for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
        parts.append(f"{suite}: {why}")
    terminalreporter.write_line("SKIPPED SUITES: " + " | ".join(parts), yellow=True, bold=True)
