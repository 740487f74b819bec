from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class EnvironmentConfig(ModuleConfig):
    name = "smartcounty.domains.environment"
    label = "environment"
    verbose_name = _("Smart ecological environment")
    name_zh = "智慧生态环境"
    name_en = "Smart ecological environment"
    plan_actions = (10,)
    depends_on = ("sensing", "alerts", "places", "accounts", "catalog", "cockpit")

    def register(self, reg):
        from smartcounty.domains.environment import live
        from smartcounty.kernel import events

        events.subscribe("sensing.observations", live.on_observations, module=self.label)
        reg.menu.register("environment", reg.MenuEntry("environment", _("Air quality"), "environment:index",
                                                       order=60, public=True, group="environment"), module=self.label)
        from smartcounty.domains.environment import forecasting, opendata, panels

        for key, spec in opendata.SPECS.items():
            reg.catalog_resources.register(key, spec, module=self.label)
        code = "environment.run_forecast"
        reg.permissions.register(code, reg.Permission(
            code, _("Retrain the air-quality forecasts"), ("org_admin", "staff")), module=self.label)
        for panel in panels.panels():
            reg.cockpit_panels.register(panel.key, panel, module=self.label)
        reg.background.register("environment.forecast", reg.BackgroundService(
            "environment.forecast", forecasting.run_background, _("Air-quality forecast retraining")),
            module=self.label)
