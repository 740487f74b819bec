import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from smartcounty.foundation.places import services
from smartcounty.kernel.problems import ApiError


class Command(BaseCommand):
    help = ("Import a GeoJSON, zipped Shapefile or KML/KMZ file as the next version of a map layer, printing "
            "progress. The layer is created when --name is given and it does not exist yet.")

    def add_arguments(self, parser):
        parser.add_argument("layer", help="the layer's key, e.g. planning-farmland")
        parser.add_argument("file", help="path to .geojson/.json, .zip (Shapefile), .kml or .kmz")
        parser.add_argument("--name", help="the layer's name (creates the layer if missing)")
        parser.add_argument("--public", action="store_true", help="with --name: a public layer")
        parser.add_argument("--crs", help="the file's coordinate system when it does not say (EPSG:4490, GCJ-02)")
        parser.add_argument("--repair", action="store_true", help="repair invalid geometry instead of refusing it")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"cannot read {path}")
        try:
            services.layer(options["layer"])
        except ApiError:
            if not options["name"]:
                raise CommandError(f"no layer {options['layer']!r}: give --name to create it") from None
            services.ensure_layer(options["layer"], options["name"], public=options["public"])
        started = time.monotonic()

        def progress(done, total):
            share = f" ({100 * done / total:.0f}%)" if total else ""
            self.stdout.write(f"  {done}/{total or '?'} features{share}, {time.monotonic() - started:.1f} s")

        out = services.import_layer_file(options["layer"], path, path.name, crs=options["crs"],
                                         repair=options["repair"], progress=progress, background=False,
                                         keep_file=True)
        for warning in out.warnings:
            self.stderr.write(f"warning: {warning}")
        if out.status != "ready":
            raise CommandError(f"version {out.number} refused: {out.error}")
        self.stdout.write(self.style.SUCCESS(
            f"{options['layer']} version {out.number}: {out.feature_count} features ({out.source_format}, "
            f"{out.source_crs}) in {time.monotonic() - started:.1f} s"))
