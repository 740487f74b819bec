"""Registries that modules fill in ``ready()`` and the foundation reads.

The foundation never imports a domain: it asks these registries what the domains offer.
Each registry maps a key to an entry and remembers which module registered it.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


class RegistryError(Exception):
    pass


class Registry:
    def __init__(self, name: str):
        self.name = name
        self._items: dict[str, Any] = {}
        self._owners: dict[str, str] = {}

    def register(self, key: str, entry: Any, *, module: str) -> Any:
        owner = self._owners.get(key)
        if owner is not None and owner != module:
            raise RegistryError(f"{self.name}: {key!r} is already registered by module {owner!r}")
        self._items[key] = entry
        self._owners[key] = module
        return entry

    def get(self, key: str) -> Any:
        try:
            return self._items[key]
        except KeyError:
            raise RegistryError(f"{self.name}: nothing registered as {key!r}") from None

    def owner(self, key: str) -> str:
        return self._owners[key]

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def items(self):
        return self._items.items()

    def values(self):
        return self._items.values()

    def by_module(self, module: str) -> dict[str, Any]:
        return {k: v for k, v in self._items.items() if self._owners[k] == module}


@dataclass(frozen=True)
class MenuEntry:
    """A navigation entry. ``title`` is a lazy gettext string; ``url_name`` a URL name."""

    key: str
    title: Any
    url_name: str
    order: int = 100
    #: Shown to anonymous visitors too (public pages for residents).
    public: bool = False
    #: Permission code needed to see it (checked through the accounts module); None = any signed-in user.
    permission: str | None = None
    icon: str = ""
    #: When the permission holds only within one organisation (the page checks it there): a function
    #: returning that organisation's id, so the menu shows the entry to exactly those the page lets in.
    organisation: Any = None
    #: The menu group it is listed under (a key of ``MENU_GROUPS``); "" = on the top bar itself.
    group: str = ""


def _lazy(text):
    from django.utils.translation import pgettext_lazy

    return pgettext_lazy("menu group", text)  # a context of its own: "Services" means another thing elsewhere


#: The top bar's groups: key -> (place on the bar, title). A group a user sees one entry of is that entry's link.
MENU_GROUPS: dict[str, tuple[int, Any]] = {
    "services": (10, _lazy("Services")),
    "city": (20, _lazy("City operations")),
    "governance": (50, _lazy("Cases and governance")),
    "environment": (60, _lazy("Environment and safety")),
    "mobility": (62, _lazy("Traffic and tourism")),
    "economy": (70, _lazy("Economy")),
    "data": (80, _lazy("Data")),
    "admin": (90, _lazy("Administration")),
}


@dataclass(frozen=True)
class DemoLoader:
    """Loads one module's part of the Guan County demo. Must be idempotent."""

    key: str
    load: Callable[..., Any]
    order: int = 100
    title: Any = ""


@dataclass(frozen=True)
class Permission:
    """A permission code a module defines, and the roles that hold it by default."""

    code: str
    title: Any
    roles: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class BackgroundService:
    """Work that ``smartcounty worker`` runs (``smartcounty serve`` starts one) beside the web server (simulator, MQTT ingest, ...).

    ``run(stop)`` loops until the ``threading.Event`` ``stop`` is set. ``enabled()`` decides at start.
    """

    key: str
    run: Callable[..., Any]
    title: Any = ""
    enabled: Callable[[], bool] = lambda: True


@dataclass(frozen=True)
class Metric:
    """A figure ``/metrics`` reads when it is scraped: ``collect()`` returns a number, or a dict of label values
    (a tuple, in ``labels`` order) to numbers. ``kind`` is "gauge" or "counter" (a counter only ever grows)."""

    name: str
    help: str
    collect: Callable[[], Any]
    kind: str = "gauge"
    labels: tuple = ()


@dataclass(frozen=True)
class Kpi:
    """A plan indicator computed from live platform data (the plan module refreshes and stores each value).

    ``compute()`` returns the value (a number, or None when there is nothing to measure yet) or a dict with
    ``value`` and optionally ``numerator``, ``denominator`` and ``detail`` (plain data shown beside it).
    ``query`` says in words what was counted; ``actions`` are the plan actions it measures; ``target`` is
    the plan's figure (None: the plan names none); ``higher_is_better`` decides whether the value meets it.
    """

    key: str
    name: Any
    unit: str
    compute: Callable[[], Any]
    actions: tuple[int, ...] = ()
    target: float | None = None
    query: Any = ""
    higher_is_better: bool = True
    order: int = 100


modules = Registry("modules")
menu = Registry("menu")
demo_loaders = Registry("demo_loaders")
permissions = Registry("permissions")
# Hooks the later modules fill; their entry shapes are defined by the consuming module's services.
observed_properties = Registry("observed_properties")
rule_kinds = Registry("rule_kinds")
case_types = Registry("case_types")
catalog_resources = Registry("catalog_resources")
cockpit_panels = Registry("cockpit_panels")
background = Registry("background")
metrics = Registry("metrics")
#: Plan KPIs (``Kpi``): every module registers those its data measure; the plan module computes and stores them.
kpis = Registry("kpis")
#: Extra OpenAPI component schemas: a callable returning ``{name: JSON Schema}``, read each time the document
#: is built (e.g. the forms of workflow definitions, which are data).
openapi_schemas = Registry("openapi_schemas")

ALL = {
    r.name: r
    for r in (
        modules,
        menu,
        demo_loaders,
        permissions,
        observed_properties,
        rule_kinds,
        case_types,
        catalog_resources,
        cockpit_panels,
        background,
        metrics,
        kpis,
        openapi_schemas,
    )
}
