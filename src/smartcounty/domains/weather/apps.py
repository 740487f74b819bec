from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class WeatherConfig(ModuleConfig):
    name = "smartcounty.domains.weather"
    label = "weather"
    verbose_name = _("Smart meteorology")
    name_zh = "智慧气象"
    name_en = "Smart meteorology"
    plan_actions = (17,)
    depends_on = ("sensing", "alerts", "water", "accounts")

    def register(self, reg):
        from smartcounty.domains.weather import live
        from smartcounty.kernel import events

        events.subscribe("sensing.observations", live.on_observations, module=self.label)
        code = "weather.issue_signal"
        reg.permissions.register(code, reg.Permission(
            code, _("Issue and cancel weather warning signals"), ("org_admin", "staff")), module=self.label)
        reg.menu.register("weather", reg.MenuEntry("weather", _("Weather warnings"), "weather:index", order=62,
                                                   public=True, group="environment"), module=self.label)
