"""The module-contract checker (run by ``smartcounty contract`` and in ``make test``).

Rules:
1. A module's app config subclasses ``ModuleConfig``; its label equals its folder; it has a Chinese
   and an English name; its plan actions are within 1-30; it depends only on modules that exist,
   and a foundation module never depends on a domain.
2. Code in one module imports another module only through that module's ``services`` or
   ``schemas``: never its models, views, api or anything else.
3. The kernel imports no module; the foundation imports no domain.
4. A module that imports another must declare it in ``depends_on``.
5-8. Services return plain data, no lookups through another module's fields, no ORM in ``api.py``, no import
   circles inside a module: see ``contract_boundaries``. Violations found when these checks came in and not yet
   moved are listed in ``contract_todo`` (the list only shrinks: a test fails on an entry that no longer occurs).
"""

import ast
from dataclasses import dataclass
from pathlib import Path

PUBLIC_PARTS = ("services", "schemas")
LAYERS = ("foundation", "domains")


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.message}"


def _owner(package_root: Path, path: Path) -> tuple[str, str]:
    """(layer, module) of a file: ('kernel', ''), ('foundation', 'places'), ('', '') for wiring."""
    rel = path.relative_to(package_root).parts
    if rel[0] == "kernel":
        return "kernel", ""
    if rel[0] in LAYERS and len(rel) > 2:
        return rel[0], rel[1]
    return "", ""


def _imported(node: ast.AST) -> list[str]:
    """Dotted names an import statement brings in (``from a.b import c`` gives ``a.b.c``)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [f"{node.module}.{a.name}" for a in node.names]
    return []


def check_imports(package_root: Path, package: str = "smartcounty", declared: dict | None = None) -> list[Violation]:
    """Check import boundaries of every .py under ``package_root`` (the ``smartcounty`` folder)."""
    declared = declared or {}
    violations = []
    for path in sorted(package_root.rglob("*.py")):
        layer, module = _owner(package_root, path)
        if not layer:
            continue
        rel = str(path.relative_to(package_root.parent))
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        except SyntaxError as exc:
            violations.append(Violation(rel, exc.lineno or 0, f"cannot parse: {exc.msg}"))
            continue
        for node in ast.walk(tree):
            for name in _imported(node):
                parts = name.split(".")
                if parts[0] != package or len(parts) < 3 or parts[1] not in LAYERS:
                    continue
                target_layer, target = parts[1], parts[2]
                if layer == "kernel":
                    violations.append(Violation(rel, node.lineno, f"the kernel imports module {target!r} ({name})"))
                    continue
                if (target_layer, target) == (layer, module):
                    continue
                if layer == "foundation" and target_layer == "domains":
                    violations.append(Violation(rel, node.lineno, f"foundation module {module!r} imports domain {target!r}"))
                    continue
                part = parts[3] if len(parts) > 3 else ""
                if part not in PUBLIC_PARTS:
                    what = "models" if part == "models" else (part or "the package itself")
                    violations.append(Violation(
                        rel, node.lineno,
                        f"module {module!r} imports {what} of module {target!r} ({name}); use its services or schemas"))
                    continue
                deps = declared.get(module)
                if deps is not None and target not in deps:
                    violations.append(Violation(rel, node.lineno,
                                                f"module {module!r} uses {target!r} without declaring it in depends_on"))
    return violations


def check_configs(app_configs) -> list[Violation]:
    from smartcounty.kernel.module import ModuleConfig

    violations = []
    labels = {c.label: c for c in app_configs}
    for config in app_configs:
        parts = config.name.split(".")
        if len(parts) < 3 or parts[1] not in LAYERS:
            continue
        where = config.name.replace(".", "/") + "/apps.py"
        if not isinstance(config, ModuleConfig):
            violations.append(Violation(where, 0, f"{config.name}: app config does not subclass ModuleConfig"))
            continue
        if config.label != parts[-1]:
            violations.append(Violation(where, 0, f"label {config.label!r} differs from folder {parts[-1]!r}"))
        if not config.name_zh or not config.name_en:
            violations.append(Violation(where, 0, f"{config.label}: needs name_zh and name_en"))
        bad = [a for a in config.plan_actions if not 1 <= a <= 30]
        if bad:
            violations.append(Violation(where, 0, f"{config.label}: plan actions outside 1-30: {bad}"))
        for dep in config.depends_on:
            target = labels.get(dep)
            if target is None:
                violations.append(Violation(where, 0, f"{config.label}: depends on unknown module {dep!r}"))
            elif parts[1] == "foundation" and getattr(target, "layer", "") == "domains":
                violations.append(Violation(where, 0, f"{config.label}: foundation module depends on domain {dep!r}"))
    return violations


def check_project(*, with_todo: bool = False) -> list[Violation]:
    """Every violation of the contract, but those still listed in ``contract_todo`` (``with_todo``: those too)."""
    from django.apps import apps

    from smartcounty.kernel import contract_boundaries, contract_todo
    from smartcounty.kernel.module import ModuleConfig

    root = Path(__file__).resolve().parent.parent
    configs = list(apps.get_app_configs())
    declared = {c.label: set(c.depends_on) for c in configs if isinstance(c, ModuleConfig)}
    found = check_configs(configs) + check_imports(root, declared=declared) + contract_boundaries.check_boundaries(root)
    if with_todo:
        return found
    return [v for v in found if not contract_boundaries.known(v, contract_todo.TODO)]
