"""``$filter`` and ``$orderby`` of SensorThings 1.1 compiled to Django expressions (SQL), never run in Python.

The expression is parsed by ``odata_query`` (an OData v4 grammar on ``sly``) into an AST; this module walks
that AST and builds Django lookups and functions over the entity's columns (``entities.Prop``). Each
compiled node carries its kind (``ms`` for epoch-millisecond times, ``num``, ``str``, ``bool``, ``dt``,
``geo``, ``json``) so that a time literal compared with an epoch-ms column becomes an integer, and a
function the column cannot take is refused (400) before any SQL runs.

Supported: ``eq ne gt ge lt le``, ``and or not``, ``add sub mul div mod``, the string functions
``substringof contains startswith endswith length indexof substring tolower toupper trim concat``, the
date functions ``year month day hour minute second date now``, the maths functions ``round floor
ceiling``, and ``st_within``/``st_intersects``/``geo.intersects``/``st_equals`` of a point location
with a WKT ``POLYGON`` or ``POINT`` (a polygon test is the even-odd rule written as SQL over its edges,
behind a bounding-box filter that uses the location index).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Case, F, FloatField, Func, IntegerField, Q, Value, When
from django.db.models import functions as fn
from django.db.models import lookups as lk
from odata_query import ast, exceptions, grammar

from smartcounty.foundation.sensing.sta.ids import BadId, split_obs_id

grammar.ODATA_FUNCTIONS.update({"substringof": 2, "st_within": 2, "st_intersects": 2, "st_equals": 2,
                                "st_contains": 2, "st_disjoint": 2})

MAX_FILTER = 4000
MAX_POLYGON = 200


class FilterError(ValueError):
    pass


@dataclass
class Node:
    expr: object  # a Django expression, or a Q for conditions
    kind: str  # ms, dt, num, str, bool, geo, json, cond, null, any
    literal: object = None  # the Python value of a literal (times as aware datetimes)
    lonlat: tuple | None = None  # (lon path, lat path) of a geo property


def _parse(text: str):
    if len(text) > MAX_FILTER:
        raise FilterError(f"$filter longer than {MAX_FILTER} characters")
    try:
        return grammar.ODataParser().parse(grammar.ODataLexer().tokenize(text))
    except exceptions.ODataException as exc:
        raise FilterError(f"$filter: {exc}") from None
    except Exception as exc:  # sly raises plain errors on some malformed input
        raise FilterError(f"$filter: cannot parse ({exc.__class__.__name__})") from None


def _to_ms(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return round(value.timestamp() * 1000)


class _MsPart(Func):
    """A calendar part (UTC) of an epoch-millisecond column, as an integer."""

    output_field = IntegerField()
    _pg = {"year": "YEAR", "month": "MONTH", "day": "DAY", "hour": "HOUR", "minute": "MINUTE", "second": "SECOND"}
    _sqlite = {"year": "%Y", "month": "%m", "day": "%d", "hour": "%H", "minute": "%M", "second": "%S"}

    def __init__(self, expr, part):
        super().__init__(expr)
        self.part = part

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (f"CAST(EXTRACT({self._pg[self.part]} FROM (to_timestamp(({sql}) / 1000.0) AT TIME ZONE 'UTC')) "
                "AS INTEGER)", params)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(strftime('{self._sqlite[self.part]}', ({sql}) / 1000, 'unixepoch') AS INTEGER)", params


COMPARE = {ast.Eq: lk.Exact, ast.NotEq: None, ast.Gt: lk.GreaterThan, ast.GtE: lk.GreaterThanOrEqual,
           ast.Lt: lk.LessThan, ast.LtE: lk.LessThanOrEqual}
FLIP = {lk.GreaterThan: lk.LessThan, lk.LessThan: lk.GreaterThan, lk.GreaterThanOrEqual: lk.LessThanOrEqual,
        lk.LessThanOrEqual: lk.GreaterThanOrEqual, lk.Exact: lk.Exact}
ARITH = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__", ast.Div: "__truediv__", ast.Mod: "__mod__"}


class Compiler:
    """Compiles one ``$filter`` for one entity set. ``resolve(path) -> (orm path, Prop)`` comes from the
    entity (``entities.Entity.resolve``) and raises FilterError for an unknown property."""

    def __init__(self, resolve):
        self.resolve = resolve

    def q(self, text: str) -> Q:
        node = self.visit(_parse(text))
        if node.kind != "cond":
            raise FilterError("$filter must be a condition (a comparison, a function or and/or/not of them)")
        return node.expr

    # --- leaves -----------------------------------------------------------------------------------------------
    def visit(self, node) -> Node:
        method = getattr(self, f"v_{type(node).__name__}", None)
        if method is None:
            raise FilterError(f"$filter: {type(node).__name__} is not supported")
        return method(node)

    def _path(self, node) -> list[str]:
        if isinstance(node, ast.Identifier):
            return [*node.namespace, node.name]
        if isinstance(node, ast.Attribute):
            return [*self._path(node.owner), node.attr]
        raise FilterError("$filter: expected a property path")

    def _prop(self, node) -> Node:
        orm, prop = self.resolve(self._path(node))
        if prop.kind == "geo":
            return Node(None, "geo", lonlat=orm)
        if prop.kind == "json":
            return Node(F(orm), "json")
        if prop.kind == "obsid":
            return Node(None, "obsid", lonlat=orm)
        return Node(F(orm), prop.kind)

    v_Identifier = _prop
    v_Attribute = _prop

    def v_Null(self, node):
        return Node(Value(None), "null", None)

    def v_Integer(self, node):
        return Node(Value(node.py_val), "num", node.py_val)

    def v_Float(self, node):
        return Node(Value(node.py_val), "num", node.py_val)

    def v_Boolean(self, node):
        return Node(Value(node.py_val), "bool", node.py_val)

    def v_String(self, node):
        return Node(Value(node.py_val), "str", node.py_val)

    def v_DateTime(self, node):
        try:
            when = node.py_val
        except ValueError:
            raise FilterError(f"$filter: bad time {node.val}") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return Node(Value(when), "time", when)

    def v_Date(self, node):
        d = node.py_val
        when = datetime(d.year, d.month, d.day, tzinfo=UTC)
        return Node(Value(when), "time", when)

    def v_Geography(self, node):
        return Node(None, "wkt", node.val)

    # --- operators --------------------------------------------------------------------------------------------
    def v_BoolOp(self, node):
        left, right = self._cond(node.left), self._cond(node.right)
        return Node(left & right if isinstance(node.op, ast.And) else left | right, "cond")

    def v_UnaryOp(self, node):
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return Node(~self._as_cond(operand), "cond")
        if operand.kind not in ("num", "any"):
            raise FilterError("$filter: minus needs a number")
        return Node(-operand.literal if operand.literal is not None else operand.expr * -1, "num",
                    None if operand.literal is None else -operand.literal)

    def _cond(self, node) -> Q:
        return self._as_cond(self.visit(node))

    def _as_cond(self, n: Node) -> Q:
        if n.kind == "cond":
            return n.expr
        if n.kind == "bool" and n.literal is None:
            return Q(lk.Exact(n.expr, True))
        raise FilterError("$filter: and/or/not need conditions")

    def v_BinOp(self, node):
        left, right = self.visit(node.left), self.visit(node.right)
        for side in (left, right):
            if side.kind not in ("num", "ms", "any"):
                raise FilterError("$filter: arithmetic needs numbers")
        kind = "ms" if "ms" in (left.kind, right.kind) and isinstance(node.op, (ast.Add, ast.Sub)) else "num"
        if isinstance(node.op, ast.Mod):
            return Node(fn.Mod(left.expr, right.expr), "num")
        expr = getattr(left.expr, ARITH[type(node.op)])(right.expr)
        if isinstance(node.op, ast.Div):
            expr = fn.Cast(left.expr, FloatField()) / right.expr
        return Node(expr, kind)

    def _coerce(self, a: Node, b: Node) -> tuple:
        """The two sides of a comparison as expressions of one type (a time literal against an epoch-ms
        column is its epoch ms; a number against a text column is refused)."""
        kinds = {a.kind, b.kind}
        if "time" in kinds and "ms" in kinds or kinds == {"time"}:
            return tuple(Value(_to_ms(n.literal)) if n.kind == "time" else n.expr for n in (a, b))
        if kinds & {"geo", "wkt", "obsid"}:
            raise FilterError("$filter: compare a location with st_within, st_intersects or geo.intersects")
        if "json" in kinds:
            return tuple(n.expr if n.kind == "json" else Value(n.literal) for n in (a, b))
        if "str" in kinds and kinds & {"num", "ms", "time", "bool"}:
            raise FilterError("$filter: a text compared with a number or a time")
        if "time" in kinds and "dt" in kinds:
            return a.expr, b.expr
        if "time" in kinds:
            raise FilterError("$filter: a time compared with something that is not a time")
        return a.expr, b.expr

    def v_Compare(self, node):
        if isinstance(node.comparator, ast.In):
            raise FilterError("$filter: 'in' is not part of SensorThings 1.1")
        left, right = self.visit(node.left), self.visit(node.right)
        if "obsid" in (left.kind, right.kind):
            return Node(self._obs_id(left, right, type(node.comparator)), "cond")
        if right.kind == "null" or left.kind == "null":
            col = left if right.kind == "null" else right
            isnull = Q(lk.IsNull(col.expr, True))
            return Node(isnull if isinstance(node.comparator, ast.Eq) else ~isnull, "cond")
        a, b = self._coerce(left, right)
        if isinstance(node.comparator, ast.NotEq):
            return Node(~Q(lk.Exact(a, b)), "cond")
        lookup = COMPARE[type(node.comparator)]
        if isinstance(a, Value) and not isinstance(b, Value):  # literal on the left: flip it
            a, b, lookup = b, a, FLIP[lookup]
        return Node(Q(lookup(a, b)), "cond")

    def _obs_id(self, left, right, comparator) -> Q:
        """An Observation's ``@iot.id`` (datastream x 10^13 + phenomenon ms) against an integer, as a test on
        the primary key's two columns."""
        col, lit = (left, right) if left.kind == "obsid" else (right, left)
        if lit.kind != "num" or not isinstance(lit.literal, int):
            raise FilterError("$filter: an Observation id is an integer")
        try:
            ds, ms = split_obs_id(lit.literal)
        except BadId:
            raise FilterError("$filter: not an Observation id") from None
        if col is right:
            comparator = {ast.Gt: ast.Lt, ast.Lt: ast.Gt, ast.GtE: ast.LtE, ast.LtE: ast.GtE}.get(comparator,
                                                                                               comparator)
        ds_f, ms_f = col.lonlat
        same = Q(**{ds_f: ds})
        if comparator is ast.Eq:
            return same & Q(**{ms_f: ms})
        if comparator is ast.NotEq:
            return ~(same & Q(**{ms_f: ms}))
        op = {ast.Gt: "gt", ast.GtE: "gte", ast.Lt: "lt", ast.LtE: "lte"}[comparator]
        strict = "gt" if op.startswith("g") else "lt"
        return Q(**{f"{ds_f}__{strict}": ds}) | (same & Q(**{f"{ms_f}__{op}": ms}))

    # --- functions --------------------------------------------------------------------------------------------
    def v_Call(self, node):
        name = ".".join([*node.func.namespace, node.func.name])
        args = node.args
        if name in ("st_within", "st_intersects", "geo.intersects", "st_equals", "st_contains", "st_disjoint"):
            return Node(self._geo(name, args), "cond")
        vals = [self.visit(a) for a in args]
        if name in ("substringof", "contains", "startswith", "endswith"):
            if name == "substringof":
                vals = [vals[1], vals[0]]
            text, part = vals
            self._need(text, "str", name)
            look = {"substringof": lk.Contains, "contains": lk.Contains, "startswith": lk.StartsWith,
                    "endswith": lk.EndsWith}[name]
            return Node(Q(look(text.expr, part.expr)), "cond")
        if name in ("length", "tolower", "toupper", "trim", "indexof", "substring", "concat"):
            for v in vals:
                self._need(v, ("str", "num") if name == "substring" else "str", name)
            if name == "length":
                return Node(fn.Length(vals[0].expr), "num")
            if name == "tolower":
                return Node(fn.Lower(vals[0].expr), "str")
            if name == "toupper":
                return Node(fn.Upper(vals[0].expr), "str")
            if name == "trim":
                return Node(fn.Trim(vals[0].expr), "str")
            if name == "indexof":
                return Node(fn.StrIndex(vals[0].expr, vals[1].expr) - 1, "num")
            if name == "concat":
                return Node(fn.Concat(vals[0].expr, vals[1].expr), "str")
            start = vals[1].expr + 1
            return Node(fn.Substr(vals[0].expr, start, vals[2].expr if len(vals) > 2 else None), "str")
        if name in ("year", "month", "day", "hour", "minute", "second"):
            (v,) = vals
            if v.kind == "ms":
                return Node(_MsPart(v.expr, name), "num")
            if v.kind == "dt":
                extract = {"year": fn.ExtractYear, "month": fn.ExtractMonth, "day": fn.ExtractDay,
                           "hour": fn.ExtractHour, "minute": fn.ExtractMinute, "second": fn.ExtractSecond}[name]
                return Node(extract(v.expr, tzinfo=UTC), "num")
            raise FilterError(f"$filter: {name}() needs a time")
        if name == "now":
            return Node(Value(datetime.now(UTC)), "time", datetime.now(UTC))
        if name in ("round", "floor", "ceiling"):
            (v,) = vals
            self._need(v, ("num",), name)
            f = {"round": fn.Round, "floor": fn.Floor, "ceiling": fn.Ceil}[name]
            return Node(f(v.expr), "num")
        raise FilterError(f"$filter: the function {name}() is not supported")

    @staticmethod
    def _need(v: Node, kinds, name):
        kinds = (kinds,) if isinstance(kinds, str) else kinds
        if v.kind not in kinds and v.kind != "any":
            raise FilterError(f"$filter: {name}() cannot take this argument")

    def _geo(self, name, args) -> Q:
        a, b = self.visit(args[0]), self.visit(args[1])
        if a.kind == "wkt":
            a, b = b, a
        if a.kind != "geo" or b.kind != "wkt":
            raise FilterError(f"$filter: {name}(location, geography'...') takes a location and a WKT literal")
        lon, lat = a.lonlat
        shape = parse_wkt(b.literal)
        if shape[0] == "POINT":
            x, y = shape[1][0]
            hit = Q(**{lon: x, lat: y})
        else:
            ring = shape[1]
            if name == "st_equals":
                raise FilterError("$filter: a point location never equals a polygon")
            hit = polygon_q(ring, lon, lat)
        if name == "st_disjoint":
            return ~hit
        if name == "st_contains" and shape[0] != "POINT":
            raise FilterError("$filter: a point location cannot contain a polygon")
        return hit


