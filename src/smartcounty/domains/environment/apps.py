from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class EnvironmentConfig(ModuleConfig):
    name = "smartcounty.domains.environment"
    label = "environment"
    verbose_name = _("Smart ecological environment")
    name_zh = "智慧生态环境"
    name_en = "Smart ecological environment"
    plan_actions = (10,)
    # Phase 1 is pure domain maths; sensing/alerts/places are added when the module calls them.
    depends_on = ()
