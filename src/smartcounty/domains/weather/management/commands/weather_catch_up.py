"""``smartcounty weather_catch_up``: replay the county's warning signals over stored history."""

from django.core.management.base import BaseCommand

from smartcounty.domains.weather import live


class Command(BaseCommand):
    help = "Replay the weather warning signals hour by hour over stored history (e.g. after a simulator backfill)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24, help="hours of history to replay")

    def handle(self, *args, hours, **options):
        now = live.catch_up(hours)
        for kind, signal in now.items():
            self.stdout.write(f"{kind}: {signal.code + ' ' + str(signal.name) if signal else '—'}")
