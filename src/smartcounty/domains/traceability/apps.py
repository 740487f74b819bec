from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class TraceabilityConfig(ModuleConfig):
    name = "smartcounty.domains.traceability"
    label = "traceability"
    verbose_name = _("Product traceability")
    name_zh = "农产品质量安全追溯"
    name_en = "Product traceability"
    plan_actions = (11, 25)
    depends_on = ("accounts", "economy")

    def register(self, reg):
        from smartcounty.domains.traceability.demo import load

        for code, title, roles in (
            ("traceability.view", _("View traceability batches"), ("org_admin", "staff")),
            ("traceability.record", _("Record traceability events"), ("org_admin", "staff")),
            ("traceability.inspect", _("Record inspections"), ("org_admin", "staff")),
            ("traceability.recall", _("Recall batches"), ("org_admin",)),
        ):
            reg.permissions.register(code, reg.Permission(code, title, roles), module=self.label)
        reg.menu.register("traceability.lookup", reg.MenuEntry(
            "traceability.lookup", _("Trace a product"), "traceability:lookup", order=35, public=True, group="economy"),
            module=self.label)
        reg.menu.register("traceability.batches", reg.MenuEntry(
            "traceability.batches", _("Traceability batches"), "traceability:batches", order=72,
            permission="traceability.view", group="economy"), module=self.label)
        reg.demo_loaders.register("traceability", reg.DemoLoader("traceability", load, order=72,
                                                                 title=_("Traceability demo")), module=self.label)
