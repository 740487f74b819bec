"""Settings of a long-running process (the server, the MQTT ingester), and its one SQLite writer.

Garbage collection: a loaded Django process holds a few hundred thousand long-lived objects, and
ingest allocates thousands of short-lived ones per batch (rows, facts, results). With CPython's
default thresholds (700, 10, 10) the collector runs many times per batch and the full collections
walk every long-lived object again; measured in-process on the sensing benchmark's batches that was
a third to a half of the ingest time. ``tune_gc`` freezes what start-up created (moved out of the
collector's sight: it lives as long as the process anyway) and collects the young generation every
50,000 allocations instead of 700. Reference cycles are still collected; only less often.
"""

import gc
import threading
from contextlib import contextmanager

from django.db import connection, transaction

GC_THRESHOLDS = (50_000, 20, 20)


def tune_gc() -> None:
    """Call once, after start-up (settings, apps, URLs loaded), before serving."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


_writer = threading.Lock()


@contextmanager
def write_transaction():
    """``transaction.atomic()`` for a hot write path, with SQLite's one writer queued in the process.

    SQLite has one writer at a time. Threads of this process that write through here queue on a lock and are
    woken the moment the writer before them commits, instead of waiting in SQLite's busy handler, which
    sleeps 1, 2, 5, 10, 15... ms between tries and so leaves the database idle after each commit (ingest over
    HTTP with two clients: 97k -> 122k observations/s). The lock is let go as soon as the transaction commits,
    before its commit hooks run (they deliver events, and a handler may wait for a thread that is itself
    waiting to write), or when it rolls back. Inside an outer transaction the caller already holds SQLite's
    lock, and PostgreSQL has no such limit: then this is plain ``atomic()``."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    _writer.acquire()
    held = [True]

    def release():
        if held[0]:
            held[0] = False
            _writer.release()

    try:
        with transaction.atomic():
            transaction.on_commit(release)  # the first hook: before any other runs
            yield
    finally:
        release()
