from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class SensingConfig(ModuleConfig):
    name = "smartcounty.foundation.sensing"
    label = "sensing"
    verbose_name = _("IoT sensing")
    name_zh = "物联感知"
    name_en = "IoT sensing"
    plan_actions = (7, 8, 9, 10, 14, 17, 25, 27)
    depends_on = ("places", "accounts")

    def register(self, reg):
        from smartcounty.foundation.sensing import background, properties
        from smartcounty.foundation.sensing.schemas import DatastreamHealth, ObservationBatch
        from smartcounty.kernel import events

        # Ingest must not wait for what other modules derive from observations (AQI, rules...), and what they derive
        # must survive a crash between the acknowledgement and their handling: the batch is kept in the outbox.
        events.declare("sensing.observations", background=True,
                       durable=events.Codec(ObservationBatch.encode, ObservationBatch.from_bytes))
        for name in ("sensing.datastream_offline", "sensing.datastream_online"):  # what offline rules judge
            events.declare(name, background=False,
                           durable=events.Codec(DatastreamHealth.encode, DatastreamHealth.from_bytes))

        # Role codes of accounts (foundation/accounts/roles.py).
        org_admin, staff_role, grid_worker = "org_admin", "staff", "grid_worker"
        staff = (org_admin, staff_role, grid_worker)
        for code, title, roles in (
            ("sensing.view", _("View sensors and their observations"), staff),
            ("sensing.ingest", _("Send observations (devices and gateways)"), (org_admin, staff_role)),
            ("sensing.manage", _("Manage things, sensors and datastreams"), (org_admin,)),
            # Every organisation's datastreams and dead letters (raw payloads): platform administrators only.
            ("sensing.view_all", _("View every organisation's sensors"), ()),
            ("sensing.deadletters", _("Read every organisation's rejected payloads"), ()),
        ):
            reg.permissions.register(code, reg.Permission(code, title, tuple(roles)), module=self.label)
        properties.register_builtins(reg, module=self.label)
        reg.menu.register("sensing", reg.MenuEntry("sensing", _("Sensors"), "sensing:things", order=30,
                                                  permission="sensing.view", group="city"), module=self.label)
        reg.demo_loaders.register("sensing", reg.DemoLoader("sensing", _load_demo, order=30,
                                                            title=_("Guan County sensor network (demo)")),
                                  module=self.label)
        reg.background.register("sensing.simulator", reg.BackgroundService(
            "sensing.simulator", background.run_simulator, _("Sensor simulator"), background.simulator_enabled),
            module=self.label)
        reg.background.register("sensing.health", reg.BackgroundService(
            "sensing.health", background.run_health, _("Datastream health checker")), module=self.label)
        # Off unless SMARTCOUNTY_MQTT_INGEST=1 (or run `smartcounty ingest_mqtt` as its own process).
        # SensorThings over MQTT: new observations published after commit once a connection is given (the MQTT
        # ingester gives its own; SMARTCOUNTY_STA_PUBLISH=1 opens one in a process that ingests over HTTP only).
        import os

        from smartcounty.foundation.sensing.sta import publish

        events.subscribe("sensing.observations", publish.on_observations, module=self.label)
        if os.environ.get("SMARTCOUNTY_STA_PUBLISH") == "1":
            publish.enable()
        reg.background.register("sensing.mqtt", reg.BackgroundService(
            "sensing.mqtt", background.run_mqtt, _("MQTT ingest"), background.mqtt_enabled), module=self.label)


def _load_demo(**kwargs):
    from smartcounty.foundation.sensing import demo

    return demo.load(**kwargs)
