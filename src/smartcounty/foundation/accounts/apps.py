from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class AccountsConfig(ModuleConfig):
    name = "smartcounty.foundation.accounts"
    label = "accounts"
    verbose_name = _("People and organisations")
    name_zh = "人员与组织"
    name_en = "People and organisations"
    plan_actions = (1, 16, 29)
    depends_on = ()

    def register(self, reg):
        from smartcounty.foundation.accounts import demo
        from smartcounty.foundation.accounts.roles import Role

        staff = (Role.ORG_ADMIN, Role.STAFF, Role.GRID_WORKER)
        for code, title, roles in (
            ("accounts.view_organisation", _("View organisations"), (*staff, Role.RESIDENT)),
            ("accounts.view_member", _("View the members of an organisation"), (Role.ORG_ADMIN, Role.STAFF)),
            ("accounts.manage_member", _("Manage the members of an organisation"), (Role.ORG_ADMIN,)),
            ("accounts.manage_token", _("Manage one's own API tokens"), (*staff, Role.RESIDENT)),
        ):
            reg.permissions.register(code, reg.Permission(code, title, tuple(roles)), module=self.label)
        reg.demo_loaders.register("accounts", reg.DemoLoader(
            "accounts", demo.load, order=10, title=_("Organisations of the plan and demo users")), module=self.label)
        reg.menu.register("accounts.organisations", reg.MenuEntry(
            "accounts.organisations", _("Organisations"), "accounts:organisations", order=90,
            permission="accounts.view_organisation", group="admin"), module=self.label)
        reg.menu.register("accounts.profile", reg.MenuEntry(
            "accounts.profile", _("My account"), "accounts:profile", order=95), module=self.label)
