from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class WaterConfig(ModuleConfig):
    name = "smartcounty.domains.water"
    label = "water"
    verbose_name = _("Smart water management")
    name_zh = "智慧水利"
    name_en = "Smart water management"
    plan_actions = (9,)
    depends_on = ("sensing", "alerts")

    def register(self, reg):
        from smartcounty.domains.water import live
        from smartcounty.kernel import events

        events.subscribe("sensing.observations", live.on_observations, module=self.label)
        reg.menu.register("water", reg.MenuEntry("water", _("Water"), "water:index", order=61, public=True),
                          module=self.label)
