"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against a server the tests start.

The server is the real thing (``smartcounty serve --no-background``) on a free port, with its own data
directory and SQLite database, migrated and loaded with the Guan County demo. Screenshots go to
``artifacts/screenshots/`` at the repository root (kept by CI as artifacts).

Without Chromium the tests skip with the reason, except under CI=true, where that is a failure.
``playwright install`` is never used: the browser is the distribution's.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("SMARTCOUNTY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage", "--no-first-run"]
PASSWORD = "Guanxian-2026!"
#: Users the tests sign in as (created by the fixture; the demo's own users may exist beside them).
STAFF, DISPATCHER, RESIDENT = "browser-staff", "browser-admin", "browser-resident"
ON_CI = os.environ.get("CI", "").lower() == "true"


def _need_chromium():
    problem = None
    if not Path(CHROMIUM).exists():
        problem = f"Chromium is not installed at {CHROMIUM} (Debian package chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright Python package is not installed (pip install -e '.[dev]')"
    if problem:
        if ON_CI:
            pytest.fail(f"{problem} (CI=true: a missing browser is a failure)")
        pytest.skip(problem)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sc(args, env, **kw):
    exe = Path(sys.executable).with_name("smartcounty")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "smartcounty.cli"]
    return subprocess.run(cmd + args, env=env, cwd=ROOT, capture_output=True, text=True, **kw)


SETUP_USERS = f"""
from django.contrib.auth import get_user_model
from django.apps import apps
User = get_user_model()
Organisation = apps.get_model("accounts", "Organisation")
org, _ = Organisation.objects.get_or_create(code="browser-test-org", defaults={{"name": "浏览器测试单位"}})
for name, role, o, superuser in (("{STAFF}", "staff", org, False), ("{DISPATCHER}", "platform_admin", None, True),
                                 ("{RESIDENT}", "resident", None, False)):
    if not User.objects.filter(username=name).exists():
        u = User(username=name, role=role, organisation=o, kind="resident" if role == "resident" else "staff",
                 display_name=name, is_superuser=superuser, is_staff=superuser)
        u.set_password("{PASSWORD}")
        u.save()
"""


def _fresh_postgres(url: str) -> str:
    """A new, empty database beside the one the suite uses (``<name>_browser``): the server's own."""
    import psycopg

    base, _, name = url.rpartition("/")
    name = (name.split("?")[0] or "smartcounty") + "_browser"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def server_env():
    """Environment of the test server: its own data directory and database (SQLite; or, when the suite
    runs on PostgreSQL, a fresh PostgreSQL database of its own, so the pages are tested on both)."""
    _need_chromium()
    data_dir = Path(tempfile.mkdtemp(prefix="sc-browser-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    # Text messages (sign-up codes) go to <data dir>/sms-outbox.jsonl, where a test reads them (``last_text``).
    env.update(SMARTCOUNTY_DATA_DIR=str(data_dir), SMARTCOUNTY_SIMULATE="0", PYTHONUNBUFFERED="1",
               SMARTCOUNTY_SMS_BACKEND="file")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        env["DATABASE_URL"] = _fresh_postgres(url)
    yield env
    shutil.rmtree(data_dir, ignore_errors=True)


def last_text(env, phone: str) -> str:
    """The last text message the test server sent to ``phone`` (the ``file`` SMS backend)."""
    import json

    path = Path(env["SMARTCOUNTY_DATA_DIR"]) / "sms-outbox.jsonl"
    texts = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    return [t["text"] for t in texts if t["phone"] == phone][-1]


def run_shell(env, code: str) -> str:
    """Run Python code in the server's environment (``smartcounty shell -c``); its stdout."""
    done = _sc(["shell", "-c", code], env, timeout=300)
    if done.returncode != 0:
        pytest.fail(f"smartcounty shell failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


@pytest.fixture(scope="session")
def server(server_env):
    """Base URL of a running server with the demo loaded; stopped after the session."""
    env = server_env
    data_dir = Path(env["SMARTCOUNTY_DATA_DIR"])
    # Live demo data: the demo, then three hours of simulated sensor history and one live step.
    for step in (["migrate", "--noinput"], ["demo"], ["simulate", "--once", "--backfill-hours", "3"],
                 ["shell", "-c", SETUP_USERS]):
        done = _sc(step, env, timeout=600)
        if done.returncode != 0:
            pytest.fail(f"smartcounty {' '.join(step[:1])} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    port = _free_port()
    exe = Path(sys.executable).with_name("smartcounty")
    log = open(data_dir / "server.log", "w")
    proc = subprocess.Popen([str(exe), "serve", f"127.0.0.1:{port}", "--no-background"], env=env, cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the server did not start:\n" + (data_dir / "server.log").read_text()[-3000:])
        time.sleep(0.3)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an event loop running in this thread while the browser
    # is open, and Django refuses ORM calls from a thread with a running loop in tests that follow.
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watch:
    """Console errors, page errors and failed requests of one page."""

    def __init__(self, page, base):
        self.errors: list[str] = []
        self.base = base
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}"))
        page.on("request", lambda r: not r.url.startswith((base, "data:", "blob:", "about:"))
                and self.errors.append(f"external request: {r.url}"))

    def _failed(self, request):
        failure = request.failure or ""
        # A poll cut short by navigating away is not a failure of the page.
        if "ERR_ABORTED" in failure and request.resource_type in ("fetch", "xhr", "eventsource"):
            return
        self.errors.append(f"request failed: {request.url} {failure}")


@pytest.fixture
def new_page(browser, server):
    contexts = []

    def make(width=1920, height=1080, *, user=None, lang="zh-CN"):
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale=lang,
                                  extra_http_headers={"Accept-Language": lang})
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(15000)
        watch = Watch(page, server)
        if user:
            sign_in(page, server, user)
            watch.errors.clear()  # the sign-in page is another module's: judge only the pages under test
        return page, watch

    yield make
    for c in contexts:
        c.close()


def sign_in(page, base, username, password=PASSWORD):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) [type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"sign-in as {username} failed"


def screenshot(page, name, *, full_page=False):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
