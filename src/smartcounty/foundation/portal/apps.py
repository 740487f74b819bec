from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class PortalConfig(ModuleConfig):
    name = "smartcounty.foundation.portal"
    label = "portal"
    verbose_name = _("Resident portal")
    name_zh = "居民服务门户"
    name_en = "Resident portal"
    plan_actions = (16, 23)
    depends_on = ("cockpit", "places")

    def register(self, reg):
        reg.permissions.register("portal.staff_home", reg.Permission(
            "portal.staff_home", _("See the staff home (what waits for me)"), ("org_admin", "staff", "grid_worker")),
            module=self.label)
        reg.menu.register("portal", reg.MenuEntry(
            key="portal", title=_("Resident services"), url_name="portal:home", order=5, public=True), module=self.label)
        reg.menu.register("portal.staff", reg.MenuEntry(
            key="portal.staff", title=_("My work"), url_name="portal:staff", order=6,
            permission="portal.staff_home"), module=self.label)
