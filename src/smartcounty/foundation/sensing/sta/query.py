"""Query options of SensorThings 1.1 (``$top $skip $count $select $orderby $filter $expand``) and the reads.

Each list is one SQL query (plus one COUNT with ``$count=true``), and each ``$expand`` level one more for
all the parents of the page at once: a to-many expansion numbers the children per parent with
``ROW_NUMBER() OVER (PARTITION BY parent)`` so ``$top``/``$skip`` inside an expansion apply per parent in
SQL. Nothing is filtered, sorted or paged in Python.
"""

from dataclasses import dataclass, field
from urllib.parse import quote

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber

from smartcounty.foundation.sensing.sta.entities import ENTITIES, Entity, Link
from smartcounty.foundation.sensing.sta.filters import Compiler, FilterError

DEFAULT_TOP = 100
MAX_TOP = 10_000
MAX_EXPAND_DEPTH = 4


@dataclass
class Options:
    top: int | None = None
    skip: int = 0
    count: bool = False
    select: list | None = None
    orderby: list = field(default_factory=list)
    filter: str | None = None
    expand: list = field(default_factory=list)  # of (link name, Options)


def _split(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside parentheses and quotes."""
    parts, depth, quoted, cur = [], 0, False, []
    for ch in text:
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
            if depth < 0:
                raise FilterError("unbalanced parentheses")
        if ch == sep and depth == 0 and not quoted:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if depth or quoted:
        raise FilterError("unbalanced parentheses or quotes")
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def _int(value: str, name: str, hi: int | None = None) -> int:
    try:
        n = int(value)
    except ValueError:
        raise FilterError(f"{name} must be a whole number") from None
    if n < 0 or hi is not None and n > hi:
        raise FilterError(f"{name} must be between 0 and {hi}" if hi else f"{name} must not be negative")
    return n


def parse_options(pairs, entity: Entity, depth: int = 0) -> Options:
    """``pairs``: (name, value) of the query string (or of one ``$expand`` item's options)."""
    opts = Options()
    for name, value in pairs:
        if name == "$top":
            opts.top = _int(value, "$top", MAX_TOP)
        elif name == "$skip":
            opts.skip = _int(value, "$skip")
        elif name == "$count":
            if value not in ("true", "false"):
                raise FilterError("$count is true or false")
            opts.count = value == "true"
        elif name == "$select":
            opts.select = _split(value, ",")
            for s in opts.select:
                if s not in entity.props and s not in entity.links and s not in ("id", "@iot.selfLink"):
                    raise FilterError(f"$select: {entity.singular} has no property {s}")
        elif name == "$orderby":
            for part in _split(value, ","):
                words = part.split()
                if len(words) == 2:
                    words[1] = words[1].lower()  # frost_sta_client sends ASC / DESC
                if len(words) > 2 or len(words) == 2 and words[1] not in ("asc", "desc"):
                    raise FilterError("$orderby: property [asc|desc], ...")
                orm, prop = entity.resolve(words[0].split("/"))
                if not prop.order or prop.kind in ("geo", "json") or isinstance(orm, tuple) and prop.kind != "obsid":
                    raise FilterError(f"$orderby: cannot sort by {words[0]}")
                cols = list(orm) if isinstance(orm, tuple) else [orm]
                desc = len(words) == 2 and words[1] == "desc"
                opts.orderby += [F(c).desc() if desc else F(c).asc() for c in cols]
        elif name == "$filter":
            opts.filter = value
            Compiler(entity.resolve).q(value)  # refuse a bad filter before anything runs
        elif name == "$expand":
            if depth >= MAX_EXPAND_DEPTH:
                raise FilterError(f"$expand: at most {MAX_EXPAND_DEPTH} levels")
            for item in _split(value, ","):
                opts.expand.append(parse_expand(item, entity, depth))
        elif name == "$resultFormat":
            if value != "dataArray":
                raise FilterError("$resultFormat: only dataArray")
        elif name.startswith("$"):
            raise FilterError(f"unknown query option {name}")
    return opts


def parse_expand(item: str, entity: Entity, depth: int):
    """``Datastreams/Observations($top=3;$orderby=phenomenonTime desc)`` to (link, Options), nested."""
    inner = ""
    if item.endswith(")") and "(" in item:
        head, inner = item[:item.index("(")], item[item.index("(") + 1:-1]
    else:
        head = item
    path = [p for p in head.strip().split("/") if p]
    if not path:
        raise FilterError("$expand: empty item")
    link = entity.links.get(path[0])
    if link is None:
        raise FilterError(f"$expand: {entity.singular} has no navigation property {path[0]}")
    target = ENTITIES[link.target]
    if len(path) > 1:
        rest = "/".join(path[1:]) + (f"({inner})" if inner else "")
        sub = Options(expand=[parse_expand(rest, target, depth + 1)])
        return path[0], sub
    pairs = []
    for opt in _split(inner, ";") if inner else []:
        if "=" not in opt:
            raise FilterError(f"$expand: bad option {opt}")
        k, v = opt.split("=", 1)
        pairs.append((k.strip(), v.strip()))
    return path[0], parse_options(pairs, target, depth + 1)


def merge_expand(expands: list) -> list:
    """``Datastreams/Thing,Datastreams/Sensor`` to one Datastreams expansion holding both."""
    out: dict = {}
    for name, opts in expands:
        if name in out:
            have = out[name]
            have.expand = merge_expand(have.expand + opts.expand)
            for attr in ("top", "select", "filter"):
                if getattr(opts, attr) is not None and getattr(have, attr) is None:
                    setattr(have, attr, getattr(opts, attr))
            have.orderby = have.orderby or opts.orderby
            have.skip = have.skip or opts.skip
            have.count = have.count or opts.count
        else:
            opts.expand = merge_expand(opts.expand)
            out[name] = opts
    return list(out.items())


class Reader:
    """Runs reads for one caller (``who``: sensing's ``Reader``) at one base URL (``.../v1.1``)."""

    def __init__(self, who, base: str):
        self.who, self.base = who, base.rstrip("/")

    def filtered(self, entity: Entity, qs, opts: Options):
        qs = entity.scope(qs, self.who)
        if opts.filter:
            qs = qs.filter(Compiler(entity.resolve).q(opts.filter))
        return qs

    def ordering(self, entity: Entity, opts: Options) -> list:
        return [*opts.orderby, *(F(c).asc() for c in entity.pk)]

    def self_link(self, entity: Entity, ident) -> str:
        return f"{self.base}/{entity.name}({ident})"

    def render(self, entity: Entity, row: dict, opts: Options) -> dict:
        ident = entity.id_of(row)
        link = self.self_link(entity, ident)
        out = {"@iot.id": ident, "@iot.selfLink": link, **entity.render(row, self.base)}
        for name in entity.links:
            out[f"{name}@iot.navigationLink"] = f"{link}/{name}"
        if opts.select is not None:
            keep = set(opts.select)
            if "id" in keep:
                keep.add("@iot.id")
            out = {k: v for k, v in out.items()
                   if k in keep or k.split("@", 1)[0] in keep and k.endswith("navigationLink")}
        return out

    def columns(self, entity: Entity, opts: Options) -> list:
        cols = list(entity.columns)
        for name, _sub in opts.expand:
            link = entity.links[name]
            if not link.many and link.key not in cols:
                cols.append(link.key)
        return cols

    def page(self, entity: Entity, qs, opts: Options, url: str, params: list) -> dict:
        """One page of an entity set: ``value``, ``@iot.count`` when asked, ``@iot.nextLink`` when more."""
        qs = self.filtered(entity, qs, opts)
        top = DEFAULT_TOP if opts.top is None else opts.top
        out: dict = {}
        if opts.count:
            out["@iot.count"] = qs.order_by().count()
        rows = list(qs.order_by(*self.ordering(entity, opts)).values(*self.columns(entity, opts))
                    [opts.skip:opts.skip + top + 1])
        more = len(rows) > top
        rows = rows[:top]
        if more:
            out["@iot.nextLink"] = next_link(url, params, opts.skip + top, top)
        out["value"] = self.expanded(entity, rows, opts)
        return out

    def one(self, entity: Entity, qs, opts: Options) -> dict | None:
        qs = entity.scope(qs, self.who)
        rows = list(qs.values(*self.columns(entity, opts))[:1])
        if not rows:
            return None
        return self.expanded(entity, rows, opts)[0]

    def expanded(self, entity: Entity, rows: list, opts: Options) -> list:
        rendered = [self.render(entity, r, opts) for r in rows]
        for name, sub in opts.expand:
            link = entity.links[name]
            target = ENTITIES[link.target]
            if link.many:
                self._expand_many(entity, link, name, target, rows, rendered, sub)
            else:
                self._expand_one(link, name, target, rows, rendered, sub)
        return rendered

    def _expand_one(self, link: Link, name, target, rows, rendered, sub):
        ids = {r[link.key] for r in rows if r.get(link.key) is not None}
        found = {}
        if ids:
            qs = self.filtered(target, target.queryset().filter(pk__in=ids), sub)
            got = list(qs.values(*self.columns(target, sub)))
            for r, out in zip(got, self.expanded(target, got, sub), strict=True):
                found[r["id"]] = out
        for r, out in zip(rows, rendered, strict=True):
            hit = found.get(r.get(link.key))
            if hit is not None:
                out[name] = hit

    def _expand_many(self, entity, link: Link, name, target, rows, rendered, sub):
        parent_ids = [entity.id_of(r) for r in rows]
        if not parent_ids:
            return
        top = DEFAULT_TOP if sub.top is None else sub.top
        qs = self.filtered(target, target.queryset().filter(**{f"{link.key}__in": parent_ids}), sub)
        counts = {}
        if sub.count:
            counts = {p: n for p, n in qs.order_by().values_list(link.key).annotate(n=_count(target)).values_list(
                link.key, "n")}
        numbered = qs.annotate(_parent=F(link.key), _rn=Window(RowNumber(), partition_by=[F(link.key)],
                                                               order_by=self.ordering(target, sub)))
        got = list(numbered.filter(_rn__gt=sub.skip, _rn__lte=sub.skip + top + 1)
                   .order_by("_parent", "_rn").values(*self.columns(target, sub), "_parent", "_rn"))
        keep = [r for r in got if r["_rn"] <= sub.skip + top]
        more = {r["_parent"] for r in got if r["_rn"] > sub.skip + top}
        children: dict = {}
        for r, out in zip(keep, self.expanded(target, keep, sub), strict=True):
            children.setdefault(r["_parent"], []).append(out)
        for pid, out in zip(parent_ids, rendered, strict=True):
            out[name] = children.get(pid, [])
            if sub.count:
                out[f"{name}@iot.count"] = counts.get(pid, 0)
            if pid in more:
                nav = f"{self.self_link(entity, pid)}/{name}"
                out[f"{name}@iot.nextLink"] = next_link(nav, [], sub.skip + top, top)


def _count(target):
    from django.db.models import Count

    return Count("pk") if target.name != "Observations" else Count("phenomenon_ms")


def next_link(url: str, params: list, skip: int, top: int) -> str:
    kept = [(k, v) for k, v in params if k not in ("$skip", "$top")]
    kept += [("$top", str(top)), ("$skip", str(skip))]
    return url + "?" + "&".join(f"{quote(k, safe='$')}={quote(v, safe='')}" for k, v in kept)


def q_none():
    return Q(pk__in=[])
