"""智慧水利 (plan action 9): surface-water quality class (GB 3838-2002), water levels, rain, drought watch."""
from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class WaterConfig(ModuleConfig):
    name = "smartcounty.domains.water"
    label = "water"
    verbose_name = _("Smart water management")
    name_zh = "智慧水利"
    name_en = "Smart water management"
    plan_actions = (9,)
    depends_on = ("sensing", "alerts", "accounts", "catalog", "cockpit")

    def register(self, reg):
        from smartcounty.domains.water import demo, live, opendata, panels
        from smartcounty.foundation.sensing.schemas import ObservedPropertySpec as P
        from smartcounty.kernel import events

        events.subscribe("sensing.observations", live.on_observations, module=self.label)
        reg.menu.register("water", reg.MenuEntry("water", _("Water"), "water:index", order=61, public=True, group="environment"),
                          module=self.label)
        for spec in (P("codmn", "高锰酸盐指数", "Permanganate index", "mg/L", "urn:smartcounty:property:codmn", 2,
                       minimum=0.0),
                     P("nh3n", "氨氮", "Ammonia nitrogen", "mg/L", "urn:smartcounty:property:nh3n", 3, minimum=0.0),
                     P("tp", "总磷", "Total phosphorus", "mg/L", "urn:smartcounty:property:tp", 3, minimum=0.0),
                     P("tn", "总氮", "Total nitrogen", "mg/L", "urn:smartcounty:property:tn", 2, minimum=0.0)):
            reg.observed_properties.register(spec.code, spec, module=self.label)
        reg.demo_loaders.register("water", reg.DemoLoader("water", demo.load, order=35,
                                                          title=_("Demo water-quality stations")), module=self.label)
        code = "water.assess"
        reg.permissions.register(code, reg.Permission(
            code, _("Re-assess the drought watch"), ("org_admin", "staff")), module=self.label)
        for key, spec in opendata.SPECS.items():
            reg.catalog_resources.register(key, spec, module=self.label)
        reg.background.register("water.publish", reg.BackgroundService(
            "water.publish", opendata.run_background, _("Water levels and water class into the data catalog")),
            module=self.label)
        for panel in panels.panels():
            reg.cockpit_panels.register(panel.key, panel, module=self.label)
