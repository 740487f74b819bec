from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class EmergencyConfig(ModuleConfig):
    name = "smartcounty.domains.emergency"
    label = "emergency"
    verbose_name = _("Emergency management")
    name_zh = "智慧应急管理"
    name_en = "Emergency management"
    plan_actions = (14,)
    depends_on = ("accounts", "places", "alerts", "sensing", "cases", "cockpit", "catalog", "market")

    def register(self, reg):
        from smartcounty.domains.emergency import demo, panels
        from smartcounty.domains.emergency.catalogue import MAINTENANCE_TYPE, TASK_TYPE
        from smartcounty.domains.emergency.services import fire, incidents
        from smartcounty.kernel import events

        for ct in (TASK_TYPE, MAINTENANCE_TYPE):
            reg.case_types.register(ct.key, ct, module=self.label)
        for code, title, roles in (
            ("emergency.view", _("View emergency resources and incidents"), ("org_admin", "staff")),
            ("emergency.command", _("Open and command incidents, give tasks, publish warnings"), ("org_admin", "staff")),
            ("emergency.manage", _("Keep emergency resources, shelters and the stock ledger"), ("org_admin", "staff")),
        ):
            reg.permissions.register(code, reg.Permission(code, title, roles), module=self.label)
        reg.menu.register("emergency.incidents", reg.MenuEntry(
            "emergency.incidents", _("Incident command"), "emergency:index", order=70, permission="emergency.view",
            group="environment"),
            module=self.label)
        reg.menu.register("emergency.resources", reg.MenuEntry(
            "emergency.resources", _("Emergency resources"), "emergency:resources", order=71,
            permission="emergency.view", group="environment"), module=self.label)
        events.subscribe("sensing.observations", fire.on_observations, module=self.label)
        events.subscribe("sensing.datastream_offline", fire.on_offline, module=self.label)
        events.subscribe("sensing.datastream_online", fire.on_online, module=self.label)
        events.subscribe("cases.transitioned", incidents.on_case_transitioned, module=self.label)
        reg.background.register("emergency.fire", reg.BackgroundService(
            "emergency.fire", fire.runner, _("Fire alarms that persist and detectors offline too long")),
            module=self.label)
        reg.demo_loaders.register("emergency", reg.DemoLoader("emergency", demo.load, order=78,
                                                              title=_("Emergency management demo")), module=self.label)
        for p in panels.panels():
            reg.cockpit_panels.register(p.key, p, module=self.label)
