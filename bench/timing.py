"""What several benchmarks share: a timing loop and a Django set up on a database of the benchmark's own."""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def timeit(fn, repeat: int) -> tuple[float, float]:
    """``fn()`` once to warm, then ``repeat`` times: (median, p95) in milliseconds."""
    fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples), p95(samples)


def django_on_own_database(prefix: str) -> None:
    """Django on ``DATABASE_URL`` or, when unset, a new SQLite file; a data directory of its own; migrated."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = "sqlite:///" + os.path.join(tempfile.mkdtemp(prefix=f"sc-{prefix}-"), "db.sqlite3")
    os.environ.setdefault("SMARTCOUNTY_DATA_DIR", tempfile.mkdtemp(prefix=f"sc-{prefix}-data-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcounty.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
