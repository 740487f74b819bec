from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class GovernanceConfig(ModuleConfig):
    name = "smartcounty.domains.governance"
    label = "governance"
    verbose_name = _("Social governance")
    name_zh = "社会综合治理"
    name_en = "Social governance"
    plan_actions = (5,)
    depends_on = ("cases", "places", "accounts")

    def register(self, reg):
        from smartcounty.domains.governance.catalogue import CASE_TYPE
        from smartcounty.domains.governance.demo import load

        reg.case_types.register(CASE_TYPE.key, CASE_TYPE, module=self.label)
        for code, title, roles in (
            ("governance.report", _("Report field events from one's grid"), ("grid_worker",)),
            ("governance.manage_workers", _("Assign grid workers to grids"), ("org_admin",)),
            ("governance.view_stats", _("View grid-governance statistics"), ("org_admin", "staff")),
        ):
            reg.permissions.register(code, reg.Permission(code, title, roles), module=self.label)
        reg.menu.register("governance.stats", reg.MenuEntry("governance.stats", _("Grid governance"),
                                                            "governance:stats", order=56,
                                                            permission="governance.view_stats", group="governance"), module=self.label)
        reg.demo_loaders.register("governance", reg.DemoLoader("governance", load, order=61,
                                                               title=_("Grid-governance demo")), module=self.label)
