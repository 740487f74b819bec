from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class CatalogConfig(ModuleConfig):
    name = "smartcounty.foundation.catalog"
    label = "catalog"
    verbose_name = _("Government data catalog and open data")
    name_zh = "政务数据目录与开放"
    name_en = "Government data catalog and open data"
    plan_actions = (2, 3)
    depends_on = ("accounts", "cases", "places")

    def register(self, reg):
        from smartcounty.foundation.accounts.services import Role
        from smartcounty.foundation.catalog import demo, services

        staff = (Role.ORG_ADMIN, Role.STAFF, Role.GRID_WORKER)
        for code, title, roles in (
            ("catalog.view", _("View the government data catalog and read shared data"), staff),
            ("catalog.manage", _("Manage one's organisation's data resources and datasets"), (Role.ORG_ADMIN, Role.STAFF)),
            ("catalog.request", _("Request access to conditionally shared data"), (Role.ORG_ADMIN, Role.STAFF)),
            ("catalog.decide", _("Decide sharing requests, grant and revoke access, see who read the data"),
             (Role.ORG_ADMIN,)),
            ("catalog.register_app", _("Register apps for the open-data API"), (*staff, Role.RESIDENT)),
        ):
            reg.permissions.register(code, reg.Permission(code, title, tuple(roles)), module=self.label)
        reg.menu.register("catalog.portal", reg.MenuEntry("catalog.portal", _("Open data"), "catalog:portal",
                                                          order=30, public=True, group="data"), module=self.label)
        reg.menu.register("catalog.internal", reg.MenuEntry("catalog.internal", _("Data catalog"), "catalog:internal",
                                                            order=31, permission="catalog.view", group="data"), module=self.label)
        reg.demo_loaders.register("catalog", reg.DemoLoader("catalog", demo.load, order=50,
                                                            title=_("Data catalog demo resources")), module=self.label)
        reg.background.register("catalog.scheduler", reg.BackgroundService(
            "catalog.scheduler", services.run_scheduler, title=_("Dataset pulls and overdue sharing requests")),
            module=self.label)
