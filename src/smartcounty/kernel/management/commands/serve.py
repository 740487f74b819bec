import socket
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.core.management.commands.runserver import Command as RunServer
from django.core.servers.basehttp import WSGIServer
from django.db import connections

from smartcounty.kernel import process, registry


class NoDelayWSGIServer(WSGIServer):
    """Django's threaded server with Nagle's algorithm off on every connection (as production servers do): a
    response goes out in more than one write (status and headers, then the body), and with Nagle on, the
    body waits for the client's delayed ACK of the headers, up to 40 ms per request on Linux."""

    def get_request(self):
        conn, addr = super().get_request()
        if conn.family in (socket.AF_INET, socket.AF_INET6):
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr

    def close_request(self, request):
        """The client's connection is done: close the database connections its thread opened.

        Threaded, the server runs each client connection on a new thread (``socketserver.ThreadingMixIn``
        calls this in that thread's ``finally``), and Django keeps a thread's database connections for
        ``CONN_MAX_AGE`` (kept for the event subscribers' long-lived threads). Nothing closed them when the
        thread ended: a connection object is a reference cycle, freed only when the cyclic garbage collector
        reaches it, which ``process.tune_gc`` makes rare (and an idle server never runs it). Each client
        connection left its SQLite connection open (two file handles, the database and its WAL, and a page
        cache), 5,000 handles and 1.8 GB after a few minutes of load, until the process ran out of file
        handles; on PostgreSQL, a server backend each. Only this thread's connections close (``connections``
        is per thread): the background services' and event subscribers' threads keep theirs."""
        try:
            connections.close_all()
        finally:
            super().close_request(request)


class _RunServer(RunServer):
    server_cls = NoDelayWSGIServer


class Command(BaseCommand):
    help = "Serve the platform on ADDR:PORT, with every module's background services (simulator, ingest...)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-background", action="store_true", help="serve pages and API only")

    def handle(self, *args, addrport, no_background, **options):
        from django.conf import settings

        from smartcounty.kernel import outbox

        stop = threading.Event()
        # Before anything can publish: what this lane's subscribers had not handled when it last stopped.
        replayed = outbox.start(settings.SMARTCOUNTY_EVENTS_LANE)
        if replayed:
            self.stdout.write(f"replayed {replayed} outbox event(s) of lane {settings.SMARTCOUNTY_EVENTS_LANE}")
        if not no_background:
            for service in registry.background.values():
                if not service.enabled():
                    continue
                self.stdout.write(f"starting background service: {service.key} ({service.title})")
                threading.Thread(target=service.run, args=(stop,), name=service.key, daemon=True).start()
        process.tune_gc()
        try:
            call_command(_RunServer(), addrport, use_reloader=False, use_threading=True)
        finally:
            stop.set()
