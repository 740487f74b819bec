import http.client
import json
import os
import socket
import subprocess
import sys
import time

import pytest

from smartcounty.kernel import server

# -- the server's web worker keeps what its threads open bounded ----------------------------------------------

SETUP = """
from django.contrib.auth import get_user_model
from smartcounty.foundation.accounts.services import issue_token
from smartcounty.foundation.sensing import services
services.sync_observed_properties()
user = get_user_model().objects.create_user("serve-test", role="platform_admin", kind="staff")
_, token = issue_token(user, "serve-test", ["sensing"])
thing = services.create_thing("serve-test", "serve test", lon=115.5, lat=36.5, kind="test", town_code="371525001")
print("SETUP", token, services.create_datastream(thing, "temperature", expected_interval_s=60).id)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _open_handles(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


POOL_MAX = 8


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_env(request, tmp_path):
    """The server's database: a fresh SQLite file, or (in the PostgreSQL run) a fresh PostgreSQL database with the
    connection pool at ``POOL_MAX``."""
    url = os.environ.get("DATABASE_URL", "")
    if request.param == "sqlite":
        yield {}
        return
    if not url.startswith("postgres"):
        pytest.skip("this run uses SQLite; the PostgreSQL run (DATABASE_URL) covers this test")
    import uuid

    import psycopg

    admin_url, name = url.rsplit("/", 1)[0] + "/postgres", f"sc_serve_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield {"DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name, "SMARTCOUNTY_DB_POOL_MAX": str(POOL_MAX),
           "_admin": admin_url, "_name": name}
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def backends(engine_env) -> int:
    """PostgreSQL connections open on the server's database."""
    import psycopg

    with psycopg.connect(engine_env["_admin"], autocommit=True) as admin:
        return admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                             [engine_env["_name"]]).fetchone()[0]


@pytest.fixture
def served(tmp_path, engine_env):
    """A real ``smartcounty serve`` on a free loopback port, on a fresh SQLite database of its own. Event
    subscribers run on their background threads as in production (not inline as in the rest of the suite),
    so their long-lived connections are there beside the request threads'."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SMARTCOUNTY_EVENTS_INLINE")}
    env.update(SMARTCOUNTY_DATA_DIR=str(tmp_path), SMARTCOUNTY_SIMULATE="0", DJANGO_SETTINGS_MODULE="smartcounty.settings",
               SMARTCOUNTY_RATE_ANON="100000/m")  # 300 quick calls from one address are this test's own load
    env.update({k: v for k, v in engine_env.items() if not k.startswith("_")})
    sc = [sys.executable, "-m", "smartcounty.cli"]
    subprocess.run([*sc, "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=300)
    out = subprocess.run([*sc, "shell", "-c", SETUP], env=env, check=True, timeout=300, capture_output=True, text=True)
    token, datastream = next(line.split()[1:] for line in out.stdout.splitlines() if line.startswith("SETUP "))
    port = _free_port()
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen([*sc, "serve", f"127.0.0.1:{port}", "--no-background"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        for _ in range(600):
            if proc.poll() is not None:
                pytest.fail("the server stopped:\n" + (tmp_path / "server.log").read_text()[-3000:])
            try:
                if _request(port, "GET", "/healthz") == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start:\n" + (tmp_path / "server.log").read_text()[-3000:])
        yield proc, port, token, int(datastream), engine_env
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _request(port, method, path, body=None, token=None) -> int:
    """One request on a connection of its own (a new thread in the server), closed after the answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_the_server_closes_the_database_connections_of_each_client_connection(served):
    proc, port, token, datastream, engine_env = served
    start_ms = int(time.time() * 1000) - 3_600_000

    def one_round(i):
        assert _request(port, "GET", "/healthz") == 200
        body = json.dumps([{"datastream": datastream, "phenomenonTime": start_ms + i * 1000, "result": 20.5}])
        assert _request(port, "POST", "/api/v1/sensing/observations", body, token) == 200
        assert _request(port, "GET", "/api/3/action/package_search?rows=5") == 200

    one_round(0)  # the event subscribers' threads open their (kept) connections
    (worker,) = server.descendants(proc.pid)  # gunicorn's master forked one web worker: it answers
    start = _open_handles(worker)
    for i in range(1, 101):  # 300 short-lived client connections, each answered from the database
        one_round(i)
    # A thread closes its connections after it has sent the answer: let the last ones finish.
    for _ in range(100):
        now = _open_handles(worker)
        if now < start + 20:
            break
        time.sleep(0.05)
    assert now < start + 20, f"{now} open handles after 300 client connections, {start} before"
    assert _request(port, "GET", "/healthz") == 200
    if "_name" in engine_env:
        # 20 clients at once: on PostgreSQL the threads borrow from the process's pool, so the server holds at most
        # POOL_MAX connections however many of its threads have served.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(20) as clients:
            list(clients.map(one_round, range(101, 301)))
        assert backends(engine_env) <= POOL_MAX
