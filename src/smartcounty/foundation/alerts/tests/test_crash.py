"""A server killed (SIGKILL) after acknowledging a reading over a rule's threshold, before its rule engine ran:
the alert is raised when it restarts, exactly once (and not again after a second restart); back live, the
subscribers' cursors move past what they handle.

A real ``smartcounty serve`` on a free loopback port with its own SQLite in a temporary data dir, events NOT
inline. The window between the acknowledgement and the subscriber is made deterministic with the test-only
``SMARTCOUNTY_EVENTS_DELAY_S``: the server's background subscribers wait that long before each durable event,
so the kill always lands while the engine has not run yet.
"""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime

import pytest

pytestmark = [pytest.mark.slow]

SETUP = """
import json
from django.contrib.auth import get_user_model
from smartcounty.foundation.accounts.services import issue_token
from smartcounty.foundation.sensing import services
services.sync_observed_properties()
user = get_user_model().objects.create_user("crash-admin", role="platform_admin", kind="staff")
_, token = issue_token(user, "crash", ["sensing", "alerts"])
thing = services.create_thing("crash-1", "crash gauge", lon=115.4, lat=36.5, kind="bench", town_code="371525001")
ds = services.create_datastream(thing, "temperature", expected_interval_s=60)
print(json.dumps({"token": token, "datastream": ds.id}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir, **extra) -> dict:
    env = dict(os.environ, SMARTCOUNTY_DATA_DIR=str(data_dir), SMARTCOUNTY_SIMULATE="0",
               DJANGO_SETTINGS_MODULE="smartcounty.settings", **extra)
    for key in ("DATABASE_URL", "SMARTCOUNTY_EVENTS_INLINE", "SMARTCOUNTY_EVENTS_DELAY_S"):
        if key not in extra:
            env.pop(key, None)
    return env


def _cli(env, *args) -> str:
    return subprocess.run([sys.executable, "-m", "smartcounty.cli", *args], env=env, check=True, timeout=300,
                          capture_output=True, text=True).stdout


class Server:
    def __init__(self, env, port):
        self.port = port
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "smartcounty.cli", "serve", f"127.0.0.1:{port}", "--no-background"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.proc.kill()
                    raise AssertionError("the server did not start") from None
                time.sleep(0.1)

    def call(self, method, path, token, body=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")

    def kill(self):
        self.proc.kill()  # SIGKILL: no atexit, no flush, no queue drained
        self.proc.wait(30)


def _alerts(db, rule_id):
    with sqlite3.connect(db) as c:
        alerts = c.execute("SELECT id FROM alerts_alert WHERE rule_id = ?", [rule_id]).fetchall()
        raised = c.execute("SELECT COUNT(*) FROM alerts_alertevent e JOIN alerts_alert a ON a.id = e.alert_id "
                           "WHERE a.rule_id = ? AND e.kind = 'raised'", [rule_id]).fetchone()[0]
    return len(alerts), raised


def _behind(db) -> int:
    """Outbox rows kept: a row goes once every subscriber's saved cursor has passed it."""
    with sqlite3.connect(db) as c:
        return c.execute("SELECT COUNT(*) FROM kernel_outboxevent").fetchone()[0]


def test_an_acknowledged_reading_over_a_threshold_raises_its_alert_once_after_a_crash(tmp_path):
    env = _env(tmp_path)
    _cli(env, "migrate", "--noinput", "-v", "0")
    made = json.loads(_cli(env, "shell", "-c", SETUP).strip().splitlines()[-1])
    token, ds = made["token"], made["datastream"]
    db = tmp_path / "smartcounty.sqlite3"

    server = Server(_env(tmp_path, SMARTCOUNTY_EVENTS_DELAY_S="600"), _free_port())
    try:
        status, rule = server.call("POST", "/api/v1/alerts/rules", token, {
            "name": "too hot", "kind": "threshold", "property": "temperature", "scope": "county", "level": 3,
            "params": {"op": "above", "value": 40}})
        assert status == 201
        now_ms = int(datetime.now(UTC).timestamp() * 1000)
        status, result = server.call("POST", "/api/v1/sensing/observations", token,
                                     [{"datastream": ds, "phenomenonTime": now_ms, "result": 48.5}])
        assert status in (200, 201) and result["created"] == 1  # stored and acknowledged
    finally:
        server.kill()  # the rule engine is still waiting to run
    assert _alerts(db, rule["id"]) == (0, 0)

    server = Server(_env(tmp_path), _free_port())  # replays before it serves
    try:
        assert _alerts(db, rule["id"]) == (1, 1)
        # Live again: a later reading over the threshold keeps the one open alert, and the cursors move past it.
        status, _ = server.call("POST", "/api/v1/sensing/observations", token,
                                [{"datastream": ds, "phenomenonTime": now_ms + 60_000, "result": 49.0}])
        assert status in (200, 201)
        deadline = time.monotonic() + 60
        while _behind(db) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _behind(db)
    finally:
        server.kill()
    server = Server(_env(tmp_path), _free_port())  # a second restart: nothing to replay
    try:
        assert _alerts(db, rule["id"]) == (1, 1)
    finally:
        server.kill()
