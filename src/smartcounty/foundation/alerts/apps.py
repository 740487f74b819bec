from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class AlertsConfig(ModuleConfig):
    name = "smartcounty.foundation.alerts"
    label = "alerts"
    verbose_name = _("Rules and alerts")
    name_zh = "规则与告警"
    name_en = "Rules and alerts"
    plan_actions = (9, 10, 14, 17, 22, 30)
    depends_on = ("sensing", "places", "accounts")

    def register(self, reg):
        from smartcounty.foundation.alerts import demo, engine, feed, notify, rules, services
        from smartcounty.kernel import events

        staff = ("org_admin", "staff", "grid_worker")
        for code, title, roles in (
            ("alerts.view", _("View alerts and rules"), staff),
            ("alerts.handle", _("Acknowledge and resolve alerts"), ("org_admin", "staff")),
            ("alerts.manage_rules", _("Manage alert rules and notification subscriptions"), ("org_admin",)),
        ):
            reg.permissions.register(code, reg.Permission(code, title, roles), module=self.label)

        for kind in rules.BUILT_IN:
            reg.rule_kinds.register(kind.code, kind, module=self.label)

        events.subscribe("sensing.observations", engine.on_observations, module=self.label)
        events.subscribe("sensing.datastream_offline", engine.on_health, module=self.label)
        events.subscribe("sensing.datastream_online", engine.on_health, module=self.label)
        for name in ("alerts.raised", "alerts.changed", "alerts.resolved"):
            events.subscribe(name, feed.on_alert_event, module=self.label)
            events.subscribe(name, notify.on_alert_event, module=self.label)

        reg.menu.register("alerts", reg.MenuEntry("alerts", _("Alerts"), "alerts:index", order=40,
                                                  permission="alerts.view", group="city"), module=self.label)
        reg.menu.register("alert_rules", reg.MenuEntry("alert_rules", _("Alert rules"), "alerts:rules", order=41,
                                                       permission="alerts.view", group="city"), module=self.label)
        reg.demo_loaders.register("alerts", reg.DemoLoader("alerts", demo.load, order=40, title=_("Demo alert rules")),
                                  module=self.label)
        reg.metrics.register("alerts.raised", reg.Metric(
            "smartcounty_alerts_raised", "Alerts raised since the installation began", services.raised_total,
            kind="counter"), module=self.label)
        reg.metrics.register("alerts.open", reg.Metric(
            "smartcounty_alerts_open", "Open alerts by level", services.open_alert_counts, labels=("level",)),
            module=self.label)
        reg.background.register("alerts_webhooks", reg.BackgroundService(
            "alerts_webhooks", notify.run_background, title=_("Alert notification delivery")), module=self.label)
