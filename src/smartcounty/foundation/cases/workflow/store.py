"""Definitions and their versions in the database, and the case types they make.

``save`` keeps a checked draft; ``publish`` turns the draft into a new version (when it changed) that new
cases start on; a case keeps the version it started on (``Case.workflow_version``) to the end.

Each process keeps the case types it compiled; a version never changes, so a type compiled from one is kept
for good. Which version is current per definition is re-read when the generation stamp in Django's cache
(``GENERATION``) changes: ``publish`` sets a new stamp, so every process sharing the cache (Redis) sees it at
once; without a shared cache they re-read it every ``RECHECK_SECONDS``.
"""

import copy
import threading
import time
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcounty.foundation.cases.models import Case, WorkflowDefinition, WorkflowVersion
from smartcounty.foundation.cases.schemas import CaseType
from smartcounty.foundation.cases.workflow import document
from smartcounty.foundation.cases.workflow import problems as p
from smartcounty.foundation.cases.workflow.compile import compile_document
from smartcounty.kernel import audit, registry

GENERATION = "cases.workflow.generation"
#: Re-read the current versions at least this often (a process whose cache is its own, not Redis, sees a
#: version published elsewhere this late).
RECHECK_SECONDS = 30
_lock = threading.Lock()
_versions: dict[int, CaseType] = {}
_current: dict = {"generation": None, "types": {}}


def forget() -> None:
    """Drop what this process compiled (tests roll the database back under it)."""
    with _lock:
        _versions.clear()
        _current.update(generation=None, types={})
    cache.delete(GENERATION)


def _bump() -> None:
    cache.set(GENERATION, uuid.uuid4().hex, timeout=None)


def check(doc) -> list[p.Problem]:
    problems = document.check(doc)
    key = doc.get("key") if isinstance(doc, dict) else None
    if isinstance(key, str) and key in registry.case_types and registry.case_types.get(key).version_id is None:
        problems.insert(0, p.BadValue("key", part="key", reason=_("%(key)s is a case type of a module; choose "
                                                                  "another key.") % {"key": key}))
    return problems


def save(doc, *, actor=None) -> WorkflowDefinition:
    """Keep ``doc`` (a dict, or JSON/YAML text) as the draft of its definition, if it has no problems."""
    if isinstance(doc, str):
        doc = document.parse(doc)
    problems = check(doc)
    if problems:
        raise p.DefinitionInvalid(problems)
    with transaction.atomic():
        definition, created = WorkflowDefinition.objects.update_or_create(
            key=doc["key"], defaults={"title": doc["title"].strip(), "document": doc})
        audit.record("cases.workflow_save", actor=actor, obj=definition,
                     detail={"key": definition.key, "created": created})
    return definition


def publish(key: str, *, actor=None, now=None) -> WorkflowVersion:
    """Make the draft of definition ``key`` its current version (a new one only when the draft changed)."""
    with transaction.atomic():
        definition = WorkflowDefinition.objects.select_for_update().get(key=key)
        problems = check(definition.document)
        if problems:
            raise p.DefinitionInvalid(problems)
        last = definition.versions.order_by("-number").first()
        if last is not None and last.document == definition.document:
            return last
        version = WorkflowVersion.objects.create(
            definition=definition, number=(last.number + 1) if last else 1,
            document=copy.deepcopy(definition.document), published_at=now or timezone.now(),
            published_by=str(actor) if actor is not None else "system")
        audit.record("cases.workflow_publish", actor=actor, obj=version,
                     detail={"key": key, "version": version.number})
        with _lock:
            _current["generation"] = None  # this process sees the new version at once, the others after commit
        transaction.on_commit(_bump)
    return version


def import_text(text: str, *, actor=None, publish_it: bool = False) -> WorkflowDefinition:
    definition = save(document.parse(text), actor=actor)
    if publish_it:
        publish(definition.key, actor=actor)
    return definition


def export_text(key: str, fmt: str = "yaml", *, version: int | None = None) -> str:
    definition = WorkflowDefinition.objects.get(key=key)
    doc = definition.document if version is None else definition.versions.get(number=version).document
    return document.dump(doc, fmt)


def version_type(version_id: int) -> CaseType:
    """The case type of one version (compiled once per process; versions never change)."""
    found = _versions.get(version_id)
    if found is None:
        doc = WorkflowVersion.objects.values_list("document", flat=True).get(pk=version_id)
        found = compile_document(doc, version_id=version_id, check=False)
        with _lock:
            _versions[version_id] = found
    return found


def current_types() -> dict[str, CaseType]:
    """Key -> case type of every published definition's current version."""
    generation = cache.get(GENERATION)
    fresh = time.monotonic() - _current.get("loaded", 0) < RECHECK_SECONDS
    if generation is not None and generation == _current["generation"] and fresh:
        return _current["types"]
    if generation is None:
        generation = uuid.uuid4().hex
        cache.add(GENERATION, generation, timeout=None)
        generation = cache.get(GENERATION) or generation
    latest = list(WorkflowVersion.objects.values("definition_id").annotate(last=Max("id"))
                  .values_list("last", flat=True))
    missing = [v for v in latest if v not in _versions]
    if missing:
        for vid, doc in WorkflowVersion.objects.filter(pk__in=missing).values_list("id", "document"):
            _versions[vid] = compile_document(doc, version_id=vid, check=False)
    types = {_versions[v].key: _versions[v] for v in latest}
    with _lock:
        _current.update(generation=generation, types=types, loaded=time.monotonic())
    return types


def current(key: str) -> CaseType | None:
    return current_types().get(key)


def versions_in_use(definition: WorkflowDefinition) -> list[dict]:
    """Each version of a definition with how many cases run on it and how many of those are still open."""
    counts = {r["workflow_version"]: r for r in Case.objects.filter(workflow_version__definition=definition)
              .values("workflow_version").annotate(total=Count("id"), open=Count("id", filter=_open()))}
    return [{"number": v.number, "published_at": v.published_at, "published_by": v.published_by,
             "cases": counts.get(v.pk, {}).get("total", 0), "open": counts.get(v.pk, {}).get("open", 0)}
            for v in definition.versions.order_by("-number")]


def _open():
    from django.db.models import Q

    return Q(is_closed=False)
