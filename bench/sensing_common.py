"""Shared set-up for the sensing benchmarks: a private data dir / database per engine, a server process."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("SENSING_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def env_for(engine: str, name: str) -> dict:
    env = dict(os.environ, SMARTCOUNTY_DATA_DIR=f"/tmp/sc-bench-{name}-{engine}", SMARTCOUNTY_SIMULATE="0",
               DJANGO_SETTINGS_MODULE="smartcounty.settings")
    env.pop("DATABASE_URL", None)
    if engine == "postgres":
        env["DATABASE_URL"] = f"{PG_BASE}/sc_bench_{name}"
    return env


def fresh_database(engine: str, name: str) -> dict:
    """Drop and re-create the benchmark database, migrate it; return the environment to use it."""
    env = env_for(engine, name)
    if engine == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS sc_bench_{name} WITH (FORCE)")
            c.execute(f"CREATE DATABASE sc_bench_{name}")
    else:
        data = Path(env["SMARTCOUNTY_DATA_DIR"])
        data.mkdir(parents=True, exist_ok=True)
        for f in data.glob("smartcounty.sqlite3*"):
            f.unlink()
    subprocess.run([sys.executable, "-m", "smartcounty.cli", "migrate", "--noinput", "-v", "0"], env=env, check=True)
    return env


def run_child(script: str, engine: str, name: str, *args) -> None:
    env = fresh_database(engine, name)
    subprocess.run([sys.executable, script, "--child", engine, *args], env=env, check=True)


def start_server(env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "smartcounty.cli", "serve", f"127.0.0.1:{port}", "--no-background"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def tree(pid: int) -> list[int]:
    """A server and every process under it (the production server is a supervisor, gunicorn's master, its
    web workers and a background worker)."""
    from smartcounty.kernel.server import descendants

    return [pid, *descendants(pid)]


def rss_mb(pid: int) -> float:
    """Resident set size of a server: the process and every process under it."""
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024
