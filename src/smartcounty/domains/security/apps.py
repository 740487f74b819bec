"""基础安全防护 (action 30): the catalogue of critical information infrastructure with its 等保 level and
assessments, the certificate inventory of the county's sites, and situational awareness from the platform's
own access log (detectors, leaky-bucket scenarios, security events as alerts, a temporary block list)."""

from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class SecurityConfig(ModuleConfig):
    name = "smartcounty.domains.security"
    label = "security"
    verbose_name = _("Security protection")
    name_zh = "基础安全防护"
    name_en = "Security protection"
    plan_actions = (30,)
    depends_on = ("accounts", "alerts")

    def register(self, reg):
        from smartcounty.domains.security import demo, kpis, scheduler, services

        for code, title in (
            ("security.view", _("View security events, the block list, critical infrastructure and certificates")),
            ("security.manage", _("Unblock clients and manage critical infrastructure and the certificate inventory")),
        ):
            # Held within the security office (县委网信办) only: every check names that organisation.
            reg.permissions.register(code, reg.Permission(code, title, ("org_admin", "staff")), module=self.label)
        reg.menu.register("security", reg.MenuEntry("security", _("Security situation"), "security:index", order=92,
                                                    permission="security.view", organisation=services.office_id,
                                                    group="admin"),
                          module=self.label)
        reg.demo_loaders.register("security", reg.DemoLoader("security", demo.load, order=96,
                                                             title=_("Critical infrastructure and certificates")),
                                  module=self.label)
        reg.background.register("security.scheduler", reg.BackgroundService(
            "security.scheduler", scheduler.run, _("Certificate checks and assessment reminders")), module=self.label)
        for kpi in kpis.KPIS:
            reg.kpis.register(kpi.key, kpi, module=self.label)
