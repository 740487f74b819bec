"""The module contract's boundary checks beyond imports (issue 21 #3), run by ``smartcounty contract``:

5. A module's public service (a function in ``services.py`` or the ``services`` package, or re-exported there
   from another file of the module) is not annotated to return a QuerySet, a Manager or a model of the module.
   (``tests/boundaries/test_plain_services.py`` also calls the services and checks what comes back.)
6. Code of one module uses no ORM lookup through another module's fields: ``thing__kind`` in weather walks
   sensing's ``Datastream.thing``; ``reporter__username`` in cases walks into accounts' users.
7. ``api.py`` touches no ORM: no ``.objects``, no import of models or ``django.db.models``, no
   ``get_object_or_404``, no queryset methods that only the ORM has.
8. A module's files do not import each other in a circle (imports at any level of a file count, lazy ones
   too: a circle through a function-level import is still two files that cannot be understood apart).

Each check reads source with ``ast``; the model index (which fields each module's models have, and where their
relations lead) comes from Django's app registry, or is given by a test.
"""

import ast
from dataclasses import dataclass, field
from pathlib import Path

from smartcounty.kernel.contract import LAYERS, Violation

#: Methods and functions whose string arguments (and keyword names) are ORM lookup paths.
LOOKUP_METHODS = {"filter", "exclude", "get", "get_or_create", "update_or_create", "values", "values_list",
                  "order_by", "select_related", "prefetch_related", "only", "defer", "annotate", "aggregate",
                  "distinct", "update", "in_bulk"}
LOOKUP_FUNCTIONS = {"F", "Q", "Count", "Sum", "Avg", "Min", "Max", "Prefetch", "OuterRef", "Subquery"}
#: Admin options that name lookup paths.
ADMIN_LOOKUPS = {"search_fields", "list_filter", "list_select_related", "ordering", "autocomplete_fields",
                 "raw_id_fields", "list_display", "readonly_fields", "fields"}
#: Attribute calls in api.py that only a queryset (or manager) has.
ORM_ONLY_METHODS = {"select_related", "prefetch_related", "annotate", "aggregate", "values_list", "select_for_update",
                    "bulk_create", "bulk_update", "get_or_create", "update_or_create", "in_bulk"}
ORM_SHORTCUTS = {"get_object_or_404", "get_list_or_404"}
BAD_RETURNS = {"QuerySet", "Manager", "BaseManager", "RawQuerySet"}


@dataclass
class ModelIndex:
    """Per module label: the field names of its models and, for relation fields, the label they lead to."""

    fields: dict[str, set[str]] = field(default_factory=dict)
    relations: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    model_names: dict[str, set[str]] = field(default_factory=dict)

    def add(self, label: str, model: str, fields: dict[str, str | None]) -> None:
        """``fields``: name -> target module label for relations (None for plain fields)."""
        self.model_names.setdefault(label, set()).add(model)
        own = self.fields.setdefault(label, set())
        rel = self.relations.setdefault(label, {})
        for name, target in fields.items():
            own.add(name)
            if target is not None:
                rel.setdefault(name, set()).add(target)


def model_index_from_django() -> ModelIndex:
    from django.apps import apps

    index = ModelIndex()
    for model in apps.get_models():
        label = model._meta.app_label
        fields = {}
        for f in model._meta.get_fields():
            name = getattr(f, "name", None)
            if not name:
                continue
            target = f.related_model._meta.app_label if getattr(f, "is_relation", False) and f.related_model \
                and f.related_model is not model else None
            fields[name] = target
        index.add(label, model.__name__, fields)
    return index


# --- helpers ------------------------------------------------------------------------------------

def _module_files(package_root: Path):
    """(layer, module, path) of every .py of every module (migrations left out)."""
    for layer in LAYERS:
        base = package_root / layer
        if not base.is_dir():
            continue
        for mod in sorted(p for p in base.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
            for path in sorted(mod.rglob("*.py")):
                if "migrations" in path.relative_to(mod).parts:
                    continue
                yield layer, mod.name, path


def _parse(path: Path, rel: str, violations: list) -> ast.AST | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=rel)
    except SyntaxError as exc:
        violations.append(Violation(rel, exc.lineno or 0, f"cannot parse: {exc.msg}"))
        return None


