from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class MarketConfig(ModuleConfig):
    name = "smartcounty.domains.market"
    label = "market"
    verbose_name = _("Market supervision")
    name_zh = "智慧市场监管"
    name_en = "Market supervision"
    plan_actions = (11,)
    depends_on = ("accounts", "places", "alerts", "sensing", "cases", "cockpit")

    def register(self, reg):
        from smartcounty.domains.market import demo, panels
        from smartcounty.domains.market.catalogue import CASE_TYPE
        from smartcounty.domains.market.services import due, trapping
        from smartcounty.foundation.sensing.schemas import ObservedPropertySpec
        from smartcounty.kernel import events

        reg.case_types.register(CASE_TYPE.key, CASE_TYPE, module=self.label)
        for code, title, roles in (
            ("market.view", _("View special equipment and food businesses"), ("org_admin", "staff")),
            ("market.inspect", _("Record inspections and risk assessments"), ("org_admin", "staff")),
            ("market.manage", _("Register and import equipment and food businesses"), ("org_admin", "staff")),
            ("market.configure", _("Keep the inspection interval table and run the due check"), ("org_admin",)),
        ):
            reg.permissions.register(code, reg.Permission(code, title, roles), module=self.label)
        reg.menu.register("market.equipment", reg.MenuEntry(
            "market.equipment", _("Special equipment"), "market:index", order=74, permission="market.view", group="economy"),
            module=self.label)
        reg.menu.register("market.food", reg.MenuEntry(
            "market.food", _("Food businesses"), "market:food", order=75, permission="market.view", group="economy"),
            module=self.label)
        reg.observed_properties.register(trapping.PROPERTY, ObservedPropertySpec(
            trapping.PROPERTY, "电梯困人", "Elevator trapping", "1", "urn:smartcounty:property:" + trapping.PROPERTY,
            0, minimum=0.0, maximum=1.0), module=self.label)
        events.subscribe("sensing.observations", trapping.on_observations, module=self.label)
        reg.background.register("market.due", reg.BackgroundService(
            "market.due", due.runner, _("Special equipment reminders and overdue alerts")), module=self.label)
        reg.demo_loaders.register("market", reg.DemoLoader("market", demo.load, order=76,
                                                           title=_("Market supervision demo")), module=self.label)
        for p in panels.panels():
            reg.cockpit_panels.register(p.key, p, module=self.label)
