from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class CitymgmtConfig(ModuleConfig):
    name = "smartcounty.domains.citymgmt"
    label = "citymgmt"
    verbose_name = _("Digital city management")
    name_zh = "智慧城管"
    name_en = "Digital city management"
    plan_actions = (7,)
    depends_on = ("cases", "places", "accounts")

    def register(self, reg):
        from smartcounty.domains.citymgmt.catalogue import CASE_TYPE
        from smartcounty.domains.citymgmt.demo import load

        reg.case_types.register(CASE_TYPE.key, CASE_TYPE, module=self.label)
        for code, title, roles in (
            ("citymgmt.manage_components", _("Manage the component register"), ("org_admin", "staff")),
            ("citymgmt.view_performance", _("View city-management performance"), ("org_admin", "staff")),
        ):
            reg.permissions.register(code, reg.Permission(code, title, roles), module=self.label)
        reg.menu.register("citymgmt.report", reg.MenuEntry("citymgmt.report", _("Report a problem"),
                                                           "citymgmt:report", order=30, public=True, group="services"),
                          module=self.label)
        reg.menu.register("citymgmt.performance", reg.MenuEntry(
            "citymgmt.performance", _("City-management performance"), "citymgmt:performance", order=55,
            permission="citymgmt.view_performance", group="governance"), module=self.label)
        reg.demo_loaders.register("citymgmt", reg.DemoLoader("citymgmt", load, order=60,
                                                             title=_("City-management demo")), module=self.label)
