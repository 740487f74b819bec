from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class TourismConfig(ModuleConfig):
    name = "smartcounty.domains.tourism"
    label = "tourism"
    verbose_name = _("Smart culture and tourism")
    name_zh = "智慧文旅"
    name_en = "Smart culture and tourism"
    plan_actions = (22,)
    depends_on = ("sensing", "alerts", "accounts", "cases", "cockpit")

    def register(self, reg):
        from smartcounty.domains.tourism import demo, feed, panels, services
        from smartcounty.foundation.sensing.schemas import ObservedPropertySpec as P
        from smartcounty.kernel import events

        cn = "urn:smartcounty:property:"
        for spec in (P("visitor_entries", "入园人次", "Visitor entries", "1", cn + "visitor_entries", 0, minimum=0.0),
                     P("visitor_exits", "出园人次", "Visitor exits", "1", cn + "visitor_exits", 0, minimum=0.0)):
            reg.observed_properties.register(spec.code, spec, module=self.label)
        events.subscribe("sensing.observations", services.on_observations, module=self.label)
        reg.permissions.register("tourism.manage", reg.Permission(
            "tourism.manage", _("Manage attractions and their capacity warnings"), ("org_admin", "staff")),
            module=self.label)
        reg.menu.register("tourism", reg.MenuEntry("tourism", _("Attractions"), "tourism:index", order=66,
                                                   public=True, group="mobility"), module=self.label)
        reg.menu.register("tourism.stats", reg.MenuEntry("tourism.stats", _("Visitor statistics"), "tourism:stats",
                                                         order=67, public=True, group="mobility"), module=self.label)
        reg.demo_loaders.register("tourism", reg.DemoLoader("tourism", demo.load, order=72,
                                                            title=_("Tourism demo")), module=self.label)
        reg.background.register("tourism.feed", reg.BackgroundService(
            "tourism.feed", feed.run, _("Gate counter simulator"), feed.enabled), module=self.label)
        for p in panels.panels():
            reg.cockpit_panels.register(p.key, p, module=self.label)
