"""督办 (保障措施 (一)(二)): the plan's 30 actions, their yearly tasks and supervision lights, the plan KPIs
computed from live platform data, and the informatization projects."""

from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class PlanConfig(ModuleConfig):
    name = "smartcounty.domains.plan"
    label = "plan"
    verbose_name = _("Plan supervision")
    name_zh = "行动计划督办"
    name_en = "Plan supervision"
    plan_actions = ()
    depends_on = ("accounts", "cases", "catalog", "environment")

    def register(self, reg):
        from smartcounty.domains.plan import demo, kpis, scheduler

        for code, title, roles in (
            ("plan.view", _("View the plan's actions, tasks, KPIs and projects"), ("org_admin", "staff")),
            ("plan.report", _("Report progress on one's organisation's plan tasks and projects"),
             ("org_admin", "staff")),
            ("plan.manage", _("Assign plan tasks, evaluate them and manage projects (the leading group's office)"),
             ("org_admin", "staff")),
        ):
            reg.permissions.register(code, reg.Permission(code, title, roles), module=self.label)
        reg.menu.register("plan", reg.MenuEntry("plan", _("Plan supervision"), "plan:index", order=90,
                                                permission="plan.view", group="admin"), module=self.label)
        reg.demo_loaders.register("plan", reg.DemoLoader("plan", demo.load, order=95,
                                                         title=_("Plan tasks, projects and KPIs")), module=self.label)
        reg.background.register("plan.scheduler", reg.BackgroundService(
            "plan.scheduler", scheduler.run, _("Plan reminders (临近提醒, 到期催办) and KPI refresh")),
            module=self.label)
        for kpi in kpis.KPIS:
            reg.kpis.register(kpi.key, kpi, module=self.label)
