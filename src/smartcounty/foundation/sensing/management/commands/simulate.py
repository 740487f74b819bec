import argparse
import signal
import threading
import time
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from smartcounty.foundation.sensing.simulator import SCENARIOS, Simulator, load_streams


def _scenario_help() -> str:
    return "; ".join(f"{name}: {text}" for name, text in SCENARIOS.items())


def _parse_time(text: str | None) -> int | None:
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError as e:
        raise CommandError(f"not an ISO 8601 time: {text!r}") from e
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return int(at.timestamp() * 1000)


class Command(BaseCommand):
    help = ("Feed the Guan County demo sensor network (load it with `smartcounty demo`) with simulated live "
            "observations through the ingest service, until stopped. `smartcounty serve` runs this too "
            "unless SMARTCOUNTY_SIMULATE=0. With --scenario, a named story is laid over the weather from --start "
            "(default: now). Scenarios: " + _scenario_help() + ". A compressed history for a test or a demo: "
            "--once --now T --backfill-hours H writes the H hours before T (without events; replay them with "
            "`environment_forecast --catch-up-hours`, `weather_catch_up`, `water_catch_up`).")

    def create_parser(self, *args, **kwargs):
        parser = super().create_parser(*args, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--backfill-hours", type=float, default=24, help="history for streams without data")
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between steps")
        parser.add_argument("--once", action="store_true", help="backfill and send what is due, then exit")
        parser.add_argument("--scenario", choices=sorted(SCENARIOS),
                            help="a named scenario: " + _scenario_help())
        parser.add_argument("--start", help="the scenario's start (ISO 8601, UTC unless an offset is given; "
                                            "default: now)")
        parser.add_argument("--now", help="with --once: simulate up to this time instead of the clock's (ISO 8601)")
        parser.add_argument("--only", default="",
                            help="with --once: comma-separated thing kinds (air, weather, rain, water, traffic, smoke) "
                                 "or kind.property (air.pm25) to feed; default: all")

    def handle(self, *args, backfill_hours, tick, once, scenario, start, now, only, **options):
        now_ms = _parse_time(now)
        if now_ms is not None and not once:
            raise CommandError("--now needs --once")
        start_ms = _parse_time(start)
        if start_ms is not None and not scenario:
            raise CommandError("--start needs --scenario")
        chosen = None
        if scenario:
            chosen = (scenario, start_ms if start_ms is not None else (now_ms or int(time.time() * 1000)))
        kinds = {k.strip() for k in only.split(",") if k.strip()}
        sim = Simulator(backfill_hours=backfill_hours, tick=tick, scenario=chosen)
        if once:
            sim.streams = [s for s in load_streams() if not kinds or s.kind in kinds or f"{s.kind}.{s.prop}" in kinds]
            at = now_ms if now_ms is not None else int(time.time() * 1000)
            n = sim.backfill(at)
            m = sim.step(at)
            self.stdout.write(f"{len(sim.streams)} streams: {n} backfilled, {m} live observations"
                              + (f" (scenario {scenario})" if scenario else ""))
            return
        if kinds:
            raise CommandError("--only needs --once")
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("simulating; Ctrl-C stops" + (f" (scenario {scenario})" if scenario else ""))
        sim.run(stop)
