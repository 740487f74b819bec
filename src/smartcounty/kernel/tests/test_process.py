import gc

from smartcounty.kernel import process


def test_tune_gc_freezes_start_up_objects_and_raises_the_young_threshold():
    before = gc.get_threshold()
    try:
        process.tune_gc()
        assert gc.get_threshold() == process.GC_THRESHOLDS
        assert gc.get_freeze_count() > 1000  # the loaded apps' objects are out of the collector's way
        # cycles are still collected
        a = []
        a.append(a)
        del a
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
