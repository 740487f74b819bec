from django.core.management.base import BaseCommand, CommandError

from smartcounty.kernel import audit


class Command(BaseCommand):
    help = ("Audit log tools. 'audit verify' walks the keyed hash chain, checks it against the checkpoint "
            "file, reports the first broken link or checkpoint, and checkpoints an intact head.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        result = audit.verify(progress=lambda n: self.stderr.write(f"  checked {n} rows...") if n % 50000 == 0 else None)
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"audit log intact: {result.checked} rows, every link holds, "
                                                 f"{result.checkpoints} checkpoints match"))
            return
        if result.broken_id is None:
            raise CommandError(f"audit log checkpoints unusable: {result.reason}")
        raise CommandError(f"audit log broken at row {result.broken_id}: {result.reason} "
                           f"({result.checked} rows checked)")
