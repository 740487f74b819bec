import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from smartcounty.kernel import server


class Command(BaseCommand):
    help = ("Serve the platform on ADDR:PORT (gunicorn's threaded workers) with one background worker process "
            "for every module's background services (simulator, ingest, schedulers); SIGHUP reloads gracefully.")

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-background", action="store_true",
                            help="serve pages and API only (run `smartcounty worker` elsewhere for the rest)")
        parser.add_argument("--workers", type=int, default=settings.SMARTCOUNTY_WEB_WORKERS,
                            help="web worker processes (SMARTCOUNTY_WEB_WORKERS, default 1)")
        parser.add_argument("--threads", type=int, default=settings.SMARTCOUNTY_WEB_THREADS,
                            help="threads per web worker (SMARTCOUNTY_WEB_THREADS, default 64)")
        parser.add_argument("--timeout", type=float, default=settings.SMARTCOUNTY_WEB_TIMEOUT,
                            help="seconds before a silent worker is replaced (SMARTCOUNTY_WEB_TIMEOUT, default 60)")
        parser.add_argument("--graceful-timeout", type=float, default=settings.SMARTCOUNTY_WEB_GRACEFUL_TIMEOUT,
                            help="seconds a stopping worker gets to finish (SMARTCOUNTY_WEB_GRACEFUL_TIMEOUT, 30)")
        parser.add_argument("--max-requests", type=int, default=settings.SMARTCOUNTY_WEB_MAX_REQUESTS,
                            help="replace a worker after this many requests, 0 never (SMARTCOUNTY_WEB_MAX_REQUESTS)")
        parser.add_argument("--access-log", action="store_true", help="log every request to standard output")

    def execute(self, *args, **options):
        # Before the system checks import the middleware (and with it prometheus_client): the web workers share
        # their metrics through a directory, which that library reads from the environment when first imported.
        if options.get("no_background") and "prometheus_client" not in sys.modules:
            server.metrics_dir(settings.DATA_DIR, options.get("addrport") or "127.0.0.1:8000")
        return super().execute(*args, **options)

    def handle(self, *args, addrport, no_background, workers, threads, timeout, graceful_timeout, max_requests,
               access_log, **options):
        if workers < 1 or threads < 1 or timeout < 0 or graceful_timeout < 0 or max_requests < 0:
            raise CommandError("--workers and --threads must be at least 1; timeouts and --max-requests not negative")
        bind = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        if not no_background:
            web = server.cli_argv("serve", bind, "--no-background", "--workers", str(workers), "--threads",
                                  str(threads), "--timeout", str(timeout), "--graceful-timeout",
                                  str(graceful_timeout), "--max-requests", str(max_requests),
                                  *(["--access-log"] if access_log else []))
            self.stdout.write(f"smartcounty: serving on http://{bind}/ ({workers} web worker(s) × {threads} threads)"
                              " and one background worker")
            self.stdout.flush()
            code = server.supervise(web, server.cli_argv("worker"), graceful_timeout=graceful_timeout,
                                    out=self.stdout)
            if code:
                raise SystemExit(code)
            return
        connections.close_all()  # nothing the workers inherit on fork
        server.WebApplication(bind, workers=workers, threads=threads, timeout=timeout,
                              graceful_timeout=graceful_timeout, max_requests=max_requests,
                              access_log=access_log).run()
