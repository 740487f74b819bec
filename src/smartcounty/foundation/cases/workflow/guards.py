"""Guards: conditions on a case's data that a transition needs (``guard`` in a definition).

A guard is ``{"field": key, "op": op, "value": v}`` with ``op`` one of ``OPS``, or ``{"all": [guards]}``,
``{"any": [guards]}``, ``{"not": guard}``. ``field`` is a key of the case's data (the filing form's
answers and what steps recorded) or ``category``. ``filled`` needs no value; ``in`` a list of values;
``gt``/``ge``/``lt``/``le`` a number. A missing field never satisfies a comparison.
"""

import math

from django.utils.translation import gettext as _

OPS = ("eq", "ne", "gt", "ge", "lt", "le", "in", "filled")
CASE_FIELDS = ("category",)
MAX_DEPTH = 5


def _number(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


def problem(guard, known: set[str], depth: int = 0) -> str | None:
    """What is wrong with ``guard`` (a sentence), or None."""
    if depth > MAX_DEPTH:
        return _("A guard is nested more than %(n)s levels deep.") % {"n": MAX_DEPTH}
    if not isinstance(guard, dict):
        return _("A guard is an object: field, op and value, or all / any / not.")
    for combo in ("all", "any"):
        if combo in guard:
            parts = guard[combo]
            if len(guard) != 1 or not isinstance(parts, list) or not parts:
                return _("%(combo)s takes a non-empty list of guards and nothing else.") % {"combo": combo}
            for part in parts:
                found = problem(part, known, depth + 1)
                if found:
                    return found
            return None
    if "not" in guard:
        return problem(guard["not"], known, depth + 1) if len(guard) == 1 else _("not takes one guard.")
    name, op = guard.get("field"), guard.get("op")
    if not isinstance(name, str) or name not in known:
        return _("The guard looks at %(field)s, which is no field of the forms or steps.") % {"field": str(name)[:40]}
    if op not in OPS:
        return _("The guard's op %(op)s is none of: %(ops)s.") % {"op": str(op)[:20], "ops": ", ".join(OPS)}
    extra = set(guard) - {"field", "op", "value"}
    if extra:
        return _("A guard has no part %(part)s.") % {"part": sorted(extra)[0][:20]}
    value = guard.get("value")
    if op == "filled":
        return None if "value" not in guard else _("filled takes no value.")
    if op == "in":
        return None if isinstance(value, list) and value else _("in takes a non-empty list of values.")
    if op in ("gt", "ge", "lt", "le") and not _number(value):
        return _("%(op)s compares with a number.") % {"op": op}
    if "value" not in guard:
        return _("%(op)s needs a value.") % {"op": op}
    return None


def holds(guard, data: dict, category: str = "") -> bool:
    """Whether ``guard`` (already checked by ``problem``) holds for a case's data."""
    if guard is None:
        return True
    if "all" in guard:
        return all(holds(g, data, category) for g in guard["all"])
    if "any" in guard:
        return any(holds(g, data, category) for g in guard["any"])
    if "not" in guard:
        return not holds(guard["not"], data, category)
    name, op, want = guard["field"], guard["op"], guard.get("value")
    have = category if name == "category" else data.get(name)
    if op == "filled":
        return have not in (None, "", [], {})
    if have is None:
        return False
    if op == "eq":
        return have == want
    if op == "ne":
        return have != want
    if op == "in":
        return have in want
    if not _number(have):
        return False
    return {"gt": have > want, "ge": have >= want, "lt": have < want, "le": have <= want}[op]
