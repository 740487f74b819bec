from django.core.management.base import BaseCommand
from django.db import transaction

from smartcounty.kernel import registry


class Command(BaseCommand):
    help = "Load the Guan County demo data of every module (safe to run again: it changes nothing already there)."

    def handle(self, *args, **options):
        loaders = sorted(registry.demo_loaders.values(), key=lambda d: (d.order, d.key))
        for n, loader in enumerate(loaders, 1):
            self.stdout.write(f"[{n}/{len(loaders)}] {loader.key}: {loader.title}")
            with transaction.atomic():
                loader.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data loaded"))
