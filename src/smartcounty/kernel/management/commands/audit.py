from django.core.management.base import BaseCommand, CommandError

from smartcounty.kernel import audit


class Command(BaseCommand):
    help = "Audit log tools. 'audit verify' walks the hash chain and reports the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        result = audit.verify(progress=lambda n: self.stderr.write(f"  checked {n} rows...") if n % 50000 == 0 else None)
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"audit log intact: {result.checked} rows, every link holds"))
            return
        raise CommandError(f"audit log broken at row {result.broken_id}: {result.reason} "
                           f"({result.checked} rows before it are intact)")
