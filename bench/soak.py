"""Soak: 20 clients against the production server (``smartcounty serve``) for 10 minutes; handles and memory flat.

    .venv/bin/python bench/soak.py [--seconds 600] [--clients 20] [--engine sqlite|postgres] [--no-background]
                                   [--workers 1] [--nofile 1024] [--tracemalloc]

A fresh database with the Guan County demo (and three hours of simulated history), the server on a free loopback
port: its supervisor, gunicorn's master and web worker(s), and the background worker (the simulator off), under
an open-file limit if ``--nofile`` is given. Each client makes one request per new TCP connection, in a mix of
what the platform serves: the portal and places pages, the catalog API, the latest sensor values, an ingest batch
of 20 observations, CKAN ``package_search`` and the cockpit's live update (an administrator's token and session).
After a warm-up (caches, templates, jieba's dictionary), the open file handles of all the server's processes
(``/proc/<pid>/fd``; those on the SQLite database and its WAL apart) and their resident memory are sampled every
few seconds; printed at the start, the middle and the end, then after 10 s idle, with requests/s, errors by kind,
and end/start ratios (goal: within 10 %).
"""

import argparse
import http.client
import itertools
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sensing_common import ROOT, fresh_database, rss_mb, tree  # noqa: E402

SETUP = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from smartcounty.foundation.accounts.services import issue_token
from smartcounty.foundation.sensing import services
user = get_user_model().objects.create_user("soak-admin", role="platform_admin", kind="staff")
_, token = issue_token(user, "soak", ["catalog", "sensing", "cockpit"])
thing = services.create_thing("soak-1", "soak", lon=115.5, lat=36.5, kind="bench", town_code="371525001")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
ds = services.create_datastream(thing, "temperature", expected_interval_s=60)
print("SETUP", token, ds.id, session.session_key)
"""


def sc(env, *args, timeout=900):
    done = subprocess.run([sys.executable, "-m", "smartcounty.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        sys.exit(f"smartcounty {args[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def handles(pid: int) -> tuple[int, int]:
    """Open file handles of the server's processes: all of them, and those on the SQLite database (-wal, -shm)."""
    total = on_db = 0
    for p in tree(pid):
        try:
            fds = os.listdir(f"/proc/{p}/fd")
        except OSError:
            continue
        for fd in fds:
            total += 1
            try:
                on_db += "smartcounty.sqlite3" in os.readlink(f"/proc/{p}/fd/{fd}")
            except OSError:
                pass
    return total, on_db


class Load:
    """The clients: each request on a connection of its own, answered, closed."""

    def __init__(self, port: int, token: str, datastream: int, session: str):
        self.port, self.token, self.datastream = port, token, datastream
        self.done = Counter()
        self.errors = Counter()
        self.stop = threading.Event()
        self.paused = threading.Event()  # clients wait while it is set (a quiet moment for a memory snapshot)
        self.clock = itertools.count()
        self.base_ms = int(time.time() * 1000) - 86_400_000  # ingest fills the past day, a second apart
        auth = {"Authorization": f"Bearer {token}"}
        self.mix = [  # (kind, method, path, headers, body or None: a new ingest batch)
            ("portal", "GET", "/portal/", {}, ""),
            ("places page", "GET", "/places/", {}, ""),
            ("catalog api", "GET", "/api/v1/catalog/resources?limit=20", auth, ""),
            ("sensing latest", "GET", "/api/v1/sensing/datastreams?limit=50", auth, ""),
            ("ingest batch", "POST", "/api/v1/sensing/observations", auth, None),
            ("ckan package_search", "GET", "/api/3/action/package_search?rows=10", {}, ""),
            ("cockpit live", "GET", "/api/v1/cockpit/live", {"Cookie": f"sessionid={session}"}, ""),
        ]

    def batch(self) -> str:
        first = next(self.clock) * 20
        return json.dumps([{"datastream": self.datastream, "phenomenonTime": self.base_ms + (first + k) * 1000,
                            "result": round(20 + (first + k) % 50 * 0.1, 1)} for k in range(20)])

    def request(self, kind, method, path, headers, body) -> None:
        if body is None:
            body = self.batch()
            headers = {**headers, "Content-Type": "application/json"}
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            response.read()
            if 200 <= response.status < 300:
                self.done[kind] += 1
            else:
                self.errors[f"{kind}: HTTP {response.status}"] += 1
        except OSError as e:
            self.errors[f"{kind}: {type(e).__name__}"] += 1
        finally:
            conn.close()

    def client(self, offset: int) -> None:
        for i in itertools.count(offset):
            if self.stop.is_set():
                return
            while self.paused.is_set() and not self.stop.is_set():
                time.sleep(0.05)
            self.request(*self.mix[i % len(self.mix)])

    def run(self, clients: int) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.client, args=(i,), daemon=True) for i in range(clients)]
        for t in threads:
            t.start()
        return threads

    def total(self) -> int:
        return sum(self.done.values()) + sum(self.errors.values())


