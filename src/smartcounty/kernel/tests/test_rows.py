"""kernel.rows.Rows: plain rows read lazily, paged with one query, listed without a COUNT."""

import pytest

from smartcounty.kernel.models import AuditEntry
from smartcounty.kernel.rows import Rows


@pytest.fixture
def entries(db):
    from smartcounty.kernel import audit

    for i in range(5):
        audit.record(f"test.row{i}", detail={"i": i})
    return AuditEntry.objects.filter(action__startswith="test.row").order_by("id")


def test_rows_are_plain_and_lazy(entries, django_assert_num_queries):
    with django_assert_num_queries(0):
        rows = Rows(entries, lambda r: r["action"], fields=("action",))
    with django_assert_num_queries(1):
        assert rows[1:3] == ["test.row1", "test.row2"]
    with django_assert_num_queries(1):  # the first chunk tells the length; no COUNT
        assert list(rows) == [f"test.row{i}" for i in range(5)]
    with django_assert_num_queries(0):
        assert len(rows) == 5 and rows.all() is rows
    with django_assert_num_queries(1):
        assert rows[-1] == "test.row4"
    fresh = Rows(entries, lambda r: r["action"], fields=("action",))
    with django_assert_num_queries(1):
        assert fresh.count() == 5
    with pytest.raises(IndexError):
        fresh[99]
    with pytest.raises(ValueError):
        fresh[::2]


def test_a_batch_builder_gets_each_slice_at_once(entries):
    seen = []

    def batch(rows):
        seen.append(len(rows))
        return [r.action.upper() for r in rows]

    rows = Rows(entries, None, batch=batch)
    assert rows[0:2] == ["TEST.ROW0", "TEST.ROW1"] and seen == [2]
