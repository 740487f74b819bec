from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KernelConfig(AppConfig):
    """The kernel: contract, registries, audit log, API helpers. It knows no domain."""

    name = "smartcounty.kernel"
    label = "kernel"
    verbose_name = _("Kernel")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib import admin

        from smartcounty.kernel import checks  # noqa: F401  (registers the deployment checks)

        admin.site.site_header = _("Smart Guan County administration")
        admin.site.site_title = _("Smart Guan County")
        admin.site.index_title = _("Platform administration")
