"""The one JSON reader for input from outside: API bodies (Ninja's parser), uploads, query parameters.

orjson is strict where the standard library is lenient (no ``NaN``/``Infinity`` literals, UTF-8 only) and
stops at 1,024 levels of nesting instead of recursing until ``RecursionError``. ``MAX_DEPTH`` is tighter still:
everything downstream (pydantic, ``json.dumps``, the database's JSON) handles 64 levels, while Python's own
encoder fails near 1,000. A document past either limit raises ``JsonError``, which the API answers with a
400 problem.
"""

import orjson

MAX_DEPTH = 64
ORJSON_DEPTH = 1024


class JsonError(ValueError):
    """Not JSON, or nested deeper than the limit. ``code`` is the problem code the API answers with."""

    def __init__(self, message: str, *, code: str = "malformed-json", limit: int | None = None):
        super().__init__(message)
        self.code = code
        self.limit = limit


def too_deep(value, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` (parsed JSON) nests lists and objects more than ``limit`` levels (no recursion)."""
    stack = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        kind = type(node)
        if kind is dict:
            children = node.values()
        elif kind is list:
            children = node
        else:
            continue
        if depth > limit:
            return True
        for child in children:
            if type(child) is dict or type(child) is list:
                push((child, depth + 1))
    return False


def loads(data: bytes | bytearray | memoryview | str, *, max_depth: int | None = MAX_DEPTH):
    """Parse ``data``; ``max_depth=None`` keeps only orjson's own limit (for hot paths that check their values)."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if "recursion" in str(exc):
            raise JsonError(str(exc), code="json-too-deep", limit=max_depth or ORJSON_DEPTH) from None
        raise JsonError(str(exc)) from None
    if max_depth is not None and too_deep(value, max_depth):
        raise JsonError(f"nested deeper than {max_depth} levels", code="json-too-deep", limit=max_depth)
    return value
