from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class CasesConfig(ModuleConfig):
    name = "smartcounty.foundation.cases"
    label = "cases"
    verbose_name = _("Cases and workflows")
    name_zh = "事件与流程"
    name_en = "Cases and workflows"
    plan_actions = (5, 7, 13, 14, 15, 21, 23)
    depends_on = ("accounts", "places")

    def register(self, reg):
        staff = ("org_admin", "staff", "grid_worker")
        for code, title, roles in (
            ("cases.view", _("View the cases of one's organisation"), staff),
            ("cases.create", _("Report or register a case"), (*staff, "resident")),
            ("cases.act", _("Take steps on cases"), staff),
            ("cases.view_stats", _("View case statistics"), ("org_admin", "staff")),
            ("cases.configure", _("Configure case types, assignment rules and the calendar"), ()),
        ):
            reg.permissions.register(code, reg.Permission(code, title, roles), module=self.label)
        reg.menu.register("cases.workbench", reg.MenuEntry("cases.workbench", _("Workbench"), "cases:workbench",
                                                           order=50, permission="cases.act", group="governance"), module=self.label)
        reg.menu.register("cases.file_new", reg.MenuEntry("cases.file_new", _("Apply"), "cases:file_new",
                                                          order=49, permission="cases.create", group="services"), module=self.label)
        from smartcounty.foundation.cases.forms.openapi import component_schemas

        reg.openapi_schemas.register("cases.forms", component_schemas, module=self.label)
        from smartcounty.foundation.cases.alerting import on_alert_raised, on_alert_resolved
        from smartcounty.foundation.cases.engine import sweeper
        from smartcounty.kernel import events

        events.subscribe("alerts.raised", on_alert_raised, module=self.label)
        events.subscribe("alerts.resolved", on_alert_resolved, module=self.label)

        reg.background.register("cases.sweeper", reg.BackgroundService(
            "cases.sweeper", sweeper, title=_("Case reminders and overdue escalation")), module=self.label)
        from smartcounty.foundation.cases.workflow.timers import timer_runner

        reg.background.register("cases.timers", reg.BackgroundService(
            "cases.timers", timer_runner, title=_("Automatic workflow steps after their time")), module=self.label)
