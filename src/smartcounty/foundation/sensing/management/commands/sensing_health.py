import threading

from django.core.management.base import BaseCommand

from smartcounty.foundation.sensing import background
from smartcounty.foundation.sensing.services import GRACE, check_health


class Command(BaseCommand):
    help = (f"Mark datastreams silent for longer than their expected interval x {GRACE} as offline (publishes "
            "sensing.datastream_offline). Once, or --every N seconds.")

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, help="repeat every N seconds (0: run once)")

    def handle(self, *args, every, **options):
        if every:
            background.run_health(threading.Event(), every=every)
            return
        gone = check_health()
        self.stdout.write(f"{len(gone)} datastream(s) went offline" + (f": {gone}" if gone else ""))
