"""``smartcounty environment_forecast``: retrain every station's 72-hour AQI forecast and print its
rolling-origin backtest against persistence."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from smartcounty.domains.environment import forecasting


def fmt(v):
    return "—" if v is None else f"{v:.1f}"


class Command(BaseCommand):
    help = "Retrain the air-quality forecasts and print the backtest MAE of the model against persistence."

    def add_arguments(self, parser):
        parser.add_argument("--backtest-days", type=int, default=forecasting.BACKTEST_DAYS,
                            help="days of rolling origins (one a day) in the backtest")
        parser.add_argument("--catch-up-hours", type=int, default=forecasting.CATCH_UP_HOURS,
                            help="first compute the stations' missing hourly AQI over this many hours of stored "
                                 "history (e.g. after a simulator backfill)")

    def handle(self, *args, backtest_days, catch_up_hours, **options):
        from smartcounty.domains.environment import live

        if catch_up_hours > 0:
            stored = live.catch_up(catch_up_hours)
            self.stdout.write(f"hourly AQI computed from stored history: {stored} station-hours")
        runs = forecasting.run_forecasts(backtest_days=backtest_days)
        if not runs:
            self.stdout.write("no station has an hourly AQI yet")
            return
        result = live.assess_county(live._hour_start(int(timezone.now().timestamp() * 1000)))
        if result is not None:
            self.stdout.write(f"heavy-pollution assessment (observed + forecast days): {result.level or 'none'}")
        self.stdout.write(f"{'station':<24} {'origin (UTC)':<17} {'method':<11} {'hours':>5} "
                          f"{'MAE model':>9} {'MAE persist':>11} {'pairs':>6}")
        for r in runs:
            self.stdout.write(f"{r.station_name[:24]:<24} {r.issued_at:%Y-%m-%d %H:%M} {r.method:<11} "
                              f"{r.history_hours:>5} {fmt(r.model_mae):>9} {fmt(r.persistence_mae):>11} "
                              f"{r.backtest_pairs:>6}")
        pooled = forecasting.pooled_skill(runs)
        if pooled:
            self.stdout.write(f"all stations: MAE model {pooled['model_mae']:.2f}, persistence "
                              f"{pooled['persistence_mae']:.2f}, skill {pooled['skill']:.2f} "
                              f"over {pooled['pairs']} (origin, lead) pairs")
        else:
            self.stdout.write("backtest: not enough history yet")
