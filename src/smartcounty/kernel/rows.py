"""``Rows``: the answer of a list service, plain data read lazily from a query.

A service that lists many things returns ``Rows(queryset, make)``: a read-only sequence of what ``make``
builds from each row (a dataclass, a dict), ordered as the query is. Slicing it runs one query with
LIMIT/OFFSET (so Django's ``Paginator`` and the API's pagination page it), ``len`` counts in the database
once, and iterating reads the rows in chunks. It offers no ORM to the caller: filters are the service's
parameters, so no other module can join into the tables behind it.
"""

from collections.abc import Callable, Iterator, Sequence
from typing import Any

CHUNK = 2000


class Rows(Sequence):
    def __init__(self, qs, make: Callable[[Any], Any], *, fields: tuple[str, ...] = (),
                 batch: Callable[[list], list] | None = None):
        """``qs``: an ordered queryset; ``fields``: read with ``values(*fields)`` and ``make`` gets a dict
        (else ``make`` gets a model instance); ``batch``: builds a list of results from a list of rows at
        once (for rows that need a second query, e.g. each thing's datastreams), used instead of ``make``."""
        if not qs.ordered:
            qs = qs.order_by("pk")
        self._qs = qs
        self._make = make
        self._fields = fields
        self._batch = batch
        self._count: int | None = None
        self._head: list | None = None

    def _build(self, rows) -> list:
        rows = list(rows)
        if self._batch is not None:
            return self._batch(rows)
        return [self._make(r) for r in rows]

    def _source(self):
        return self._qs.values(*self._fields) if self._fields else self._qs

    def all(self) -> "Rows":
        """Itself (so the API's paginator counts with ``count()``, one COUNT query)."""
        return self

    def count(self) -> int:
        """How many rows: one COUNT query (what a paginator asks before its page)."""
        if self._count is None:
            self._count = self._qs.count()
        return self._count

    def _first(self) -> list:
        if self._head is None:
            self._head = self[0:CHUNK]
        return self._head

    def __len__(self) -> int:
        """How many rows, for ``list(rows)`` and ``len``: the first chunk is read (and kept for iterating), and
        only when it is full is there a COUNT query."""
        if self._count is None:
            head = self._first()
            self._count = len(head) if len(head) < CHUNK else self._qs.count()
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.step not in (None, 1) or (index.start or 0) < 0 or (index.stop is not None and index.stop < 0):
                raise ValueError("only forward slices without a step")
            return self._build(self._source()[index])
        if index < 0:
            index += self.count()
        found = self[index:index + 1]
        if not found:
            raise IndexError(index)
        return found[0]

    def __iter__(self) -> Iterator:
        start, part = 0, self._first()
        while True:
            yield from part
            if len(part) < CHUNK:
                return
            start += CHUNK
            part = self[start:start + CHUNK]

    def __bool__(self) -> bool:
        return self.exists()

    def first(self):
        found = self[0:1]
        return found[0] if found else None

    def exists(self) -> bool:
        return self._qs.exists()

    def __repr__(self) -> str:
        return f"<Rows of {self._qs.model.__name__}>"
