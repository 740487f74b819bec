from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class TrafficConfig(ModuleConfig):
    name = "smartcounty.domains.traffic"
    label = "traffic"
    verbose_name = _("Smart traffic")
    name_zh = "智慧交通"
    name_en = "Smart traffic"
    plan_actions = (8,)
    depends_on = ("sensing", "alerts", "accounts", "cases", "cockpit", "catalog")

    def register(self, reg):
        from smartcounty.domains.traffic import demo, feed, live, panels, services
        from smartcounty.kernel import events

        events.subscribe("sensing.observations", live.on_observations, module=self.label)
        for code, title, roles in (
            ("traffic.manage", _("Manage the road network, car parks and traffic notices"), ("org_admin", "staff")),
            ("traffic.view_incidents", _("View traffic incidents"), ("org_admin", "staff")),
        ):
            reg.permissions.register(code, reg.Permission(code, title, roles), module=self.label)
        reg.menu.register("traffic", reg.MenuEntry("traffic", _("Road conditions"), "traffic:index", order=62,
                                                   public=True, group="mobility"), module=self.label)
        reg.menu.register("traffic.incidents", reg.MenuEntry(
            "traffic.incidents", _("Traffic incidents"), "traffic:incidents", order=63,
            permission="traffic.view_incidents", organisation=services.authority_id, group="mobility"), module=self.label)
        reg.demo_loaders.register("traffic", reg.DemoLoader("traffic", demo.load, order=70,
                                                            title=_("Traffic demo")), module=self.label)
        reg.background.register("traffic.feed", reg.BackgroundService(
            "traffic.feed", feed.run, _("Floating-vehicle speed simulator"), feed.enabled), module=self.label)
        from smartcounty.foundation.sensing.schemas import ObservedPropertySpec as P

        cn = "urn:smartcounty:property:"
        for spec in (P("parking_occupied", "已占用车位数", "Occupied parking spaces", "1", cn + "parking_occupied", 0,
                       minimum=0.0),
                     P("parking_vacant", "空余车位数", "Vacant parking spaces", "1", cn + "parking_vacant", 0,
                       minimum=0.0)):
            reg.observed_properties.register(spec.code, spec, module=self.label)
        reg.menu.register("traffic.parking", reg.MenuEntry("traffic.parking", _("Parking"), "traffic:parking",
                                                           order=64, public=True, group="mobility"), module=self.label)
        from smartcounty.domains.traffic.notices import OPEN_DATA_CODE
        from smartcounty.foundation.catalog.schemas import ResourceSpec

        reg.catalog_resources.register(OPEN_DATA_CODE, ResourceSpec(
            provider="transport", slug="gx-traffic-notices", name="冠县交通管制公告",
            summary="冠县道路封闭、绕行和交通限制公告：类型、区域、涉及路段和起止时间（北京时间）。", domain="06",
            open_type="open", update_cycle="irregular", tags=["交通管制", "道路封闭", "绕行"],
            items=[{"name": "title", "title": "标题", "required": True}, {"name": "kind", "title": "类型"},
                   {"name": "area", "title": "区域"},
                   {"name": "starts_at", "title": "开始时间", "data_type": "datetime"},
                   {"name": "ends_at", "title": "结束时间", "data_type": "datetime"},
                   {"name": "segments", "title": "涉及路段"}]), module=self.label)
        reg.menu.register("traffic.notices", reg.MenuEntry("traffic.notices", _("Traffic notices"),
                                                           "traffic:notices", order=65, public=True, group="mobility"), module=self.label)
        for p in panels.panels():
            reg.cockpit_panels.register(p.key, p, module=self.label)