_WKT = re.compile(r"^\s*(POINT|POLYGON)\s*\(\s*\(?(.*?)\)?\s*\)\s*$", re.IGNORECASE | re.DOTALL)


def parse_wkt(text: str) -> tuple[str, list]:
    """``POINT (x y)`` or ``POLYGON ((x y, ...))`` (the outer ring) to (kind, [(x, y), ...])."""
    m = _WKT.match(text or "")
    if not m:
        raise FilterError("$filter: geography must be a WKT POINT or POLYGON")
    kind = m.group(1).upper()
    body = m.group(2).split("),")[0]  # the outer ring only
    pts = []
    try:
        for pair in body.replace("(", "").replace(")", "").split(","):
            x, y = pair.split()
            pts.append((float(x), float(y)))
    except ValueError:
        raise FilterError("$filter: bad WKT coordinates") from None
    if kind == "POINT" and len(pts) != 1 or kind == "POLYGON" and not 4 <= len(pts) <= MAX_POLYGON:
        raise FilterError(f"$filter: a POINT has one position, a POLYGON 4 to {MAX_POLYGON}")
    return kind, pts


def polygon_q(ring: list, lon: str, lat: str) -> Q:
    """A point (columns lon, lat) inside the polygon ``ring``: its bounding box (an indexed range) and the
    even-odd rule over the edges, all in SQL."""
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    box = Q(**{f"{lon}__gte": min(xs), f"{lon}__lte": max(xs), f"{lat}__gte": min(ys), f"{lat}__lte": max(ys)})
    crossings = []
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if y1 == y2:
            continue
        k = (x2 - x1) / (y2 - y1)
        straddles = Q(**{f"{lat}__gt": y1}) ^ Q(**{f"{lat}__gt": y2})
        left = Q(lk.LessThan(F(lon), F(lat) * k + (x1 - y1 * k)))
        crossings.append(Case(When(straddles & left, then=Value(1)), default=Value(0), output_field=IntegerField()))
    if not crossings:
        return box & Q(pk__in=[])
    total = crossings[0]
    for c in crossings[1:]:
        total = total + c
    return box & Q(lk.Exact(fn.Mod(total, Value(2)), 1))
