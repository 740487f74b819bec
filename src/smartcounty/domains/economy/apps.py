from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class EconomyConfig(ModuleConfig):
    name = "smartcounty.domains.economy"
    label = "economy"
    verbose_name = _("Enterprises and parks")
    name_zh = "智能制造与智慧园区"
    name_en = "Enterprises and parks"
    plan_actions = (24, 27)
    depends_on = ("accounts", "places", "catalog", "sensing", "alerts", "cases")

    def register(self, reg):
        from smartcounty.domains.economy.catalogue import CASE_TYPE
        from smartcounty.domains.economy.demo import load
        from smartcounty.domains.economy.services import on_observations
        from smartcounty.foundation.sensing.schemas import ObservedPropertySpec as P
        from smartcounty.kernel import events

        for spec in (P("electricity_use", "用电量", "Electricity use", "kW.h", "urn:smartcounty:property:electricity_use",
                       2, minimum=0.0),
                     P("water_use", "用水量", "Water use", "m3", "urn:smartcounty:property:water_use", 2, minimum=0.0),
                     P("gas_use", "用气量", "Gas use", "m3", "urn:smartcounty:property:gas_use", 2, minimum=0.0)):
            reg.observed_properties.register(spec.code, spec, module=self.label)
        events.subscribe("sensing.observations", on_observations, module=self.label)
        reg.case_types.register(CASE_TYPE.key, CASE_TYPE, module=self.label)
        for code, title, roles in (
            ("economy.view", _("View the enterprise registry and park energy"), ("org_admin", "staff")),
            ("economy.view_contacts", _("See enterprise contacts unmasked"), ("org_admin",)),
            ("economy.manage", _("Keep the enterprise registry, parks and meters"), ("org_admin", "staff")),
        ):
            reg.permissions.register(code, reg.Permission(code, title, roles), module=self.label)
        reg.menu.register("economy.enterprises", reg.MenuEntry(
            "economy.enterprises", _("Enterprises"), "economy:enterprises", order=70,
            permission="economy.view", group="economy"), module=self.label)
        reg.menu.register("economy.parks", reg.MenuEntry(
            "economy.parks", _("Industrial parks"), "economy:parks", order=71, permission="economy.view", group="economy"),
            module=self.label)
        reg.demo_loaders.register("economy", reg.DemoLoader("economy", load, order=70,
                                                            title=_("Enterprise and park demo")), module=self.label)
