"""OpenID Connect provider benchmark (issue 14): token endpoint (authorisation-code exchange) and userinfo
requests per second per core, against the real server, beside Keycloak's published sizing figures.

Run: ``.venv/bin/python bench/oidc_tokens.py`` (SQLite; ``--engine postgres`` for PostgreSQL).
Options: ``--requests N`` per phase (default 300), ``--clients C`` concurrent clients (default 4).

It builds a private database, registers a client, a person and that person's consent, starts
``smartcounty serve --no-background --workers 1`` on a free port and measures over HTTP, each phase after a
short warm-up:

- authorise: ``GET /o/authorize`` with a signed-in session and the consent already given (makes a code);
- code exchange: ``POST /o/token`` (``grant_type=authorization_code`` with the PKCE verifier and the client's
  secret, which is stored hashed, so every exchange verifies it), signs an ID token, audits the grant;
- userinfo: ``GET /o/userinfo`` with the access token;
- client credentials: ``POST /o/token`` (``grant_type=client_credentials``) of a machine client;
- password sign-in + code: the platform's sign-in page (argon2) then authorise and exchange, the peer of
  Keycloak's "password login".

"Per core" is requests divided by the CPU seconds the server's processes spent in the phase (read from
/proc), so it does not depend on how many cores the machine lends the server. Keycloak's figures (its
sizing guide, per vCPU): 15 password-based user logins/s, 120 client-credential grants/s.
"""