def sample(pid: int) -> dict:
    total, on_db = handles(pid)
    return {"handles": total, "db": on_db, "rss": rss_mb(pid), "t": time.monotonic()}


def line(label: str, s: dict) -> str:
    return f"  {label:<22} {s['handles']:6d} handles ({s['db']:5d} on the database)   RSS {s['rss']:7.1f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--warmup", type=float, default=None, help="seconds of load before 'start' (default: 10%%, ≤ 30)")
    ap.add_argument("--no-background", action="store_true", help="serve without the background services")
    ap.add_argument("--nofile", type=int, default=0, help="the server's open-file limit (ulimit -n), e.g. 1024")
    ap.add_argument("--workers", type=int, default=1, help="web worker processes")
    ap.add_argument("--tracemalloc", action="store_true",
                    help="trace the web workers' allocations; compare snapshots at the start, middle and end")
    args = ap.parse_args()
    warmup = args.warmup if args.warmup is not None else min(30.0, args.seconds / 10)

    env = fresh_database(args.engine, "soak")
    env.pop("SMARTCOUNTY_EVENTS_INLINE", None)  # subscribers on their own threads, as a county runs it
    # Every client is 127.0.0.1 with one token: rate limits still count each call, but far above this load.
    env.update(SMARTCOUNTY_RATE_ANON="10000000/m", SMARTCOUNTY_RATE_TOKEN="10000000/m")
    trace_dir = None
    if args.tracemalloc:
        trace_dir = Path(env["SMARTCOUNTY_DATA_DIR"]) / "tracemalloc"
        shutil.rmtree(trace_dir, ignore_errors=True)
        env["SMARTCOUNTY_TRACEMALLOC_DIR"] = str(trace_dir)
    t0 = time.monotonic()
    sc(env, "demo")
    sc(env, "simulate", "--once", "--backfill-hours", "3")
    out = sc(env, "shell", "-c", SETUP)
    token, datastream, session = next(x.split()[1:] for x in out.splitlines() if x.startswith("SETUP "))
    print(f"{args.engine}: demo database ready in {time.monotonic() - t0:.0f} s")

    port = free_port()
    log_path = Path(env["SMARTCOUNTY_DATA_DIR"]) / "soak-server.log"
    cmd = [sys.executable, "-m", "smartcounty.cli", "serve", f"127.0.0.1:{port}", "--workers", str(args.workers)]

    def limit():
        if args.nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (args.nofile, args.nofile))

    with open(log_path, "w") as log:
        server = subprocess.Popen(cmd + (["--no-background"] if args.no_background else []), env=env, cwd=ROOT,
                                  stdout=log, stderr=subprocess.STDOUT, preexec_fn=limit)
    try:
        load = Load(port, token, int(datastream), session)
        for _ in range(600):
            try:
                load.request("healthz", "GET", "/healthz", {}, "")
                if load.done["healthz"]:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            sys.exit("the server did not start: see " + str(log_path))
        load.errors.clear()
        soak(server.pid, load, args, warmup, trace_dir)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def snapshot(trace_dir: Path | None, label: str) -> list:
    """Ask every web worker for a tracemalloc snapshot (SIGUSR2 to the worker, never to gunicorn's master) and
    load it: [(pid, label, Snapshot)]."""
    if trace_dir is None:
        return []
    import tracemalloc

    taken = []
    for pid_file in sorted(trace_dir.glob("web*.pid")):
        pid = int(pid_file.read_text())
        before = set(trace_dir.glob(f"*-{pid}-*.snap"))
        os.kill(pid, signal.SIGUSR2)
        for _ in range(600):
            new = set(trace_dir.glob(f"*-{pid}-*.snap")) - before
            if new:
                taken.append((pid, label, tracemalloc.Snapshot.load(str(new.pop()))))
                break
            time.sleep(0.1)
    return taken


