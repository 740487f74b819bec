from django.core.management.base import BaseCommand
from django.db import transaction

from smartcounty.foundation.cases import rollup


class Command(BaseCommand):
    help = "Rebuild the daily case statistics rollup from the cases table (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            n = rollup.rebuild()
        self.stdout.write(f"{n} daily statistics rows written")
