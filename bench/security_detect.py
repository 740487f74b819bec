"""Benchmark (issue 18, action 30): situational awareness from the access log.

1. Detection throughput on one core: N access-log lines (JSON, as the security middleware writes them; a mix of
   the platform's own paths, Chinese searches and form values, and ~3 % attacks from the labelled corpus) read
   from a file, parsed and run through the watcher (detectors + every scenario's bucket), beside reading and
   parsing the same lines with nothing detected. Goal: >= 20,000 lines/s.
2. The middleware's added latency: the same request (GET /healthz, a query with Chinese text) through the whole
   Django stack with the security middleware and without it, interleaved, p50 and p99.
3. Detection rate on the labelled attack corpus (SQLi, XSS, traversal, scanners) beside the false-positive rate
   on the Chinese corpus (each input as a query value and as a form value).

Run: .venv/bin/python bench/security_detect.py [--lines 200000] [--requests 3000]
(a fresh SQLite database in a temporary SMARTCOUNTY_DATA_DIR; DATABASE_URL is ignored; pinned to one core).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ["SMARTCOUNTY_DATA_DIR"] = tempfile.mkdtemp(prefix="sc-security-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcounty.settings")
os.environ["SMARTCOUNTY_SECURITY_BLOCK_REFRESH_S"] = "0"
os.environ["SMARTCOUNTY_SECURITY_ACCESS_LOG"] = os.path.join(os.environ["SMARTCOUNTY_DATA_DIR"], "access.log")
for _name in ("SQLI", "XSS", "TRAVERSAL", "PROBE", "SCANNER", "NOT_FOUND", "SIGNIN_IP", "SIGNIN_USER", "FLOOD"):
    os.environ[f"SMARTCOUNTY_SECURITY_{_name}"] = "100000000/1s"  # the latency run must never block itself

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from smartcounty.domains.security import accesslog, detect, scenarios  # noqa: E402
from smartcounty.domains.security.watch import Watcher  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "src/smartcounty/domains/security/tests/data"
PATHS = ["/", "/portal/", "/citymgmt/report/", "/citymgmt/mine/", "/catalog/", "/catalog/d/gx-air/",
         "/api/v1/sensing/things", "/api/v1/citymgmt/reports", "/v1.1/Datastreams(12)/Observations",
         "/static/css/smartcounty.css", "/static/vendor/echarts/echarts.min.js", "/traffic/", "/plan/",
         "/environment/", "/weather/", "/api/3/action/package_search", "/accounts/login/", "/cockpit/"]
AGENTS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.49",
          "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 Chrome/118.0 Mobile Safari/537.36",
          "python-requests/2.31.0", "okhttp/4.12.0"]
CATEGORY = {"sqli": {"sqli"}, "xss": {"xss"}, "traversal": {"traversal"}, "scanner": {"scanner", "probe"}}


def attacks():
    for line in (DATA / "attacks.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield tuple(line.split("\t"))


def chinese():
    return [x for x in (DATA / "chinese.txt").read_text(encoding="utf-8").splitlines()
            if x.strip() and not x.startswith("#")]


def make_lines(n: int, path: Path) -> None:
    rnd = random.Random(18)
    texts, bad = chinese(), list(attacks())
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            ip = f"10.{rnd.randrange(4)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
            p, q, ua, status = rnd.choice(PATHS), [], rnd.choice(AGENTS), 200
            roll = rnd.random()
            if roll < 0.03:
                cat, where, payload = rnd.choice(bad)
                if where == "query":
                    q = [["q", payload]]
                elif where == "path":
                    p, status = payload, 404
                else:
                    ua = payload
            elif roll < 0.45:
                q = [["q", rnd.choice(texts)], ["page", str(rnd.randrange(1, 9))]]
            elif roll < 0.5:
                p, status = f"/no-such/{rnd.randrange(50)}", 404
            rec = accesslog.record(t=1_796_000_000 + i * 0.001, rid=f"{i:032x}", ip=ip, method="GET", path=p, pairs=q,
                                   status=status, ms=rnd.random() * 40, agent=ua, ref="", user_id=None)
            out.write(accesslog.dumps(rec) + "\n")


def read_parse(path: Path) -> int:
    n = 0
    with path.open("rb") as f:
        for line in f:
            if accesslog.parse_line(line) is not None:
                n += 1
    return n


def read_parse_detect(path: Path) -> tuple[int, int]:
    watcher = Watcher(specs=scenarios.defaults())
    n = overflows = 0
    with path.open("rb") as f:
        for line in f:
            rec = accesslog.parse_line(line)
            if rec is not None:
                n += 1
                overflows += len(watcher.observe_record(rec, now=rec["t"]))
    return n, overflows


def throughput(args) -> None:
    path = Path(os.environ["SMARTCOUNTY_DATA_DIR"]) / "lines.jsonl"
    make_lines(args.lines, path)
    read_parse(path)  # warm the page cache
    best_bare = best_detect = 0.0
    for _ in range(3):
        t = time.perf_counter()
        n = read_parse(path)
        best_bare = max(best_bare, n / (time.perf_counter() - t))
        t = time.perf_counter()
        n, overflows = read_parse_detect(path)
        best_detect = max(best_detect, n / (time.perf_counter() - t))
    print(f"1. access-log lines on one core ({n:,} lines, best of 3):")
    print(f"   read + parse, nothing detected : {best_bare:12,.0f} lines/s")
    print(f"   read + parse + detect + buckets: {best_detect:12,.0f} lines/s   (goal >= 20,000; "
          f"{best_detect / best_bare:.0%} of the bare rate; {overflows} scenario overflows)")


def latency(args) -> None:
    call_command("migrate", verbosity=0)
    with_mw = list(settings.MIDDLEWARE)
    without = [m for m in with_mw if not m.startswith("smartcounty.domains.security.")]
    assert len(without) == len(with_mw) - 1, "the security middleware is not in MIDDLEWARE"
    query = {"q": "冠县清泉街道红旗路88号（近实验小学）路灯不亮", "page": "2"}
    times = {"with": [], "without": []}
    clients = {}
    for name, chain in (("with", with_mw), ("without", without)):
        with override_settings(MIDDLEWARE=chain):
            clients[name] = Client(REMOTE_ADDR="10.1.2.3")
            for _ in range(200):  # warm up (URL conf, imports, caches)
                clients[name].get("/healthz", query)
    for i in range(args.requests):
        for name in (("with", "without") if i % 2 else ("without", "with")):
            with override_settings(MIDDLEWARE=with_mw if name == "with" else without):
                c = clients[name]
                t = time.perf_counter()
                r = c.get("/healthz", query)
                times[name].append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200

    def pct(xs, p):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(len(xs) * p))]

    print(f"2. GET /healthz with a Chinese query, whole Django stack, {args.requests} requests each, interleaved:")
    for name in ("without", "with"):
        xs = times[name]
        print(f"   {name:7} the security middleware: p50 {statistics.median(xs):6.3f} ms  p99 {pct(xs, 0.99):6.3f} ms")
    print(f"   added: p50 {statistics.median(times['with']) - statistics.median(times['without']):+.3f} ms, "
          f"p99 {pct(times['with'], 0.99) - pct(times['without'], 0.99):+.3f} ms")


def rates() -> None:
    per = {}
    for cat, where, payload in attacks():
        if where == "query":
            got = detect.inspect("/portal/search/", [("q", payload)], "Mozilla/5.0")
        elif where == "path":
            got = detect.inspect(payload, [], "Mozilla/5.0")
        else:
            got = detect.inspect("/", [], payload)
        hit = bool({f.category for f in got} & CATEGORY[cat])
        n, h = per.get(cat, (0, 0))
        per[cat] = (n + 1, h + hit)
    texts = chinese()
    flagged = sum(1 for t in texts if detect.inspect("/citymgmt/report/", [("q", t)], "Mozilla/5.0")
                  or detect.inspect("/citymgmt/report/", [("description", t)], "Mozilla/5.0"))
    total_n = sum(n for n, _h in per.values())
    total_h = sum(h for _n, h in per.values())
    print("3. detection rate on the labelled attack corpus | false positives on the Chinese corpus")
    for cat, (n, h) in per.items():
        print(f"   {cat:10} {h:3}/{n:3} = {h / n:6.1%}")
    print(f"   {'all':10} {total_h:3}/{total_n:3} = {total_h / total_n:6.1%}   |   Chinese inputs flagged: "
          f"{flagged}/{len(texts)} = {flagged / len(texts):.1%}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    throughput(args)
    latency(args)
    rates()
    return 0


if __name__ == "__main__":
    sys.exit(main())