def growth(snaps: list) -> None:
    """Where the traced memory grew between the start and the middle, and the middle and the end, by traceback
    (the allocating line first)."""
    by = {}
    for pid, label, snap in snaps:
        by.setdefault(pid, {})[label] = snap
    for pid, s in by.items():
        totals = {k: sum(st.size for st in v.statistics("filename")) / 1e6 for k, v in s.items()}
        print(f"  tracemalloc, worker {pid}: traced " + ", ".join(f"{k} {v:.1f} MB" for k, v in totals.items()))
        for a, b in (("start", "middle"), ("middle", "end"), ("start", "idle")):
            if a in s and b in s:
                print(f"    grew most from {a} to {b}:")
                for stat in s[b].compare_to(s[a], "traceback")[:8]:
                    frames = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in list(stat.traceback)[::-1][:5])
                    print(f"      {stat.size_diff / 1024:+9.0f} KiB {stat.count_diff:+7d} blocks  {frames}")


def soak(pid: int, load: Load, args, warmup: float, trace_dir: Path | None = None) -> None:
    idle = sample(pid)
    threads = load.run(args.clients)
    time.sleep(warmup)
    snaps = []
    if trace_dir is not None:  # the start snapshot on a quiet worker, as the idle one at the end
        load.paused.set()
        time.sleep(10)
        snaps = snapshot(trace_dir, "start")
        load.paused.clear()
    start, n_start = sample(pid), load.total()
    samples = [start]
    end_at = start["t"] + args.seconds
    middle_taken = False
    while time.monotonic() < end_at:
        time.sleep(min(5.0, max(0.0, end_at - time.monotonic())))
        samples.append(sample(pid))
        if not middle_taken and samples[-1]["t"] >= start["t"] + args.seconds / 2:
            snaps += snapshot(trace_dir, "middle")
            middle_taken = True
    snaps += snapshot(trace_dir, "end")
    n_end = load.total()
    load.stop.set()
    for t in threads:
        t.join(timeout=70)
    end = samples[-1]
    middle = min(samples, key=lambda s: abs(s["t"] - (start["t"] + args.seconds / 2)))
    time.sleep(10)
    after = sample(pid)
    snaps += snapshot(trace_dir, "idle")  # no request in flight: what stays

    rate = (n_end - n_start) / (end["t"] - start["t"])
    print(f"soak: {args.clients} clients, one request per connection, {args.seconds:.0f} s after {warmup:.0f} s "
          f"warm-up ({args.engine}, {args.workers} web worker(s), {len(tree(pid))} server processes, "
          f"open-file limit {args.nofile or 'default'}, load average {os.getloadavg()[0]:.2f})")
    print(line("before any load", idle))
    print(line("start (after warm-up)", start))
    print(line("middle", middle))
    print(line("end", end))
    print(line("after 10 s idle", after))
    print(f"  highest sample         {max(s['handles'] for s in samples):6d} handles"
          f"{'':23}RSS {max(s['rss'] for s in samples):7.1f} MB")
    print(f"  end / start            handles {end['handles'] / start['handles']:.2f}, RSS {end['rss'] / start['rss']:.2f}"
          "   (goal: both within 1.10)")
    print(f"  {rate:,.0f} requests/s, {sum(load.done.values()):,} answered 2xx, "
          f"{sum(load.errors.values()):,} errors")
    for kind, n in sorted(load.done.items()):
        print(f"    {kind:<22} {n:8,d}")
    for err, n in load.errors.most_common():
        print(f"    error: {err:<40} {n:8,d}")
    growth(snaps)


if __name__ == "__main__":
    main()
