from django.core.management.base import BaseCommand, CommandError

from smartcounty.kernel import backup


class Command(BaseCommand):
    help = ("Back up the database (a consistent snapshot, while the server runs) and the files kept beside it "
            "(attachments, keys, audit checkpoints) into one tar archive (.tar.gz compresses).")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive to write, e.g. smartcounty-2026-12-03.tar.gz")

    def handle(self, *args, file, **options):
        try:
            s = backup.backup(file, progress=lambda msg: self.stderr.write(f"  {msg}..."))
        except backup.BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(self.style.SUCCESS(f"backup written: {s.path} ({s.engine}, {s.tables} tables, {s.rows} rows,"
                                             f" {s.files} files, {s.bytes / 1e6:.1f} MB)"))
