"""Services return plain data, checked by calling them (issue 21 #3; the contract reads their annotations).

With the demo loaded, every public read service of every module that needs no argument is called, and so are
the read services other modules call with arguments; what comes back must hold no QuerySet and no model instance
(looked into lists, tuples, dicts, dataclasses and the first rows of a ``kernel.rows.Rows``). Services still
listed as leftovers in ``kernel/contract_todo.py`` are skipped by name until they move.
"""

import dataclasses
import importlib
import inspect
import re

import pytest
from django.db.models import Model, QuerySet

from smartcounty.kernel import contract_todo
from smartcounty.kernel.rows import Rows

#: Names that change something: never called blindly.
WRITES = re.compile(r"^(create|update|delete|ensure|sync|run|check|ingest|load|set|raise|resolve|acknowledge|issue|"
                    r"revoke|submit|decide|publish|pull|register|import|save|add|mark|assign|configure|route|report|"
                    r"transition|file|close|reset|record|backfill|clear|send|notify|start|stop|purge|rotate|catch|"
                    r"assess|judge|dead_letter|expand|parse|locate|demo|invalidate|forget|refresh|seed|simulate|"
                    r"retrain|train|forecast|on_|handle|process|flush|drain|replay|apply|verify|accept|reject|"
                    r"open_resource|register_app|make|build|compute|recompute|rebuild|move|copy|emit|dispatch)")


def _known_leftovers() -> set[str]:
    found = set()
    for _path, message in contract_todo.TODO:
        m = re.match(r"public service (\w+)\.services\.(\w+) returns", message)
        if m:
            found.add(f"{m.group(1)}.{m.group(2)}")
    return found | set(contract_todo.RUNTIME_TODO)


def _leaks(value, depth=0):
    """A description of the first QuerySet or model instance inside ``value`` (None when plain)."""
    if depth > 4:
        return None
    if isinstance(value, QuerySet):
        return f"a QuerySet of {value.model.__name__}"
    if isinstance(value, Model):
        return f"a {type(value).__name__} instance"
    if isinstance(value, Rows):
        return next((x for x in (_leaks(v, depth + 1) for v in value[0:3]) if x), None)
    if isinstance(value, dict):
        return next((x for x in (_leaks(v, depth + 1) for v in value.values()) if x), None)
    if isinstance(value, (list, tuple, set, frozenset)):
        return next((x for x in (_leaks(v, depth + 1) for v in list(value)[:20]) if x), None)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return next((x for x in (_leaks(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)) if x),
                    None)
    return None


def _service_modules():
    from django.apps import apps

    from smartcounty.kernel.module import ModuleConfig

    for config in apps.get_app_configs():
        if isinstance(config, ModuleConfig):
            try:
                yield config.label, importlib.import_module(f"{config.name}.services")
            except ModuleNotFoundError:
                continue


def test_every_argument_free_read_service_returns_plain_data(demo):
    skip = _known_leftovers()
    called, leaks = 0, []
    for label, module in _service_modules():
        for name, fn in sorted(vars(module).items()):
            if name.startswith("_") or not inspect.isfunction(fn) or WRITES.match(name) or f"{label}.{name}" in skip:
                continue
            if not fn.__module__.startswith(module.__name__.rsplit(".", 1)[0]):
                continue  # imported from elsewhere (the kernel, Django)
            params = inspect.signature(fn).parameters.values()
            if any(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                   for p in params):
                continue
            try:
                value = fn()
            except Exception:  # noqa: BLE001 - a read that needs set-up the demo lacks is not what is checked
                continue
            called += 1
            leak = _leaks(value)
            if leak:
                leaks.append(f"{label}.services.{name}() returned {leak}")
    assert called >= 10
    assert leaks == [], "\n".join(leaks)


def test_the_runtime_leftovers_still_leak(demo):
    """An entry of ``contract_todo.RUNTIME_TODO`` goes once its service returns plain data."""
    modules = dict(_service_modules())
    fixed = []
    for entry in sorted(contract_todo.RUNTIME_TODO):
        label, name = entry.split(".")
        fn = getattr(modules.get(label), name, None)
        if fn is None or not _leaks(fn()):
            fixed.append(entry)
    assert fixed == []


def test_the_reads_other_modules_call_return_plain_data(demo):
    from django.contrib.auth import get_user_model

    from smartcounty.foundation.alerts import services as alerts
    from smartcounty.foundation.sensing import services as sensing

    admin = get_user_model().objects.get(username="admin")
    first = sensing.latest_values().first()
    calls = {
        "sensing.latest_values": lambda: sensing.latest_values(property_code="water_level"),
        "sensing.latest_value": lambda: sensing.latest_value(first.id),
        "sensing.thing_rows": lambda: sensing.thing_rows(sensing.reader(admin)),
        "sensing.device_counts": lambda: sensing.device_counts(sensing.reader(admin)),
        "sensing.property_counts": lambda: sensing.property_counts(sensing.reader(admin)),
        "sensing.map_points": lambda: sensing.map_points((115.27, 36.36, 115.78, 36.70), 50),
        "sensing.map_cells": lambda: sensing.map_cells((115.27, 36.36, 115.78, 36.70), 8),
        "sensing.create_thing": lambda: sensing.create_thing("plain-1", "检查", lon=115.4, lat=36.5),
        "sensing.create_datastream": lambda: sensing.create_datastream(sensing.thing_ref(first.thing_id), "pm25"),
        "alerts.alert_list": lambda: alerts.alert_list(alerts.reader(admin)),
        "alerts.rule_list": lambda: alerts.rule_list(alerts.reader(admin)),
        "alerts.open_alert_counts": lambda: alerts.open_alert_counts(alerts.reader(admin)),
    }
    leaks = [f"{name} returned {leak}" for name, call in calls.items() if (leak := _leaks(call()))]
    assert leaks == []


@pytest.mark.parametrize("value, leak", [([1, {"a": (2, 3)}], None), ("text", None)])
def test_the_checker_itself(value, leak, db):
    from smartcounty.kernel.models import AuditEntry

    assert _leaks(value) == leak
    assert _leaks({"rows": AuditEntry.objects.all()}) == "a QuerySet of AuditEntry"
    assert _leaks([AuditEntry(action="x")]) == "a AuditEntry instance"
