from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class WaterConfig(ModuleConfig):
    name = "smartcounty.domains.water"
    label = "water"
    verbose_name = _("Smart water management")
    name_zh = "智慧水利"
    name_en = "Smart water management"
    plan_actions = (9,)
    # Phase 1 is pure domain maths; sensing/alerts/places are added when the module calls them.
    depends_on = ()
