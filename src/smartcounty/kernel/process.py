"""Settings of a long-running process (the server, the MQTT ingester).

Garbage collection: a loaded Django process holds a few hundred thousand long-lived objects, and
ingest allocates thousands of short-lived ones per batch (rows, facts, results). With CPython's
default thresholds (700, 10, 10) the collector runs many times per batch and the full collections
walk every long-lived object again; measured in-process on the sensing benchmark's batches that was
a third to a half of the ingest time. ``tune_gc`` freezes what start-up created (moved out of the
collector's sight: it lives as long as the process anyway) and collects the young generation every
50,000 allocations instead of 700. Reference cycles are still collected; only less often.
"""

import gc

GC_THRESHOLDS = (50_000, 20, 20)


def tune_gc() -> None:
    """Call once, after start-up (settings, apps, URLs loaded), before serving."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
