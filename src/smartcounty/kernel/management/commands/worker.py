import os
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from smartcounty.kernel import heartbeat, outbox, process, registry


class Command(BaseCommand):
    help = ("Run every module's background services (simulator, MQTT ingest, schedulers, sweepers) until "
            "SIGTERM; `smartcounty serve` starts one beside its web workers.")

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", default=[], metavar="KEY",
                            help="run only this background service (repeatable), e.g. sensing.mqtt")

    def handle(self, *args, only, **options):
        unknown = sorted(set(only) - set(registry.background))
        if unknown:
            self.stderr.write(f"unknown background service(s): {', '.join(unknown)}; known: "
                              f"{', '.join(sorted(registry.background))}")
            raise SystemExit(2)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        lane = settings.SMARTCOUNTY_EVENTS_LANE
        # Before anything can publish: what this lane's subscribers had not handled when it last stopped.
        replayed = outbox.start(lane)
        if replayed:
            self.stdout.write(f"replayed {replayed} outbox event(s) of lane {lane}")
        heartbeat.start("worker", os.getpid(), stop)
        threads = []
        for service in registry.background.values():
            if (only and service.key not in only) or not service.enabled():
                continue
            self.stdout.write(f"starting background service: {service.key} ({service.title})")
            thread = threading.Thread(target=service.run, args=(stop,), name=service.key, daemon=True)
            thread.start()
            threads.append(thread)
        self.stdout.flush()
        process.tune_gc()
        stop.wait()
        for thread in threads:
            thread.join(timeout=10)
