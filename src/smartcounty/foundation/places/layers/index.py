"""The layers' own spatial index, the same on SQLite and PostgreSQL: a hierarchical grid of cells.

Level ``L`` cuts the plane (lon and lat both from -180) into square cells of ``360 / 2**L`` degrees. A
feature goes to the finest level whose cell is at least as large as its bounding box, so it touches at most
2 × 2 cells there. A box query asks, for every level the version uses, the cells the box covers: one range
of the composite index (version, level, cx, cy) per level, then the exact bounding-box test on the features.
Levels in use are kept on the version (about a dozen for a real layer), so no level is asked in vain.
"""

import math

from django.db.models import Q

MAX_LEVEL = 24  # cells of 2.1e-5° (about 2 m): finer features share that level


def _size(level: int) -> float:
    return 360.0 / (1 << level)


def level_for(w: float, s: float, e: float, n: float) -> int:
    extent = max(e - w, n - s)
    if extent <= 0:
        return MAX_LEVEL
    return max(0, min(MAX_LEVEL, math.floor(math.log2(360.0 / extent))))


def _span(lo: float, hi: float, size: float) -> tuple[int, int]:
    return math.floor((lo + 180.0) / size), math.floor((hi + 180.0) / size)


def cells(w: float, s: float, e: float, n: float) -> tuple[int, list[tuple[int, int]]]:
    """The level and the cells (cx, cy) a feature with this bounding box is filed under."""
    level = level_for(w, s, e, n)
    size = _size(level)
    x0, x1 = _span(w, e, size)
    y0, y1 = _span(s, n, size)
    return level, [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def box_filters(levels, w: float, s: float, e: float, n: float) -> list[Q]:
    """Per level in use, the condition on ``LayerCell`` rows for the cells a query box covers. A feature whose
    cells lie outside the box at its level cannot overlap the box: its bounding box is inside them. One
    condition per level (asked as the parts of one UNION ALL): an OR of them would make SQLite use only the
    index's first column."""
    out = []
    for level in sorted(set(levels)):
        size = _size(level)
        x0, x1 = _span(w, e, size)
        y0, y1 = _span(s, n, size)
        out.append(Q(level=level, cx__gte=x0, cx__lte=x1, cy__gte=y0, cy__lte=y1))
    return out
