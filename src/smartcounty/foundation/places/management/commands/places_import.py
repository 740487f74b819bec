from django.core.management.base import BaseCommand, CommandError

from smartcounty.foundation.places import services
from smartcounty.foundation.places.importer import ImportFailed


class Command(BaseCommand):
    help = ("Import town or grid polygons from a GeoJSON FeatureCollection (WGS84/CGCS2000 lon/lat). "
            "Every feature is validated first; one bad feature and nothing is written.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to a .geojson file, or - for standard input")
        parser.add_argument("--level", required=True, choices=("town", "grid"))
        parser.add_argument("--replace", action="store_true",
                            help="grids: delete every grid the file does not contain (default: only demo grids)")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            if path == "-":
                import sys

                raw = sys.stdin.buffer.read()
            else:
                with open(path, "rb") as fh:
                    raw = fh.read()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        try:
            result = services.import_geojson(raw, options["level"], replace=options["replace"])
        except ImportFailed as exc:
            for p in exc.problems:
                where = "file" if p.index < 0 else f"feature {p.index}" + (f" ({p.code})" if p.code else "")
                self.stderr.write(f"{where}: {p.reason}")
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was imported") from None
        self.stdout.write(self.style.SUCCESS(
            f"{result.level}: {result.created} created, {result.updated} updated, {result.deleted} deleted"))
