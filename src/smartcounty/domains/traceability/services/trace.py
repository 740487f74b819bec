"""Forward (to every downstream batch) and backward (to every source batch) traces: one recursive SQL
query over the link table's two indexes (parent, child) and (child, parent), the same on SQLite and
PostgreSQL; UNION (not UNION ALL) visits a batch reached by several paths once."""

from django.db import connection

from smartcounty.domains.traceability.models import Link

MAX_BATCHES = 100_000


def _sql(direction: str) -> str:
    t = Link._meta.db_table
    src, dst = ("parent_id", "child_id") if direction == "forward" else ("child_id", "parent_id")
    return (f"WITH RECURSIVE reach(id) AS (SELECT CAST(%s AS BIGINT) UNION SELECT l.{dst} FROM {t} l JOIN reach r ON l.{src} = r.id) "
            f"SELECT id FROM reach LIMIT {MAX_BATCHES}")


FORWARD_SQL = _sql("forward")
BACKWARD_SQL = _sql("backward")


def reach(batch_id: int, direction: str) -> list[int]:
    """Ids of the batch and every batch downstream (``forward``) or upstream (``backward``) of it."""
    sql = FORWARD_SQL if direction == "forward" else BACKWARD_SQL
    with connection.cursor() as cur:
        cur.execute(sql, [batch_id])
        return [r[0] for r in cur.fetchall()]


def links_among(ids: list[int]) -> list[tuple[int, int, str]]:
    if not ids:
        return []
    return list(Link.objects.filter(child_id__in=ids, parent_id__in=ids).values_list("parent_id", "child_id", "kind"))
