from django.core.management.base import BaseCommand, CommandError

from smartcounty.kernel import backup


class Command(BaseCommand):
    help = ("Restore a `smartcounty backup` archive into an empty database (same engine) and the data directory, "
            "then compare every table's row count with the backup. Stop the server first; start it after.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive `smartcounty backup` wrote")

    def handle(self, *args, file, **options):
        try:
            s = backup.restore(file, progress=lambda msg: self.stderr.write(f"  restoring {msg}..."))
        except backup.BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(self.style.SUCCESS(f"restored {s.tables} tables ({s.rows} rows, every count as backed up)"
                                             f" and {s.files} files from {s.path}"))
