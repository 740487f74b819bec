import signal
import sys
import threading

from django.core.management.base import BaseCommand

from smartcounty.foundation.sensing import mqtt
from smartcounty.kernel import events, outbox, process


class Command(BaseCommand):
    help = ("Subscribe to SensorThings MQTT topics v1.1/Datastreams(<id>)/Observations (QoS 1, persistent "
            "session, acknowledged after commit) and store the observations. Django command names cannot "
            "contain '-': this is 'smartcounty ingest_mqtt'.")

    def add_arguments(self, parser):
        env = mqtt.settings_from_env()
        parser.add_argument("--host", default=env["host"])
        parser.add_argument("--port", type=int, default=env["port"])
        parser.add_argument("--client-id", default=env["client_id"],
                            help="fixed client id of the persistent session (one per ingesting process)")
        parser.add_argument("--topic", default=mqtt.DEFAULT_TOPIC)
        parser.add_argument("--batch", type=int, default=5000, help="messages per transaction at most")
        parser.add_argument("--max-delay", type=float, default=0.05, help="seconds a message may wait for its batch")

    def handle(self, *args, **o):
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())

        def ready():
            subs = ", ".join(sorted(events.subscribers("sensing.observations")))
            self.stdout.write(f"subscribed {o['topic']} as {o['client_id']} (sensing.observations subscribers: {subs})")
            sys.stdout.flush()

        # What this ingester's subscribers had not handled when it last stopped, before it takes new messages.
        replayed = outbox.start(f"mqtt:{o['client_id']}")
        if replayed:
            self.stderr.write(f"replayed {replayed} outbox event(s)")  # stdout's first line says "subscribed"
        process.tune_gc()
        ingester = mqtt.Ingester(o["host"], o["port"], o["client_id"], o["topic"], batch_size=o["batch"],
                                 max_delay=o["max_delay"], on_ready=ready)
        ingester.run(stop)
        self.stdout.write(f"stopped: {ingester.account()}")
