"""Background services ``smartcounty serve`` starts: the simulator and the health checker."""

import logging
import os

from django.db import close_old_connections

log = logging.getLogger("smartcounty.sensing")

HEALTH_EVERY_S = 30.0


def simulator_enabled() -> bool:
    return os.environ.get("SMARTCOUNTY_SIMULATE", "1").lower() not in ("0", "false", "no", "off")


def run_simulator(stop) -> None:
    from smartcounty.foundation.sensing.simulator import HISTORY_HOURS, Simulator

    try:
        Simulator(history=HISTORY_HOURS).run(stop)
    except Exception:  # pragma: no cover - logged, the server keeps running
        log.exception("sensor simulator stopped")
    finally:
        close_old_connections()


def run_health(stop, every: float = HEALTH_EVERY_S) -> None:
    from smartcounty.foundation.sensing.services import check_health

    while not stop.wait(every):
        try:
            close_old_connections()
            gone = check_health()
            if gone:
                log.info("datastreams offline: %s", gone)
        except Exception:  # pragma: no cover
            log.exception("datastream health check failed")


def mqtt_enabled() -> bool:
    return os.environ.get("SMARTCOUNTY_MQTT_INGEST", "0").lower() in ("1", "true", "yes", "on")


def run_mqtt(stop) -> None:
    from smartcounty.foundation.sensing import mqtt

    env = mqtt.settings_from_env()
    while not stop.is_set():
        try:
            mqtt.Ingester(env["host"], env["port"], env["client_id"]).run(stop)
        except Exception:  # pragma: no cover - broker down: try again
            log.exception("MQTT ingest stopped; reconnecting in 5 s")
            stop.wait(5)
