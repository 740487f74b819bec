from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class AgricultureConfig(ModuleConfig):
    name = "smartcounty.domains.agriculture"
    label = "agriculture"
    verbose_name = _("Smart agriculture")
    name_zh = "智慧农业"
    name_en = "Smart agriculture"
    plan_actions = (25,)
    depends_on = ("accounts", "places", "sensing", "alerts", "weather", "cockpit")

    def register(self, reg):
        from smartcounty.domains.agriculture.demo import load
        from smartcounty.domains.agriculture.services import on_observations
        from smartcounty.foundation.sensing.schemas import ObservedPropertySpec as P
        from smartcounty.kernel import events

        spec = P("pest_count", "诱虫数", "Pest trap catch", "1", "urn:smartcounty:property:pest_count", 0, minimum=0.0)
        reg.observed_properties.register(spec.code, spec, module=self.label)
        events.subscribe("sensing.observations", on_observations, module=self.label)
        for code, title, roles in (
            ("agriculture.view", _("View farms, plots and field sensors"), ("org_admin", "staff")),
            ("agriculture.view_personal", _("See farmers' ID numbers unmasked"), ("org_admin",)),
            ("agriculture.manage", _("Keep farms and publish advisories"), ("org_admin", "staff")),
        ):
            reg.permissions.register(code, reg.Permission(code, title, roles), module=self.label)
        reg.menu.register("agriculture.advisories", reg.MenuEntry(
            "agriculture.advisories", _("Farming advisories"), "agriculture:advisories", order=36, public=True, group="economy"),
            module=self.label)
        reg.menu.register("agriculture.farms", reg.MenuEntry(
            "agriculture.farms", _("Farms"), "agriculture:farms", order=73, permission="agriculture.view", group="economy"),
            module=self.label)
        from smartcounty.domains.agriculture.panels import panels

        for panel in panels():
            reg.cockpit_panels.register(panel.key, panel, module=self.label)
        reg.demo_loaders.register("agriculture", reg.DemoLoader("agriculture", load, order=73,
                                                                title=_("Agriculture demo")), module=self.label)
