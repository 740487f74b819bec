"""The production server behind ``smartcounty serve``: gunicorn's threaded workers serving the platform, and
a small supervisor that runs them beside one ``smartcounty worker`` process for the background services.

Web workers (gunicorn ``gthread``: a pool of threads per process, keep-alive connections parked in a poller, so
a thread is only taken while a request is answered; a live feed (server-sent events) holds one for its length).
Each worker process has a *slot* (0, 1, ... the lowest one no living worker holds: a worker that died is
replaced in its slot) and its own outbox lane ``<SMARTCOUNTY_EVENTS_LANE>:web<slot>`` (kernel.outbox): what a
worker acknowledged and had not handled when it was killed is handled by the worker that takes its slot,
before that one serves. A worker whose master dies (SIGKILL) dies with it: nothing keeps serving unseen.

The supervisor (``serve`` without ``--no-background``) starts gunicorn's master and one ``smartcounty worker``
(the simulator, MQTT ingest, schedulers, sweepers: ``registry.background``), restarts the worker when it
stops, and passes signals on: SIGTERM/SIGINT stop both gracefully, SIGHUP reloads the web workers one by one
(gunicorn's graceful reload: new workers start, old ones finish their requests) and restarts the background
worker. Everything it starts dies with it (SIGKILL included).
"""

import ctypes
import signal
import subprocess
import sys
import time

from gunicorn.app.base import BaseApplication

PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Linux: have the kernel send ``sig`` to this process when its parent dies (a no-op elsewhere)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _pre_fork(server, worker):
    taken = {getattr(w, "slot", None) for w in server.WORKERS.values()}
    worker.slot = next(i for i in range(len(taken) + 1) if i not in taken)


def _post_fork(server, worker):
    die_with_parent()
    from smartcounty.kernel import process

    process.tune_gc()


def _child_exit(server, worker):
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def metrics_dir(data_dir, bind: str):
    """A fresh directory for the web workers' shared metrics (prometheus_client's multiprocess mode), set in the
    environment before that library is first imported (the workers import it after they fork)."""
    import os
    import shutil
    from pathlib import Path

    path = Path(data_dir) / "metrics" / bind.replace(":", "_").replace("/", "_")
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


def _post_worker_init(worker):
    from django.conf import settings

    from smartcounty.kernel import heartbeat, outbox

    heartbeat.start("web", worker.slot)
    lane = f"{settings.SMARTCOUNTY_EVENTS_LANE}:web{worker.slot}"
    replayed = outbox.start(lane)
    worker.log.info("web worker in slot %s: outbox lane %s, %s event(s) replayed", worker.slot, lane, replayed)
    if settings.SMARTCOUNTY_TRACEMALLOC_DIR:
        _trace_memory(worker, settings.SMARTCOUNTY_TRACEMALLOC_DIR)


def _trace_memory(worker, directory: str) -> None:
    """Diagnostics (``SMARTCOUNTY_TRACEMALLOC_DIR``): trace this worker's allocations; on SIGUSR2 (unused by
    gunicorn's workers; the master's SIGUSR2 is its binary upgrade, so send it to a worker only) write a
    tracemalloc snapshot to ``<dir>/web<slot>-<pid>-<n>.snap``. The worker writes ``<dir>/web<slot>.pid``."""
    import itertools
    import os
    import tracemalloc
    from pathlib import Path

    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    tracemalloc.start(int(os.environ.get("PYTHONTRACEMALLOC") or 10))
    counter = itertools.count()

    def dump(signum, frame):
        name = f"web{worker.slot}-{os.getpid()}-{next(counter)}.snap"
        tracemalloc.take_snapshot().dump(str(path / (name + ".part")))
        os.replace(path / (name + ".part"), path / name)  # whole or absent, for whoever waits for it

    signal.signal(signal.SIGUSR2, dump)
    (path / f"web{worker.slot}.pid").write_text(str(os.getpid()))


class WebApplication(BaseApplication):
    """gunicorn's arbiter in this process, serving ``smartcounty.wsgi`` with our hooks."""

    def __init__(self, bind: str, *, workers: int, threads: int, timeout: float, graceful_timeout: float,
                 max_requests: int, access_log: bool):
        self.options = {
            "bind": bind, "workers": workers, "worker_class": "gthread", "threads": threads,
            "timeout": int(timeout), "graceful_timeout": int(graceful_timeout), "keepalive": 5,
            "max_requests": max_requests, "max_requests_jitter": max_requests // 10 if max_requests else 0,
            "accesslog": "-" if access_log else None, "errorlog": "-", "loglevel": "info",
            "proc_name": "smartcounty-web", "control_socket_disable": True,
            "pre_fork": _pre_fork, "post_fork": _post_fork, "post_worker_init": _post_worker_init,
            "child_exit": _child_exit,
        }
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


def supervise(web: list[str], worker: list[str], *, graceful_timeout: float, out=sys.stdout) -> int:
    """Run the web server and the background worker (both command lines) until SIGTERM/SIGINT."""
    state = {"stop": False, "restart_worker": False}
    children: dict[str, subprocess.Popen] = {}

    def start(name, argv):
        children[name] = subprocess.Popen(argv, preexec_fn=die_with_parent)

    def on_stop(signum, frame):
        state["stop"] = True

    def on_hup(signum, frame):
        if "web" in children:
            children["web"].send_signal(signal.SIGHUP)
        state["restart_worker"] = True

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGHUP, on_hup)
    start("web", web)
    start("worker", worker)
    backoff, code = 1.0, 0
    while True:
        time.sleep(0.2)
        if state["stop"]:
            break
        if children["web"].poll() is not None:
            code = children["web"].returncode or 1
            print(f"smartcounty: the web server stopped (exit {children['web'].returncode}); stopping", file=out,
                  flush=True)
            break
        if state["restart_worker"]:
            state["restart_worker"] = False
            children["worker"].terminate()
            children["worker"].wait()
            start("worker", worker)
        elif children["worker"].poll() is not None:
            print(f"smartcounty: the background worker stopped (exit {children['worker'].returncode});"
                  f" restarting in {backoff:.0f} s", file=out, flush=True)
            until = time.monotonic() + backoff
            while time.monotonic() < until and not state["stop"]:
                time.sleep(0.1)
            backoff = min(backoff * 2, 30.0)
            if not state["stop"]:
                start("worker", worker)
        else:
            backoff = 1.0
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + graceful_timeout + 5
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return code


def cli_argv(*args: str) -> list[str]:
    """The command line that runs ``smartcounty <args>`` with this interpreter."""
    return [sys.executable, "-m", "smartcounty.cli", *args]



def descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (Linux ``/proc``), children first: a server's workers, for its tests."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop(0)
        try:
            with open(f"/proc/{parent}/task/{parent}/children") as f:
                kids = [int(k) for k in f.read().split()]
        except OSError:
            kids = []
        found += kids
        todo += kids
    return found
