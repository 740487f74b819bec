from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class LogisticsConfig(ModuleConfig):
    name = "smartcounty.domains.logistics"
    label = "logistics"
    verbose_name = _("Logistics and e-commerce")
    name_zh = "智慧物流与互联网经济"
    name_en = "Logistics and e-commerce"
    plan_actions = (26, 28)
    depends_on = ("accounts", "places", "catalog", "cockpit")

    def register(self, reg):
        from smartcounty.domains.logistics.demo import load
        from smartcounty.domains.logistics.services import OPEN_DATA_CODE
        from smartcounty.foundation.catalog.schemas import ResourceSpec

        reg.catalog_resources.register(OPEN_DATA_CODE, ResourceSpec(
            provider="commerce", slug="gx-ecommerce-monthly", name="冠县电子商务月度统计",
            summary="冠县各乡镇（街道）网店数、订单数和网络零售额，按月统计（不含单个店铺信息）。", domain="15",
            open_type="open", update_cycle="monthly", tags=["电子商务", "网络零售", "互联网经济"],
            items=[{"name": "month", "title": "月份", "required": True}, {"name": "town", "title": "乡镇"},
                   {"name": "shops", "title": "网店数", "data_type": "integer"},
                   {"name": "orders", "title": "订单数", "data_type": "integer"},
                   {"name": "amount", "title": "网络零售额（元）", "data_type": "number"}]), module=self.label)
        for code, title, roles in (
            ("logistics.view", _("View e-commerce statistics"), ("org_admin", "staff")),
            ("logistics.manage", _("Keep logistics sites and import sales"), ("org_admin", "staff")),
        ):
            reg.permissions.register(code, reg.Permission(code, title, roles), module=self.label)
        reg.menu.register("logistics.network", reg.MenuEntry(
            "logistics.network", _("Delivery network"), "logistics:network", order=37, public=True, group="economy"), module=self.label)
        reg.menu.register("logistics.ecommerce", reg.MenuEntry(
            "logistics.ecommerce", _("E-commerce statistics"), "logistics:ecommerce", order=74,
            permission="logistics.view", group="economy"), module=self.label)
        from smartcounty.domains.logistics.panels import panels

        for panel in panels():
            reg.cockpit_panels.register(panel.key, panel, module=self.label)
        reg.demo_loaders.register("logistics", reg.DemoLoader("logistics", load, order=74,
                                                              title=_("Logistics and e-commerce demo")),
                                  module=self.label)
