from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class WeatherConfig(ModuleConfig):
    name = "smartcounty.domains.weather"
    label = "weather"
    verbose_name = _("Smart meteorology")
    name_zh = "智慧气象"
    name_en = "Smart meteorology"
    plan_actions = (17,)
    # Phase 1 is pure domain maths; sensing/alerts/places are added when the module calls them.
    depends_on = ()