def _is_test(path: Path, mod_dir: Path) -> bool:
    parts = path.relative_to(mod_dir).parts
    return parts[0] == "tests" or path.name.startswith("test_") or path.name == "conftest.py"


def _names_in(node: ast.AST) -> set[str]:
    """Every bare name and attribute name in an annotation (strings parsed too)."""
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, ast.Attribute):
            out.add(n.attr)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            try:
                out |= _names_in(ast.parse(n.value, mode="eval"))
            except SyntaxError:
                pass
    return out


def _model_classes(mod_dir: Path) -> set[str]:
    """Class names defined in the module's models.py or models/ package."""
    names = set()
    files = [mod_dir / "models.py"] if (mod_dir / "models.py").exists() else sorted((mod_dir / "models").glob("*.py"))
    for path in files:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError):
            continue
        names |= {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    return names


# --- 5. public services return plain data ------------------------------------------------------

def _service_files(mod_dir: Path) -> list[Path]:
    if (mod_dir / "services.py").exists():
        return [mod_dir / "services.py"]
    if (mod_dir / "services").is_dir():
        return sorted((mod_dir / "services").glob("*.py"))
    return []


def _functions(tree: ast.AST) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def check_service_returns(package_root: Path, package: str = "smartcounty") -> list[Violation]:
    violations = []
    for layer in LAYERS:
        base = package_root / layer
        if not base.is_dir():
            continue
        for mod_dir in sorted(p for p in base.iterdir() if p.is_dir()):
            files = _service_files(mod_dir)
            if not files:
                continue
            bad = BAD_RETURNS | _model_classes(mod_dir)
            prefix = f"{package}.{layer}.{mod_dir.name}."
            for path in files:
                rel = str(path.relative_to(package_root.parent))
                tree = _parse(path, rel, violations)
                if tree is None:
                    continue
                public = {name: (fn, rel) for name, fn in _functions(tree).items() if not name.startswith("_")}
                # re-exported from another file of the module: ``from <module>.<file> import f`` or ``f = _file.f``
                aliases = {}
                for node in tree.body:
                    if isinstance(node, ast.ImportFrom) and node.module == prefix[:-1]:  # import a file of the module
                        for a in node.names:
                            aliases[a.asname or a.name] = f"{node.module}.{a.name}"
                    elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(prefix):
                        for a in node.names:
                            if a.asname is None or not a.asname.startswith("_"):
                                if not (a.asname or a.name).startswith("_"):
                                    public.setdefault(a.asname or a.name, (node.module, a.name))
                            if a.asname:
                                aliases[a.asname] = f"{node.module}.{a.name}"
                    elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute) \
                            and isinstance(node.value.value, ast.Name) and node.value.value.id in aliases:
                        for t in node.targets:
                            if isinstance(t, ast.Name) and not t.id.startswith("_"):
                                public[t.id] = (aliases[node.value.value.id], node.value.attr)
                for name, (where, attr) in sorted(public.items(), key=lambda kv: kv[0]):
                    if isinstance(where, ast.AST):
                        fn, fn_rel = where, attr
                    else:
                        fn, fn_rel = _resolve(package_root, package, where, attr)
                        if fn is None:
                            continue
                    if fn.returns is None:
                        continue
                    found = _names_in(fn.returns) & bad
                    if found:
                        violations.append(Violation(
                            fn_rel, fn.lineno,
                            f"public service {mod_dir.name}.services.{name} returns {', '.join(sorted(found))}: "
                            "return plain data (a schema, a dataclass, ids or kernel.rows.Rows)"))
    return violations


def _resolve(package_root: Path, package: str, dotted: str, attr: str):
    parts = dotted.split(".")[1:]
    path = package_root.joinpath(*parts).with_suffix(".py")
    if not path.exists():
        return None, ""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return None, ""
    return _functions(tree).get(attr), str(path.relative_to(package_root.parent))


