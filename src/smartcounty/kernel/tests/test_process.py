import gc

import pytest

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


@pytest.mark.django_db(transaction=True)
def test_write_transaction_queues_sqlite_writers_and_lets_go_before_the_commit_hooks():
    import threading

    from django.db import connection, transaction

    inside, release, order = threading.Event(), threading.Event(), []
    hook_saw_lock = []

    def first():
        with process.write_transaction():
            transaction.on_commit(lambda: hook_saw_lock.append(process._writer.locked()))
            order.append("first in")
            inside.set()
            release.wait(5)
            order.append("first out")
        connection.close()

    def second():
        inside.wait(5)
        with process.write_transaction():
            order.append("second in")
        connection.close()

    a, b = threading.Thread(target=first), threading.Thread(target=second)
    a.start()
    b.start()
    inside.wait(5)
    b.join(0.2)
    release.set()
    a.join(5)
    b.join(5)
    if connection.vendor == "sqlite":
        assert order == ["first in", "first out", "second in"]  # the second waited for the first
    else:
        assert order[0] == "first in" and "second in" in order  # nothing taken on PostgreSQL
    assert hook_saw_lock == [False]  # commit hooks run after the lock is let go
    with pytest.raises(ZeroDivisionError), process.write_transaction():
        raise ZeroDivisionError
    assert not process._writer.locked()  # a rolled-back transaction lets go too
    with transaction.atomic(), process.write_transaction():  # already inside a transaction: takes nothing
        assert not process._writer.locked()
