"""The production server (``smartcounty serve``): gunicorn's web workers beside one background worker, graceful
reloads, workers replaced in their slot (and outbox lane), nothing left running when the server dies."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from smartcounty.kernel import server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port, path="/healthz", timeout=10) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def _alive(pid) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead too
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def _wait(what, timeout=60.0, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def start(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SMARTCOUNTY_EVENTS_INLINE")}
    env.update(SMARTCOUNTY_DATA_DIR=str(tmp_path), SMARTCOUNTY_SIMULATE="0", DJANGO_SETTINGS_MODULE="smartcounty.settings")
    subprocess.run([sys.executable, "-m", "smartcounty.cli", "migrate", "--noinput", "-v", "0"], env=env, check=True,
                   timeout=300)
    started = []

    def run(*args):
        port = _free_port()
        log = tmp_path / f"server-{port}.log"
        proc = subprocess.Popen(server.cli_argv("serve", f"127.0.0.1:{port}", *args), env=env,
                                stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
        started.append(proc)
        try:
            _wait(lambda: proc.poll() is not None or (_port_open(port) and _get(port, timeout=2) == 200), timeout=120)
        except AssertionError:
            pytest.fail("the server did not start:\n" + log.read_text()[-3000:])
        if proc.poll() is not None:
            pytest.fail("the server stopped:\n" + log.read_text()[-3000:])
        return proc, port, log

    yield run
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _port_open(port) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def test_serve_runs_web_and_background_workers_reloads_without_a_failed_request_and_stops_clean(start):
    proc, port, log = start()
    web_master, worker = server.descendants(proc.pid)[:2]
    assert "smartcounty.cli worker" in open(f"/proc/{worker}/cmdline").read().replace("\0", " ")
    assert _wait(lambda: "starting background service: cases.sweeper" in log.read_text())
    assert "development server" not in log.read_text()
    assert _wait(lambda: _get(port, "/readyz") == 200)  # the background worker's heartbeat arrived
    assert _get(port, "/portal/") == 200

    failures, done = [], threading.Event()

    def hammer():
        while not done.is_set():
            try:
                status = _get(port)
            except OSError as e:
                status = repr(e)
            if status != 200:
                failures.append(status)

    clients = [threading.Thread(target=hammer) for _ in range(4)]
    for c in clients:
        c.start()
    before = set(server.descendants(web_master))
    os.kill(proc.pid, signal.SIGHUP)  # graceful: new web workers start, old ones finish, the worker restarts
    _wait(lambda: (now := set(server.descendants(web_master))) and not (now & before))
    time.sleep(1)
    done.set()
    for c in clients:
        c.join()
    assert failures == []
    assert _wait(lambda: server.descendants(proc.pid)[1] != worker)  # a new background worker

    everything = server.descendants(proc.pid)
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    assert not [pid for pid in everything if _alive(pid)]


def test_a_killed_web_worker_is_replaced_in_its_slot_and_a_killed_server_leaves_nothing_running(start):
    proc, port, log = start("--no-background", "--workers", "2")
    workers = _wait(lambda: len(server.descendants(proc.pid)) == 2 and server.descendants(proc.pid))
    lanes = lambda: sorted(set(re.findall(r"outbox lane (\S+),", log.read_text())))  # noqa: E731
    assert _wait(lambda: lanes() == ["serve:web0", "serve:web1"])
    for _ in range(20):
        assert _get(port) == 200
    # Both workers' request figures in one scrape (prometheus_client's multiprocess mode, set up by the server).
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        text = r.read().decode()
    served = re.search(r'smartcounty_http_request_duration_seconds_count\{method="GET",route="healthz",status="2xx"\} (\S+)',
                       text)
    assert served and float(served.group(1)) >= 20, text[:2000]
    os.kill(workers[0], signal.SIGKILL)
    replaced = _wait(lambda: (now := server.descendants(proc.pid)) and len(now) == 2 and workers[0] not in now and now)
    assert _wait(lambda: log.read_text().count("outbox lane") == 3)
    assert lanes() == ["serve:web0", "serve:web1"]  # the new worker took the dead one's lane, no third lane
    assert _get(port) == 200
    proc.send_signal(signal.SIGKILL)  # the master dies: its workers with it
    proc.wait()
    assert _wait(lambda: not [pid for pid in replaced if _alive(pid)], timeout=20)
