import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand

from smartcounty.kernel import process, registry


class Command(BaseCommand):
    help = "Serve the platform on ADDR:PORT, with every module's background services (simulator, ingest...)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-background", action="store_true", help="serve pages and API only")

    def handle(self, *args, addrport, no_background, **options):
        stop = threading.Event()
        if not no_background:
            for service in registry.background.values():
                if not service.enabled():
                    continue
                self.stdout.write(f"starting background service: {service.key} ({service.title})")
                threading.Thread(target=service.run, args=(stop,), name=service.key, daemon=True).start()
        process.tune_gc()
        try:
            call_command("runserver", addrport, use_reloader=False, use_threading=True)
        finally:
            stop.set()
