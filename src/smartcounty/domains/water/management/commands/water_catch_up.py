"""``smartcounty water_catch_up``: replay flood states over stored history and assess the drought watch."""

from django.core.management.base import BaseCommand

from smartcounty.domains.water import drought, live


class Command(BaseCommand):
    help = "Replay each gauge's flood alerts over stored history and assess the drought watch (e.g. after a backfill)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24, help="hours of history to replay")

    def handle(self, *args, hours, **options):
        n = live.catch_up(hours)
        status = drought.assess_drought()
        self.stdout.write(f"flood judgements: {n}")
        w = status.watch
        self.stdout.write(f"drought watch: {w.name if w else 'not enough data'} "
                          f"({status.gauges} gauges with data, {status.gauges_short} short)")
