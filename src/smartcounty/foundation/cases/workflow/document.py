"""Reading, writing and checking workflow definition documents (see the package docstring for the format)."""

import json
import re

import yaml
from django.utils.translation import gettext as _

from smartcounty.foundation.cases.workflow import guards
from smartcounty.foundation.cases.workflow import problems as p

KEY = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
TYPE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,29}(\.[a-z][a-z0-9_]{0,29})?$")
PREFIX = re.compile(r"^[A-Z]{2,4}$")
UNITS = ("hours", "working_days", "natural_days")
LANES = ("owner", "responsible", "reporter", "supervisor", "none")
RELATIONS = ("queue", "responsible", "owner", "supervisor", "reporter", "any")
FLAGS = ("closes", "rework", "reopen", "assign", "rate", "public")
MAX_BYTES = 256 * 1024


def roles() -> tuple[str, ...]:
    from smartcounty.foundation.accounts.schemas import Role

    return tuple(Role.values)


class _Loader(yaml.SafeLoader):
    """YAML with YAML 1.2's booleans (true/false only): in YAML 1.1 an unquoted ``on``, ``off``, ``yes`` or ``no``
    is a boolean, so a notification's ``{on: done}`` lost its key and ``否`` answers read ``no`` as False."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def parse(text: str) -> dict:
    """A definition document from JSON or YAML text; ``DefinitionInvalid`` when it cannot be read."""
    if len(text.encode()) > MAX_BYTES:
        raise p.DefinitionInvalid([p.BadDocument(reason=_("it is larger than 256 KB."))])
    try:
        doc = json.loads(text) if text.lstrip().startswith("{") else yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except (ValueError, yaml.YAMLError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = _("line %(n)s") % {"n": line + 1} if line is not None else str(exc)[:80]
        raise p.DefinitionInvalid([p.BadDocument(reason=_("not JSON or YAML (%(where)s).") % {"where": where})]) \
            from None
    if not isinstance(doc, dict):
        raise p.DefinitionInvalid([p.BadDocument(reason=_("it is not an object of key, title, states and steps."))])
    return doc


def dump(doc: dict, fmt: str = "yaml") -> str:
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)


def as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def whos(spec: dict, default_relation: str) -> list[dict]:
    """The (roles, relation, organisations) entries of a transition or branch."""
    if "who" in spec:
        return [w if isinstance(w, dict) else {} for w in as_list(spec["who"])]
    return [{"roles": spec.get("roles", []), "relation": spec.get("relation", default_relation),
             "organisations": spec.get("organisations", [])}]


def limit_problem(limit) -> bool:
    if limit is None:
        return False
    if not isinstance(limit, dict) or set(limit) - {"amount", "unit"}:
        return True
    amount = limit.get("amount")
    ok = not isinstance(amount, bool) and isinstance(amount, (int, float)) and 0 < amount <= 3650
    return not ok or limit.get("unit", "working_days") not in UNITS


def _text(value, limit=60) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= limit


def known_fields(doc: dict) -> set[str]:
    out = set(guards.CASE_FIELDS) | set((doc.get("fields") or {}) if isinstance(doc.get("fields"), dict) else ())
    forms = doc.get("forms")
    if isinstance(forms, dict):
        for form in forms.values():
            for f in (form or {}).get("fields", []) if isinstance(form, dict) else ():
                if isinstance(f, dict) and isinstance(f.get("key"), str):
                    out.add(f["key"])
    for t in doc.get("transitions") or ():
        if isinstance(t, dict):
            out.update(k for k in as_list(t.get("required")) if isinstance(k, str))
    return out


def check(doc) -> list[p.Problem]:
    """Everything wrong with ``doc``, each as a ``Problem`` naming the state or step at fault."""
    if not isinstance(doc, dict):
        return [p.BadDocument(reason=_("it is not an object of key, title, states and steps."))]
    out: list[p.Problem] = []
    if not isinstance(doc.get("key"), str) or not TYPE_KEY.match(doc["key"]):
        out.append(p.BadValue("key", part="key", reason=_("small letters, digits and _, one dot at most.")))
    if not _text(doc.get("title"), 100):
        out.append(p.BadValue("title", part="title", reason=_("a Chinese title of 1-100 characters is needed.")))
    if "prefix" in doc and not (isinstance(doc["prefix"], str) and PREFIX.match(doc["prefix"])):
        out.append(p.BadValue("prefix", part="prefix", reason=_("2-4 capital letters.")))
    if limit_problem(doc.get("legal_limit")):
        out.append(p.BadLimit("legal_limit", part=_("the case"), units=", ".join(UNITS)))
    known_roles = roles()
    for role in as_list(doc.get("filed_by", ["*"])):
        if role != "*" and role not in known_roles:
            out.append(p.UnknownRole("filed_by", part="filed_by", role=role, roles=", ".join(known_roles)))
    states = doc.get("states")
    transitions = doc.get("transitions")
    if not isinstance(states, list) or not states or not all(isinstance(s, dict) for s in states):
        return [*out, p.BadValue("states", part="states", reason=_("a list of states is needed."))]
    if not isinstance(transitions, list) or not all(isinstance(t, dict) for t in transitions):
        return [*out, p.BadValue("transitions", part="transitions", reason=_("a list of steps is needed."))]
    out.extend(_check_states(states, known_roles))
    out.extend(_check_transitions(doc, states, transitions, known_roles))
    out.extend(_check_graph(states, transitions))
    out.extend(_check_extras(doc, states, transitions))
    return out


def _check_states(states, known_roles):
    out, seen = [], set()
    for s in states:
        key = s.get("key")
        path = f"states.{key}"
        if not isinstance(key, str) or not KEY.match(key):
            out.append(p.BadValue(path, part=_("a state"), reason=_("its key is small letters, digits and _.")))
            continue
        if key in seen:
            out.append(p.DuplicateKey(path, key=key))
        seen.add(key)
        if not _text(s.get("title")):
            out.append(p.BadValue(path, part=key, reason=_("a Chinese title of 1-60 characters is needed.")))
        if s.get("lane", "owner") not in LANES:
            out.append(p.BadValue(path, part=key, reason=_("lane is one of: %(l)s.") % {"l": ", ".join(LANES)}))
        if limit_problem(s.get("limit")):
            out.append(p.BadLimit(path, part=key, units=", ".join(UNITS)))
        for role in as_list(s.get("roles")):
            if role != "*" and role not in known_roles:
                out.append(p.UnknownRole(path, part=key, role=role, roles=", ".join(known_roles)))
        for b in as_list(s.get("branches")):
            bkey = b.get("key") if isinstance(b, dict) else None
            bpath = f"{path}.branches.{bkey}"
            if not isinstance(bkey, str) or not KEY.match(bkey) or not _text(b.get("title")):
                out.append(p.BadValue(bpath, part=key, reason=_("each branch needs a key and a title.")))
                continue
            if limit_problem(b.get("limit")):
                out.append(p.BadLimit(bpath, part=f"{key}/{bkey}", units=", ".join(UNITS)))
            for w in whos(b, "any"):
                for role in as_list(w.get("roles")) or [None]:
                    if role != "*" and role not in known_roles:
                        out.append(p.UnknownRole(bpath, part=f"{key}/{bkey}", role=role,
                                                 roles=", ".join(known_roles)))
    starts = [s["key"] for s in states if s.get("start")]
    if not starts:
        out.append(p.NoStartState("states"))
    elif len(starts) > 1:
        out.append(p.ManyStartStates("states", states=", ".join(map(str, starts))))
    if not any(s.get("terminal") for s in states):
        out.append(p.NoTerminalState("states"))
    forks = {s.get("key") for s in states if s.get("branches")}
    joined = set()
    for s in states:
        fork = s.get("join_of")
        if fork is not None:
            if fork not in forks:
                out.append(p.JoinWithoutFork(f"states.{s.get('key')}", state=s.get("key"), fork=fork))
            joined.add(fork)
    for fork in sorted(forks - joined, key=str):
        out.append(p.ForkWithoutJoin(f"states.{fork}", state=fork))
    return out


def _check_transitions(doc, states, transitions, known_roles):
    out, seen = [], set()
    keys = {s.get("key") for s in states}
    terminal = {s.get("key") for s in states if s.get("terminal")}
    fields = known_fields(doc)
    for t in transitions:
        key = t.get("key")
        path = f"transitions.{key}"
        if not isinstance(key, str) or not KEY.match(key):
            out.append(p.BadValue(path, part=_("a step"), reason=_("its key is small letters, digits and _.")))
            continue
        if key in seen:
            out.append(p.DuplicateKey(path, key=key))
        seen.add(key)
        if not _text(t.get("title")):
            out.append(p.BadValue(path, part=key, reason=_("a Chinese title of 1-60 characters is needed.")))
        sources = as_list(t.get("from"))
        if not sources:
            out.append(p.BadValue(path, part=key, reason=_("from: the states the step starts from.")))
        for name in [*sources, t.get("to")]:
            if name not in keys:
                out.append(p.UnknownState(path, transition=key, state=name))
        for w in whos(t, "queue"):
            if w.get("relation", "queue") not in RELATIONS:
                out.append(p.UnknownRelation(path, transition=key, relation=w.get("relation"),
                                             relations=", ".join(RELATIONS)))
            for role in as_list(w.get("roles")) or ([] if t.get("timer") else [None]):
                if role != "*" and role not in known_roles:
                    out.append(p.UnknownRole(path, part=key, role=role, roles=", ".join(known_roles)))
        for flag in FLAGS:
            if flag in t and not isinstance(t[flag], bool):
                out.append(p.BadValue(path, part=key, reason=_("%(flag)s is true or false.") % {"flag": flag}))
        if not all(isinstance(r, str) and r for r in as_list(t.get("required"))):
            out.append(p.BadValue(path, part=key, reason=_("required lists field keys.")))
        if t.get("guard") is not None:
            reason = guards.problem(t["guard"], fields)
            if reason:
                out.append(p.BadGuard(path, transition=key, reason=reason))
        if t.get("timer") is not None:
            reason = None
            if limit_problem(t["timer"]):
                reason = _("give an amount above 0 and a unit of %(units)s.") % {"units": ", ".join(UNITS)}
            elif [r for r in as_list(t.get("required")) if r != "note"]:
                reason = _("a step taken by the system cannot ask for fields.")
            elif any(s in terminal for s in sources):
                reason = _("it starts from a terminal state, where no clock runs.")
            elif t.get("assign") or t.get("rate"):
                reason = _("a step taken by the system cannot assign or rate.")
            if reason:
                out.append(p.BadTimer(path, transition=key, reason=reason))
    return out


def _edges(states, transitions) -> dict[str, set[str]]:
    edges = {s.get("key"): set() for s in states}
    for t in transitions:
        for src in as_list(t.get("from")):
            if src in edges and t.get("to") in edges:
                edges[src].add(t.get("to"))
    for s in states:
        if s.get("join_of") in edges:
            edges[s["join_of"]].add(s.get("key"))
    return edges


def _closure(start: set, edges) -> set:
    seen, todo = set(start), list(start)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _check_graph(states, transitions):
    starts = [s.get("key") for s in states if s.get("start")]
    terminal = {s.get("key") for s in states if s.get("terminal")}
    if len(starts) != 1 or not terminal:
        return []
    edges = _edges(states, transitions)
    out = []
    reached = _closure({starts[0]}, edges)
    back: dict[str, set[str]] = {k: set() for k in edges}
    for a, targets in edges.items():
        for b in targets:
            back[b].add(a)
    ending = _closure(terminal, back)
    for s in states:
        key = s.get("key")
        if key not in reached:
            out.append(p.UnreachableState(f"states.{key}", state=key))
        elif key not in ending:
            out.append(p.DeadEnd(f"states.{key}", state=key))
    return out


def _check_extras(doc, states, transitions):
    from smartcounty.foundation.cases.forms import validate_forms

    out = []
    for path, message in validate_forms(doc.get("forms") or {}):
        out.append(p.BadForm(f"forms.{path}", form=path.split(".", 1)[0], reason=message))
    states_keys = {s.get("key") for s in states}
    steps = {t.get("key") for t in transitions}
    for i, n in enumerate(as_list(doc.get("notifications")), start=1):
        if not isinstance(n, dict):
            out.append(p.BadNotification("notifications", index=i, reason=_("an object of on, to and message.")))
            continue
        on = n.get("on", "")
        ok_on = on in states_keys or (isinstance(on, str) and on.startswith("step:") and on[5:] in steps)
        if not ok_on:
            out.append(p.BadNotification("notifications", index=i,
                                         reason=_("on names a state or step:<step key> of this definition.")))
        if n.get("to") not in LANES[:4]:
            out.append(p.BadNotification("notifications", index=i,
                                         reason=_("to is one of: %(l)s.") % {"l": ", ".join(LANES[:4])}))
        if not _text(n.get("message"), 200):
            out.append(p.BadNotification("notifications", index=i, reason=_("a message of 1-200 characters.")))
    return out
