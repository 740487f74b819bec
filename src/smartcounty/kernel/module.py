"""The module contract: the base app config every foundation and domain module subclasses.

A module declares who it is (label = folder name, Chinese and English names), which actions of
the county's plan it serves, and which modules it depends on. In ``register()`` it fills the
kernel registries; the kernel calls that from ``ready()``. ``smartcounty contract`` checks the
declarations and the import boundaries (see ``kernel.contract``).
"""

from django.apps import AppConfig

from smartcounty.kernel import registry


class ModuleConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    # Django picks the one AppConfig in apps.py marked default; this base is imported there too.
    default = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.default = "default" not in cls.__dict__ or cls.__dict__["default"]

    #: Chinese name, shown first everywhere.
    name_zh: str = ""
    #: English name.
    name_en: str = ""
    #: Numbers of the plan's actions (1-30, see docs/mission.md) this module serves.
    plan_actions: tuple[int, ...] = ()
    #: Labels of the modules this one calls (through their services).
    depends_on: tuple[str, ...] = ()

    @property
    def layer(self) -> str:
        """``foundation`` or ``domains``: the folder the module lives in."""
        parts = self.name.split(".")
        return parts[1] if len(parts) > 2 else ""

    @property
    def folder(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    def register(self, reg) -> None:  # pragma: no cover - overridden by modules that contribute
        """Fill the kernel registries. ``reg`` is ``smartcounty.kernel.registry``."""

    def ready(self) -> None:
        registry.modules.register(self.label, self, module=self.label)
        self.register(registry)