# --- 6. no lookups through another module's fields ---------------------------------------------

def _lookup_strings(tree: ast.AST, *, admin: bool):
    """(line, lookup path) of the ORM lookup paths a file spells out."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else (func.id if isinstance(func, ast.Name) else "")
            if name not in LOOKUP_METHODS and name not in LOOKUP_FUNCTIONS:
                continue
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield node.lineno, arg.value, name
            for kw in node.keywords:
                if kw.arg:
                    yield node.lineno, kw.arg, name
                if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str) and name in LOOKUP_FUNCTIONS:
                    yield node.lineno, kw.value.value, name
        elif admin and isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if not set(targets) & ADMIN_LOOKUPS or not isinstance(node.value, (ast.Tuple, ast.List)):
                continue
            for elt in node.value.elts:
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    yield node.lineno, elt.value.lstrip("^=@"), "admin"


def check_lookups(package_root: Path, index: ModelIndex) -> list[Violation]:
    violations = []
    for layer, module, path in _module_files(package_root):
        mod_dir = package_root / layer / module
        if _is_test(path, mod_dir):
            continue
        rel = str(path.relative_to(package_root.parent))
        tree = _parse(path, rel, violations)
        if tree is None:
            continue
        own_fields = index.fields.get(module, set())
        own_rel = index.relations.get(module, {})
        for line, text, how in _lookup_strings(tree, admin=path.name == "admin.py"):
            path_text = text.lstrip("-")
            if not path_text or not path_text.replace("_", "").isalnum():
                continue
            first, _, rest = path_text.partition("__")
            if not rest and how not in ("select_related", "prefetch_related", "Prefetch"):
                continue
            if first in own_rel:
                foreign = sorted(t for t in own_rel[first] if t != module)
                if foreign:
                    violations.append(Violation(
                        rel, line, f"lookup {text!r} joins from module {module!r} into {foreign[0]!r}'s tables "
                                   f"({first!r} leads there); ask {foreign[0]}'s services instead"))
                continue
            if first in own_fields:
                continue
            owners = sorted(label for label, rels in index.relations.items() if label != module and first in rels)
            if owners:
                violations.append(Violation(
                    rel, line, f"lookup {text!r} in module {module!r} walks {owners[0]!r}'s field {first!r}; "
                               f"ask {owners[0]}'s services for the value instead"))
    return violations


# --- 7. api.py touches no ORM ------------------------------------------------------------------

def check_api_orm(package_root: Path, package: str = "smartcounty") -> list[Violation]:
    violations = []
    for layer, module, path in _module_files(package_root):
        mod_dir = package_root / layer / module
        parts = path.relative_to(mod_dir).parts
        if not (parts == ("api.py",) or (parts[0] == "api" and len(parts) == 2)):
            continue
        rel = str(path.relative_to(package_root.parent))
        tree = _parse(path, rel, violations)
        if tree is None:
            continue
        own_models = f"{package}.{layer}.{module}.models"
        imported = {(a.asname or a.name).split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                    for a in n.names}
        for node in ast.walk(tree):
            what = None
            if isinstance(node, ast.Attribute) and node.attr == "objects":
                what = "uses a model manager (.objects)"
            elif isinstance(node, ast.Attribute) and node.attr in ORM_ONLY_METHODS and not (
                    isinstance(node.value, ast.Name) and node.value.id in imported):  # services.aggregate() is fine
                what = f"calls the queryset method {node.attr}()"
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = {a.name for a in node.names}
                if node.module == own_models or node.module.startswith(own_models + ".") or node.module.endswith(
                        ".models") and node.module.startswith(package):
                    what = f"imports models ({node.module})"
                elif node.module in ("django.db.models", "django.db.models.functions"):
                    what = f"imports the ORM ({node.module})"
                elif node.module == "django.shortcuts" and names & ORM_SHORTCUTS:
                    what = f"uses {', '.join(sorted(names & ORM_SHORTCUTS))}"
                elif node.module == "django.apps" and "apps" in names:
                    what = None
            elif isinstance(node, ast.Import) and any(a.name == "django.db.models" for a in node.names):
                what = "imports the ORM (django.db.models)"
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get_model":
                what = "looks up a model (apps.get_model)"
            if what:
                violations.append(Violation(rel, getattr(node, "lineno", 0),
                                            f"api.py of module {module!r} {what}: parse, authorise and call a service"))
    return violations


# --- 8. no import circles inside a module ------------------------------------------------------

def _file_name(mod_dir: Path, path: Path) -> str:
    parts = list(path.relative_to(mod_dir).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def check_import_cycles(package_root: Path, package: str = "smartcounty") -> list[Violation]:
    violations = []
    for layer in LAYERS:
        base = package_root / layer
        if not base.is_dir():
            continue
        for mod_dir in sorted(p for p in base.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
            prefix = f"{package}.{layer}.{mod_dir.name}"
            graph: dict[str, dict[str, int]] = {}
            paths = {}
            for path in sorted(mod_dir.rglob("*.py")):
                rel_parts = path.relative_to(mod_dir).parts
                if "migrations" in rel_parts or _is_test(path, mod_dir):
                    continue
                name = _file_name(mod_dir, path)
                if not name:
                    continue  # the package's __init__ imports nothing of its own worth a circle
                rel = str(path.relative_to(package_root.parent))
                paths[name] = rel
                tree = _parse(path, rel, violations)
                if tree is None:
                    continue
                edges = graph.setdefault(name, {})
                for node in ast.walk(tree):
                    targets = []
                    if isinstance(node, ast.Import):
                        targets = [a.name for a in node.names]
                    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                        # ``from pkg import submodule`` imports the submodule; ``from file import name``, the file
                        base = node.module[len(prefix) + 1:] if node.module.startswith(prefix + ".") else None
                        for a in node.names:
                            sub = f"{base}.{a.name}" if base else a.name
                            if node.module.startswith(prefix) and _known(mod_dir, sub if base else a.name):
                                targets.append(f"{prefix}.{sub}")
                            else:
                                targets.append(node.module)
                    for t in targets:
                        if not t.startswith(prefix + "."):
                            continue
                        target = t[len(prefix) + 1:]
                        # the longest known file name it names (``a.b.c`` may be file ``a.b`` and name ``c``)
                        while target and target not in _known(mod_dir, target):
                            target = target.rpartition(".")[0]
                        if target and target != name:
                            edges.setdefault(target, node.lineno)
            for cycle in _cycles(graph):
                first = cycle[0]
                line = graph[first][cycle[1]]
                violations.append(Violation(paths.get(first, first), line,
                                            f"module {mod_dir.name!r} imports in a circle: "
                                            + " → ".join([*cycle, cycle[0]])))
    return violations


def _known(mod_dir: Path, dotted: str) -> set[str]:
    p = mod_dir.joinpath(*dotted.split("."))
    return {dotted} if p.with_suffix(".py").exists() or (p / "__init__.py").exists() else set()


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one file (Tarjan), in a stable order."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, {})):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(_path_in(graph, set(comp)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _path_in(graph, comp: set[str]) -> list[str]:
    """A simple cycle through the smallest name of a strongly connected component."""
    start = min(comp)
    seen = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, {})):
            if w not in comp:
                continue
            if w == start:
                path = [v]
                while seen[path[-1]] is not None:
                    path.append(seen[path[-1]])
                return list(reversed(path))
            if w not in seen:
                seen[w] = v
                queue.append(w)
    return sorted(comp)


def check_boundaries(package_root: Path, index: ModelIndex | None = None) -> list[Violation]:
    index = index if index is not None else model_index_from_django()
    found = (check_service_returns(package_root) + check_lookups(package_root, index) + check_api_orm(package_root)
             + check_import_cycles(package_root))
    seen, out = set(), []
    for v in found:
        if (v.path, v.line, v.message) not in seen:
            seen.add((v.path, v.line, v.message))
            out.append(v)
    return out


def known(v: Violation, todo) -> bool:
    """A violation listed in ``contract_todo.TODO`` (matched by file and message, not line)."""
    return (v.path, v.message) in todo
