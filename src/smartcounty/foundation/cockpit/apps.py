from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class CockpitConfig(ModuleConfig):
    name = "smartcounty.foundation.cockpit"
    label = "cockpit"
    verbose_name = _("Operations cockpit")
    name_zh = "城市运行驾驶舱"
    name_en = "Operations cockpit"
    # F8 serves every action: it shows what the other modules publish. Listed: those it shows by itself.
    plan_actions = (5, 7, 9, 10, 14, 17)
    depends_on = ("sensing", "places", "alerts", "cases", "catalog")

    def register(self, reg):
        from smartcounty.foundation.cockpit import feed, panels

        reg.permissions.register("cockpit.view", reg.Permission(
            "cockpit.view", _("View the operations cockpit"), ("org_admin", "staff", "grid_worker")), module=self.label)
        reg.menu.register("cockpit", reg.MenuEntry(
            key="cockpit", title=_("Operations cockpit"), url_name="cockpit:index", order=20,
            permission="cockpit.view", group="city"), module=self.label)
        panels.register_builtin(reg, module=self.label)
        feed.subscribe()