import argparse
import base64
import hashlib
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("OIDC_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
KEYCLOAK = {"password sign-in": 15, "client credentials": 120}
SECRET = "bench-client-secret-0123456789-abcdefghij"
PASSWORD = "Bench-Password-2026!"
REDIRECT = "https://rp.example.cn/callback"

SETUP = f"""
from django.apps import apps
from django.utils import timezone
User = apps.get_model("accounts", "User")
Org = apps.get_model("accounts", "Organisation")
Client = apps.get_model("accounts", "OidcClient")
Consent = apps.get_model("accounts", "OidcConsent")
org, _ = Org.objects.get_or_create(code="bench-org", defaults={{"name": "基准测试单位"}})
u = User(username="bench-person", role="staff", kind="staff", organisation=org, display_name="王芳", phone="13812345678")
u.set_password("{PASSWORD}")
u.save()
rp = Client(name="基准系统", client_type="confidential", authorization_grant_type="authorization-code",
            client_secret="{SECRET}", redirect_uris="{REDIRECT}", allowed_scopes=["openid", "profile", "organisation", "roles"])
rp.full_clean(); rp.save()
m = Client(name="基准机器", client_type="confidential", authorization_grant_type="client-credentials",
           client_secret="{SECRET}", allowed_scopes=["sensing"])
m.full_clean(); m.save()
Consent.objects.create(user=u, client=rp, scopes=["openid", "profile", "organisation", "roles"], granted_at=timezone.now())
print(rp.client_id, m.client_id)
"""


def sc(env, *args):
    done = subprocess.run([sys.executable, "-m", "smartcounty.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"smartcounty {args[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def make_env(engine):
    data = Path(tempfile.mkdtemp(prefix="sc-bench-oidc-"))
    env = dict(os.environ, SMARTCOUNTY_DATA_DIR=str(data), SMARTCOUNTY_SIMULATE="0", SMARTCOUNTY_LOG_LEVEL="ERROR",
               DJANGO_SETTINGS_MODULE="smartcounty.settings")
    for name in ("ANON", "TOKEN", "INGEST", "AUTH_FAILURES", "SIGNUP"):
        env[f"SMARTCOUNTY_RATE_{name}"] = "100000000/m"
    env.pop("DATABASE_URL", None)
    if engine == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS sc_bench_oidc WITH (FORCE)")
            c.execute("CREATE DATABASE sc_bench_oidc")
        env["DATABASE_URL"] = f"{PG_BASE}/sc_bench_oidc"
    return env


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and all its descendants (threads included)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def pkce():
    verifier = secrets.token_urlsafe(48)
    return verifier, base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class Bench:
    def __init__(self, base, rp_id, machine_id, clients):
        self.base, self.rp_id, self.machine_id, self.clients = base, rp_id, machine_id, clients
        self.local = __import__("threading").local()

    def http(self) -> requests.Session:
        if not hasattr(self.local, "s"):
            self.local.s = requests.Session()
        return self.local.s

    def signed_in(self) -> requests.Session:
        s = requests.Session()
        page = s.get(self.base + "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        done = s.post(self.base + "/accounts/login/", data={"csrfmiddlewaretoken": token, "username": "bench-person",
                                                           "password": PASSWORD}, headers={"Referer": self.base},
                      allow_redirects=False)
        assert done.status_code == 302, done.status_code
        return s

    def code(self, s) -> tuple[str, str]:
        verifier, challenge = pkce()
        page = s.get(self.base + "/o/authorize/?" + urlencode({
            "response_type": "code", "client_id": self.rp_id, "redirect_uri": REDIRECT, "state": "s",
            "scope": "openid profile organisation roles", "code_challenge": challenge, "code_challenge_method": "S256"}))
        uri = unescape(re.search(r'id="continue" href="([^"]+)"', page.text).group(1))
        return parse_qs(urlparse(uri).query)["code"][0], verifier

    def exchange(self, code_verifier) -> dict:
        code, verifier = code_verifier
        r = self.http().post(self.base + "/o/token/", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier,
            "client_id": self.rp_id, "client_secret": SECRET})
        assert r.status_code == 200, r.text
        return r.json()

    def userinfo(self, access_token):
        r = self.http().get(self.base + "/o/userinfo/", headers={"Authorization": f"Bearer {access_token}"})
        assert r.status_code == 200 and "sub" in r.json(), r.text

    def machine(self, _):
        r = self.http().post(self.base + "/o/token/", data={"grant_type": "client_credentials",
                                                           "client_id": self.machine_id, "client_secret": SECRET})
        assert r.status_code == 200, r.text

    def full_sign_in(self, _):
        self.exchange(self.code(self.signed_in()))

    def phase(self, name, fn, items, pid):
        warm = max(4, len(items) // 20)
        with ThreadPoolExecutor(self.clients) as pool:
            list(pool.map(fn, items[:warm]))  # warm-up (its items are not used again: a code is used once)
            items = items[warm:]
            cpu0, t0 = cpu_seconds(pid), time.perf_counter()
            out = list(pool.map(fn, items))
            wall, cpu = time.perf_counter() - t0, cpu_seconds(pid) - cpu0
        print(f"  {name:<26} {len(items):>5} req  {len(items) / wall:8.1f} req/s wall  "
              f"{len(items) / cpu:8.1f} req/s per core (server CPU {cpu:.1f} s)"
              + (f"   Keycloak: {KEYCLOAK[name]} /s per vCPU" if name in KEYCLOAK else ""))
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    env = make_env(args.engine)
    sc(env, "migrate", "--noinput")
    rp_id, machine_id = sc(env, "shell", "-c", SETUP).split()[-2:]
    port = free_port()
    log = open(Path(env["SMARTCOUNTY_DATA_DIR"]) / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "smartcounty.cli", "serve", f"127.0.0.1:{port}", "--no-background",
                             "--workers", "1", "--threads", str(max(4, args.clients * 2))],
                            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit("server did not start:\n" + (Path(env["SMARTCOUNTY_DATA_DIR"]) / "server.log").read_text()[-3000:])
            time.sleep(0.3)
        bench = Bench(base, rp_id, machine_id, args.clients)
        n = args.requests
        print(f"OIDC provider on {args.engine}, one web worker process, {args.clients} concurrent clients, "
              f"{os.cpu_count()} cores on the machine")
        sessions = [bench.signed_in() for _ in range(args.clients)]
        # Codes live 60 s: each exchange phase uses codes made just before it, in batches.
        codes = bench.phase("authorise (consent kept)", lambda i: bench.code(sessions[i % len(sessions)]),
                            list(range(n + n // 10)), proc.pid)
        tokens = bench.phase("code exchange", bench.exchange, codes, proc.pid)
        access = [t["access_token"] for t in tokens]
        bench.phase("userinfo", bench.userinfo, (access * 3)[: n * 3], proc.pid)
        bench.phase("client credentials", bench.machine, list(range(n)), proc.pid)
        bench.phase("password sign-in", bench.full_sign_in, list(range(max(20, n // 10))), proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


if __name__ == "__main__":
    main()
