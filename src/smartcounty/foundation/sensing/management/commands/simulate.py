import signal
import threading
import time

from django.core.management.base import BaseCommand

from smartcounty.foundation.sensing.simulator import Simulator, load_streams


class Command(BaseCommand):
    help = ("Feed the Guan County demo sensor network (load it with `smartcounty demo`) with simulated live "
            "observations through the ingest service, until stopped. `smartcounty serve` runs this too "
            "unless SMARTCOUNTY_SIMULATE=0.")

    def add_arguments(self, parser):
        parser.add_argument("--backfill-hours", type=float, default=24, help="history for streams without data")
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between steps")
        parser.add_argument("--once", action="store_true", help="backfill and send what is due, then exit")

    def handle(self, *args, backfill_hours, tick, once, **options):
        sim = Simulator(backfill_hours=backfill_hours, tick=tick)
        if once:
            sim.streams = load_streams()
            now = int(time.time() * 1000)
            n = sim.backfill(now)
            m = sim.step(now)
            self.stdout.write(f"{len(sim.streams)} streams: {n} backfilled, {m} live observations")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("simulating; Ctrl-C stops")
        sim.run(stop)
