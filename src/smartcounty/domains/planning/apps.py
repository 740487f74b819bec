from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class PlanningConfig(ModuleConfig):
    name = "smartcounty.domains.planning"
    label = "planning"
    verbose_name = _("Planning pre-check")
    name_zh = "自然资源和规划"
    name_en = "Natural resources and planning"
    plan_actions = (12,)
    depends_on = ("accounts", "places")

    def register(self, reg):
        from smartcounty.domains.planning import demo, services

        reg.permissions.register("planning.check", reg.Permission(
            "planning.check", _("Run site pre-checks against the planning layers and read their reports"),
            ("org_admin", "staff")), module=self.label)
        reg.menu.register("planning", reg.MenuEntry(
            "planning", _("Site pre-check"), "planning:index", order=66, permission="planning.check",
            organisation=services.authority_id, group="city"), module=self.label)
        reg.menu.register("planning.checks", reg.MenuEntry(
            "planning.checks", _("Pre-check history"), "planning:checks", order=67, permission="planning.check",
            organisation=services.authority_id, group="city"), module=self.label)
        reg.demo_loaders.register("planning", reg.DemoLoader("planning", demo.load, order=80,
                                                             title=_("Planning layers (demo) and pre-checks")),
                                  module=self.label)
